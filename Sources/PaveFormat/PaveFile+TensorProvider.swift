/// A `.pave` file is a tensor provider: the executor, the validation and the reference vectors read it
/// directly (each tensor hash-checked on read), and the writer streams its tensors chunk by chunk.
extension PaveFile: TensorProvider {
    public var tensorInfos: [TensorInfo] {
        entries.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        entry(name).map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
    }

    public func tensor(_ name: String) throws -> TensorData { try readTensor(name) }

    /// Streams the tensor chunk by chunk from the file (each chunk decoded and its tensor hash-checked).
    public func source(_ name: String, renamedTo newName: String?) throws -> any TensorSource {
        try PaveTensorSource(file: self, name: name, renamedTo: newName)
    }
}
