import PaveFormat

/// A value the restricted torch unpickler can build. There is no "object" case: anything that would need
/// a Python class or function other than the few allowed rebuild functions is refused while parsing.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case string(String)
    case tuple([PickleValue], depth: Int)
    case dict(PickleDict)
    /// An allowed global (only ever a function or class *name*; nothing is resolved).
    case global(PickleGlobal)
    case storage(TorchStorageRef)
    case tensor(TorchTensorRef)

    /// Nesting depth (1 for scalars).
    var depth: Int {
        switch self {
        case let .tuple(_, d): return d
        case let .dict(d): return d.depth
        default: return 1
        }
    }

    /// Short description for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .string: return "str"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case let .global(g): return g.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A dict under construction (reference type: `SETITEMS` mutates the dict the memo also refers to).
final class PickleDict {
    var items: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    let ordered: Bool
    init(ordered: Bool) { self.ordered = ordered }
}

/// The globals a torch tensor-dict pickle may name.
enum PickleGlobal: Equatable {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    case storageType(TorchStorageType)

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            guard let t = TorchStorageType(rawValue: name) else { return nil }
            self = .storageType(t)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case let .storageType(t): return "torch.\(t.rawValue)"
        }
    }
}

/// A storage named by a persistent id `('storage', torch.<Type>Storage, key, location, numel)`; its bytes
/// are the archive record `<stem>/data/<key>`.
public struct TorchStorageRef: Sendable, Equatable, Hashable {
    /// Record name under `<stem>/data/`.
    public var key: String
    /// Storage class, hence element dtype.
    public var type: TorchStorageType
    /// Device at save time (`cpu`, `cuda:0`; informational).
    public var location: String
    /// Elements in the storage.
    public var elementCount: Int
}

/// A tensor view on a storage, as `_rebuild_tensor_v2(storage, offset, size, stride, …)` describes it
/// (offset and strides in elements).
public struct TorchTensorRef: Sendable, Equatable {
    public var storage: TorchStorageRef
    /// First element of the view in the storage.
    public var offset: Int
    /// Size per dimension.
    public var shape: [Int]
    /// Elements to step per dimension.
    public var stride: [Int]
    /// `requires_grad` at save time (informational).
    public var requiresGrad: Bool
}
