/// The layout table (spec §6) as stored, before any rule of §6 is checked: first parse, then
/// ``PaveLayoutTable/validate(index:dataOffset:dataLength:path:)`` runs one named check per rule.
///
/// Tensor records are decoded up front (≤ 2^20 of them); chunk records are read from the table's bytes on
/// demand, so a table of 2^26 chunks costs no second copy.
struct PaveLayoutTable {
    /// One tensor record, values as stored.
    struct TensorRecord {
        var regionOffset: UInt64
        var regionLength: UInt64
        var chunkSize: UInt64
        var firstChunk: UInt64
        /// Absolute file offset of the record.
        var offset: Int
    }

    /// One chunk record, values as stored.
    struct ChunkRecord {
        var offset: UInt64
        var storedLength: UInt64
        var rawLength: UInt64
        var encoding: UInt8
        var width: UInt8
        var reservedIsZero: Bool
        /// Absolute file offset of the record.
        var fileOffset: Int
    }

    let bytes: [UInt8]
    /// Absolute file offset of the table.
    let base: Int
    let tensorCount: UInt64
    let chunkCount: UInt64
    let tensors: [TensorRecord]

    /// Absolute offset of chunk record 0.
    var chunkBase: Int { base + 16 + 32 * tensors.count }

    /// Chunk record `k` (`k < chunkCount`, checked by ``validate(index:dataOffset:dataLength:path:)``).
    func chunk(_ k: Int) -> ChunkRecord? {
        let local = 16 + 32 * tensors.count + 32 * k
        guard k >= 0, local <= bytes.count - 32, let off = ByteReader.u64(bytes, at: local),
            let stored = ByteReader.u64(bytes, at: local + 8), let raw = ByteReader.u64(bytes, at: local + 16)
        else { return nil }
        return ChunkRecord(offset: off, storedLength: stored, rawLength: raw, encoding: bytes[local + 24], width: bytes[local + 25],
                           reservedIsZero: bytes[(local + 26)..<(local + 32)].allSatisfy { $0 == 0 }, fileOffset: base + local)
    }

    /// Parses the two counts and, when the index agrees on the tensor count, the tensor records.
    /// - Throws: ``PaveFormatError/invalidLayout(path:tensor:chunk:field:offset:reason:)`` when the table is too
    ///   short or its tensor count is not the index's, ``PaveFormatError/limitExceeded(path:field:offset:value:limit:)``
    ///   for a chunk count over 2^26, and a layout error when `layout_length` is not `16 + 32 × (tensors + chunks)`.
    init(_ bytes: [UInt8], at base: Int, indexCount: Int, path: String) throws(PaveFormatError) {
        self.bytes = bytes
        self.base = base
        var r = ByteReader(bytes, base: base)
        guard let tc = r.u64(), let cc = r.u64() else {
            throw .invalidLayout(path: path, tensor: "", chunk: nil, field: "tensor_count", offset: base, reason: "the layout table is shorter than 16 bytes")
        }
        guard tc == UInt64(indexCount) else {
            throw .invalidLayout(path: path, tensor: "", chunk: nil, field: "tensor_count", offset: base, reason: "is \(tc) but the index has \(indexCount) tensors")
        }
        guard cc <= UInt64(PaveLimits.maxChunkCount) else {
            throw .limitExceeded(path: path, field: "layout chunk_count", offset: base + 8, value: Int(clamping: cc), limit: PaveLimits.maxChunkCount)
        }
        let expectedLength = 16 + 32 * (indexCount + Int(cc))
        guard bytes.count == expectedLength else {
            throw .invalidLayout(path: path, tensor: "", chunk: nil, field: "layout_length", offset: base,
                                 reason: "is \(bytes.count) but \(indexCount) tensor and \(cc) chunk records take \(expectedLength)")
        }
        tensorCount = tc
        chunkCount = cc
        var records: [TensorRecord] = []
        records.reserveCapacity(indexCount)
        for _ in 0..<indexCount {
            let at = r.offset
            guard let ro = r.u64(), let rl = r.u64(), let cs = r.u64(), let fc = r.u64() else {
                throw .invalidLayout(path: path, tensor: "", chunk: nil, field: "tensor record", offset: at, reason: "the layout ends inside the record")
            }
            records.append(TensorRecord(regionOffset: ro, regionLength: rl, chunkSize: cs, firstChunk: fc, offset: at))
        }
        tensors = records
    }
}
