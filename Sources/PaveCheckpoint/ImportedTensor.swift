import Crypto
import PaveFormat
import PaveModel
import PaveTorch

/// One tensor of an import, read lazily: name, dtype, shape and a reader of its raw little-endian,
/// row-major bytes. Nothing is held in memory except what a reader is asked for (tensors that were
/// non-contiguous views in their source are gathered once, at import, and held).
public struct ImportedTensor: Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Total bytes.
    public let byteCount: Int
    /// SHA-256 the bytes must have, when the source records one (a `.pave`); checked by ``forEachChunk(chunkSize:_:)``.
    public let sha256: [UInt8]?
    private let reader: @Sendable (Int, Int) throws -> [UInt8]

    /// A tensor whose bytes `reader(offset, count)` returns.
    public init(name: String, dtype: DType, shape: [Int], byteCount: Int, sha256: [UInt8]? = nil,
                reader: @escaping @Sendable (Int, Int) throws -> [UInt8]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.byteCount = byteCount; self.sha256 = sha256; self.reader = reader
    }

    /// A tensor of a `.pave` file, decoded on demand; whole-tensor streaming checks its recorded SHA-256.
    public init(name: String, pave: PaveFile, entry: PaveTensorEntry) {
        self.init(name: name, dtype: entry.dtype, shape: entry.shape, byteCount: entry.byteCount, sha256: entry.sha256) { offset, count in
            try pave.readBytes(of: entry, offset: offset, count: count)
        }
    }

    /// Reads the whole tensor in order, `chunkSize` bytes at a time, and — when ``sha256`` is set — throws
    /// ``CheckpointExportError/hashMismatch(tensor:)`` after the last chunk if the bytes do not match it
    /// (writers of atomic outputs then discard what they wrote).
    public func forEachChunk(chunkSize: Int = 8 << 20, _ body: ([UInt8]) throws -> Void) throws {
        var hasher = sha256 == nil ? nil : SHA256()
        var offset = 0
        while offset < byteCount {
            let n = min(chunkSize, byteCount - offset)
            let chunk = try read(offset: offset, count: n)
            hasher?.update(data: chunk)
            try body(chunk)
            offset += n
        }
        if let expected = sha256, let h = hasher, Array(h.finalize()) != expected {
            throw CheckpointExportError.hashMismatch(tensor: name)
        }
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
        ImportedTensor(name: newName, dtype: dtype, shape: shape, byteCount: byteCount, sha256: sha256, reader: reader)
    }
}
