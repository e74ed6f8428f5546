/// Name, dtype and shape of one stored tensor (what validation looks at; no data).
public struct TensorInfo: Sendable, Equatable, Hashable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]

    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name; self.dtype = dtype; self.shape = shape
    }
}

/// The one tensor-access abstraction: a set of named tensors with random access (``tensor(_:)``: one whole tensor
/// by name) and streaming (``source(_:renamedTo:)``: a ``TensorSource`` read piece by piece, what the writer uses).
/// A `.pave` file, a safetensors file, a pack's inputs, a member of a composed file and an in-memory map are all
/// providers.
///
/// The executor, the patch validation, the reference vectors and the composer are written against this protocol,
/// so they work the same on a packed patch and on the safetensors files it is packed from.
public protocol TensorProvider: Sendable {
    /// Every tensor, in a stable order.
    var tensorInfos: [TensorInfo] { get }
    /// The tensor `name`'s info, or `nil` when there is none.
    func tensorInfo(_ name: String) -> TensorInfo?
    /// Reads tensor `name` in full (raw little-endian bytes in its stored dtype).
    func tensor(_ name: String) throws -> TensorData
    /// Tensor `name` as a stream (called `newName` where it is written, when given). The default reads the whole
    /// tensor into memory; file-backed providers stream it from the file instead.
    func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource
}

extension TensorProvider {
    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        InMemoryTensorSource(name: newName ?? name, tensor: try tensor(name))
    }

    /// Tensor `name` as a stream, under its own name.
    public func source(_ name: String) throws -> any TensorSource { try source(name, renamedTo: nil) }
}

/// Tensors held in memory, by name.
public struct InMemoryTensors: TensorProvider {
    /// The tensors by name.
    public var tensors: [String: TensorData]

    public init(_ tensors: [String: TensorData] = [:]) { self.tensors = tensors }

    public var tensorInfos: [TensorInfo] {
        tensors.keys.sorted().compactMap { tensorInfo($0) }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        tensors[name].map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape) }
    }

    public func tensor(_ name: String) throws -> TensorData {
        guard let t = tensors[name] else { throw PaveFormatError.missingTensor(path: "(tensors in memory)", tensor: name) }
        return t
    }
}

extension SafetensorsFile: TensorProvider {
    public var tensorInfos: [TensorInfo] {
        entries.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }.sorted { $0.name < $1.name }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        entry(name).map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
    }
    // `tensor(_:)` is SafetensorsFile's own (typed-throwing) reader.

    /// Streams the tensor from the file.
    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        try SafetensorsTensorSource(file: self, name: name, renamedTo: newName)
    }
}
