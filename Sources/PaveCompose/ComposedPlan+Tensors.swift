import PaveFormat
import PaveModel

extension ComposedPlan {
    /// The plan's tensors as a ``TensorProvider`` (under their composed names), so the composed stack can be
    /// loaded and run before anything is written.
    public var tensorProvider: PlanTensors { PlanTensors(tensors) }

    /// The plan as an input (what reading the written file will give, apart from the digest).
    public func input(digest: String, path: String) -> StackInput {
        StackInput(tensors: tensorProvider, manifest: manifest, digest: digest, path: path)
    }
}

/// A ``TensorProvider`` over a plan's tensors.
public struct PlanTensors: TensorProvider {
    let byName: [String: ComposedPlan.Tensor]
    let names: [String]

    init(_ tensors: [ComposedPlan.Tensor]) {
        var d: [String: ComposedPlan.Tensor] = [:]
        for t in tensors { d[t.name] = t }
        byName = d
        names = tensors.map(\.name)
    }

    public var tensorInfos: [TensorInfo] { names.compactMap { tensorInfo($0) } }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        guard let t = byName[name] else { return nil }
        switch t.source {
        case let .stored(tensors, source): return tensors.tensorInfo(source).map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape) }
        case let .memory(d): return TensorInfo(name: name, dtype: d.dtype, shape: d.shape)
        }
    }

    public func tensor(_ name: String) throws -> TensorData {
        guard let t = byName[name] else { throw PatchSemanticsError.missingTensorData(name: name) }
        switch t.source {
        case let .stored(tensors, source): return try tensors.tensor(source)
        case let .memory(d): return d
        }
    }

    /// Streams a stored tensor from its member's file; a computed one from memory.
    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        guard let t = byName[name] else { throw PatchSemanticsError.missingTensorData(name: name) }
        switch t.source {
        case let .stored(tensors, source): return try tensors.source(source, renamedTo: newName ?? name)
        case let .memory(d): return InMemoryTensorSource(name: newName ?? name, tensor: d)
        }
    }
}
