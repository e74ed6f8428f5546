import PaveFormat
import PaveModel

/// The tensors of one member inside a composed file: every tensor of `base` whose name starts with `prefix`,
/// seen under its name without the prefix (so the member's own manifest applies unchanged).
public struct PrefixedTensors: TensorProvider {
    public let base: any TensorProvider
    public let prefix: String

    public init(_ base: any TensorProvider, prefix: String) { self.base = base; self.prefix = prefix }

    public var tensorInfos: [TensorInfo] {
        guard !prefix.isEmpty else { return base.tensorInfos }
        return base.tensorInfos.compactMap { t in
            guard t.name.hasPrefix(prefix) else { return nil }
            return TensorInfo(name: String(t.name.dropFirst(prefix.count)), dtype: t.dtype, shape: t.shape)
        }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        base.tensorInfo(prefix + name).map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape) }
    }

    public func tensor(_ name: String) throws -> TensorData { try base.tensor(prefix + name) }

    /// Streams the tensor from the composed file (named `newName`, else its name without the prefix).
    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        try base.source(prefix + name, renamedTo: newName ?? name)
    }
}
