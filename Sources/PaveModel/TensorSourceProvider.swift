import PaveFormat

/// The tensors of a pack plan (or any list of streaming sources) as a provider; a tensor is read in full on demand.
public struct TensorSourceProvider: TensorProvider {
    public let sources: [any TensorSource]
    private let byName: [String: Int]

    public init(_ sources: [any TensorSource]) {
        self.sources = sources
        var m: [String: Int] = [:]
        for (i, s) in sources.enumerated() { m[s.name] = i }
        byName = m
    }

    public var tensorInfos: [TensorInfo] {
        sources.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }.sorted { $0.name < $1.name }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        byName[name].map { TensorInfo(name: sources[$0].name, dtype: sources[$0].dtype, shape: sources[$0].shape) }
    }

    public func tensor(_ name: String) throws -> TensorData {
        guard let i = byName[name] else { throw PatchSemanticsError.missingTensorData(name: name) }
        let s = sources[i]
        guard let count = s.byteCount else { throw PatchSemanticsError.missingTensorData(name: name) }
        return try TensorData(dtype: s.dtype, shape: s.shape, bytes: try s.read(offset: 0, count: count))
    }
}
