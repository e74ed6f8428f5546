import PaveFormat

/// One tensor of an import, read lazily: name, dtype, shape and a reader of its raw little-endian,
/// row-major bytes. Nothing is held in memory except what a reader is asked for (tensors that were
/// non-contiguous views in their source are gathered once, at import, and held).
public struct ImportedTensor: Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Total bytes.
    public let byteCount: Int
    private let reader: @Sendable (Int, Int) throws -> [UInt8]

    /// A tensor whose bytes `reader(offset, count)` returns.
    public init(name: String, dtype: DType, shape: [Int], byteCount: Int, reader: @escaping @Sendable (Int, Int) throws -> [UInt8]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.byteCount = byteCount; self.reader = reader
    }

    /// A tensor held in memory.
    public init(name: String, tensor: TensorData) {
        let bytes = tensor.bytes
        self.init(name: name, dtype: tensor.dtype, shape: tensor.shape, byteCount: bytes.count) { offset, count in
            Array(bytes[offset..<(offset + count)])
        }
    }

    /// A tensor of a safetensors file, read on demand.
    public init(name: String, file: SafetensorsFile, entry: SafetensorsFile.Entry) {
        let tensorName = entry.name
        self.init(name: name, dtype: entry.dtype, shape: entry.shape, byteCount: entry.byteCount) { offset, count in
            try file.readBytes(of: tensorName, offset: offset, count: count)
        }
    }

    /// Reads `count` bytes starting `offset` bytes into the tensor.
    public func read(offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= byteCount, count <= byteCount - offset else {
            throw TensorDataError.byteCountMismatch(shape: shape, dtype: dtype, expected: byteCount, actual: offset + count)
        }
        return try reader(offset, count)
    }

    /// All bytes as a ``TensorData`` (for small tensors and tests).
    public func load() throws -> TensorData {
        try TensorData(dtype: dtype, shape: shape, bytes: try read(offset: 0, count: byteCount))
    }

    /// The same bytes under another name.
    public func renamed(_ newName: String) -> ImportedTensor {
        ImportedTensor(name: newName, dtype: dtype, shape: shape, byteCount: byteCount, reader: reader)
    }
}
