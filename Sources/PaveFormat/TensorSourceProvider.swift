/// A list of streaming sources (a pack's inputs) as a provider: a tensor is read in full on demand, or streamed
/// through its own source.
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
        let s = try stored(name)
        guard let count = s.byteCount else {
            throw PaveFormatError.sourceFailed(tensor: name, reason: "shape \(Shape.describe(s.shape)) has no valid byte size")
        }
        return try TensorData(dtype: s.dtype, shape: s.shape, bytes: try s.read(offset: 0, count: count))
    }

    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        let s = try stored(name)
        guard let newName, newName != s.name else { return s }
        return RenamedTensorSource(s, name: newName)
    }

    private func stored(_ name: String) throws -> any TensorSource {
        guard let i = byName[name] else { throw PaveFormatError.missingTensor(path: "(pack inputs)", tensor: name) }
        return sources[i]
    }
}

/// A source under another name (the bytes are the wrapped source's).
public struct RenamedTensorSource: TensorSource {
    public let base: any TensorSource
    public let name: String
    public var dtype: DType { base.dtype }
    public var shape: [Int] { base.shape }

    public init(_ base: any TensorSource, name: String) {
        self.base = base
        self.name = name
    }

    public func read(offset: Int, count: Int) throws -> [UInt8] { try base.read(offset: offset, count: count) }

    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws { try base.read(offset: offset, into: buffer) }
}
