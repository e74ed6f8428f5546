/// One tensor of a `.pave` file: its index entry (name, dtype, shape, size, SHA-256) and its layout
/// (the region holding its chunks).
public struct PaveTensorEntry: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Raw (uncompressed) byte length.
    public let byteCount: Int
    /// SHA-256 of the raw bytes (32 bytes).
    public let sha256: [UInt8]
    /// Absolute offset of the tensor's region (64-aligned).
    public let regionOffset: Int
    /// Bytes stored for the tensor (its compressed size, chunk padding included).
    public let regionLength: Int
    /// Raw bytes per chunk (the last chunk may be shorter).
    public let chunkSize: Int
    /// The chunks, in raw-byte order.
    public let chunks: [PaveChunk]
    /// Absolute offset of this tensor's index entry (for error messages).
    public let indexOffset: Int

    /// `sha256:<64 hex>`.
    public var sha256Hex: String { Digest.prefixed(sha256) }
    public var elementCount: Int { Shape.elementCount(shape) ?? 0 }
}

/// One chunk of a tensor (spec §6).
public struct PaveChunk: Sendable, Equatable {
    /// Absolute offset of the stored bytes.
    public let offset: Int
    public let storedLength: Int
    /// Offset of the chunk's raw bytes inside the tensor.
    public let rawOffset: Int
    public let rawLength: Int
    /// Encoding code as stored (see ``ChunkEncoding``; a newer minor may use codes this version does not know).
    public let encodingCode: UInt8
    /// Element width for the grouping encodings, else 0.
    public let width: Int
    /// Absolute offset of the chunk's record in the layout table (for error messages).
    public let recordOffset: Int

    public var encoding: ChunkEncoding? { ChunkEncoding(rawValue: encodingCode) }
}

