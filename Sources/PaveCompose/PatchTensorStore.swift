import PaveFormat

/// Read access to the tensors of one `.pave` file (or any tensor collection) that a stack member lives in.
///
/// `PaveFile` conforms (PatchTensorStore+PaveFile.swift); tests use ``InMemoryTensorStore``.
public protocol PatchTensorStore: Sendable {
    /// Where the tensors come from, for messages (a path).
    var storeName: String { get }
    /// Every tensor name, sorted.
    var tensorNames: [String] { get }
    /// Dtype and shape of tensor `name`, `nil` when absent.
    func tensorInfo(_ name: String) -> (dtype: DType, shape: [Int])?
    /// The tensor's bytes (hash-checked by the store when it can).
    func readTensor(_ name: String) throws -> TensorData
}

/// A ``PatchTensorStore`` over tensors held in memory.
public struct InMemoryTensorStore: PatchTensorStore {
    public let storeName: String
    public let tensors: [String: TensorData]

    public init(name: String = "<memory>", tensors: [String: TensorData]) {
        storeName = name
        self.tensors = tensors
    }

    public var tensorNames: [String] { tensors.keys.sorted() }
    public func tensorInfo(_ name: String) -> (dtype: DType, shape: [Int])? {
        tensors[name].map { ($0.dtype, $0.shape) }
    }
    public func readTensor(_ name: String) throws -> TensorData {
        guard let t = tensors[name] else { throw SafetensorsError.missingTensor(path: storeName, tensor: name) }
        return t
    }
}
