/// Encodes and decodes the tensor index (spec §5) and the layout table (spec §6), checking every rule and
/// limit on the way in. Errors name the tensor, the chunk, the field and its absolute byte offset.
enum PaveIndexCodec {
    /// One index entry as stored.
    struct IndexEntry {
        var name: String
        var dtype: DType
        var shape: [Int]
        var byteCount: Int
        var sha256: [UInt8]
        var offset: Int
    }

    /// One tensor record of the layout table.
    struct TensorLayout: Equatable {
        var regionOffset: Int
        var regionLength: Int
        var chunkSize: Int
        var firstChunk: Int
    }

    /// One chunk record of the layout table (offset relative to the region).
    struct ChunkRecord: Equatable {
        var offset: Int
        var storedLength: Int
        var rawLength: Int
        var encoding: UInt8
        var width: UInt8
    }

    // MARK: Encoding

    /// Exact index length for tensors with these (name byte count, rank).
    static func indexLength(_ tensors: [(nameBytes: Int, rank: Int)]) -> Int {
        tensors.reduce(8) { $0 + 2 + $1.nameBytes + 2 + 8 * $1.rank + 8 + 32 }
    }

    static func encodeIndex(_ tensors: [(name: [UInt8], dtype: DType, shape: [Int], byteCount: Int, sha256: [UInt8])]) -> [UInt8] {
        var w = ByteWriter()
        w.u64(tensors.count)
        for t in tensors {
            w.u16(UInt16(t.name.count))
            w.append(t.name)
            w.u8(t.dtype.paveCode)
            w.u8(UInt8(t.shape.count))
            for d in t.shape { w.u64(d) }
            w.u64(t.byteCount)
            w.append(t.sha256)
        }
        return w.bytes
    }

    static func encodeLayout(_ tensors: [TensorLayout], chunks: [ChunkRecord]) -> [UInt8] {
        var w = ByteWriter(capacity: 16 + 32 * (tensors.count + chunks.count))
        w.u64(tensors.count)
        w.u64(chunks.count)
        for t in tensors {
            w.u64(t.regionOffset)
            w.u64(t.regionLength)
            w.u64(t.chunkSize)
            w.u64(t.firstChunk)
        }
        for c in chunks {
            w.u64(c.offset)
            w.u64(c.storedLength)
            w.u64(c.rawLength)
            w.u8(c.encoding)
            w.u8(c.width)
            w.zeros(6)
        }
        return w.bytes
    }

    // MARK: Decoding

    /// Parses and checks the index (names in strict byte order, dtypes, shapes, sizes, limits).
    static func decodeIndex(_ bytes: [UInt8], at base: Int, path: String) throws(PaveFormatError) -> [IndexEntry] {
        var r = ByteReader(bytes, base: base)
        func bad(_ tensor: String, _ field: String, _ offset: Int, _ reason: String) -> PaveFormatError {
            .invalidIndex(path: path, tensor: tensor, field: field, offset: offset, reason: reason)
        }
        let countOffset = r.offset
        guard let count64 = r.u64() else { throw bad("", "tensor_count", countOffset, "the index is shorter than 8 bytes") }
        guard count64 <= UInt64(PaveLimits.maxTensorCount) else {
            throw .limitExceeded(path: path, field: "index tensor_count", offset: countOffset, value: Int(clamping: count64), limit: PaveLimits.maxTensorCount)
        }
        let count = Int(count64)
        var entries: [IndexEntry] = []
        entries.reserveCapacity(count)
        var previous: [UInt8]?
        var total = 0
        for i in 0..<count {
            let entryOffset = r.offset
            let label = "#\(i)"
            guard let nameLength = r.u16() else { throw bad(label, "name_length", entryOffset, "the index ends inside entry \(i) of \(count)") }
            guard nameLength >= 1, Int(nameLength) <= PaveLimits.maxNameLength else {
                throw .limitExceeded(path: path, field: "tensor \(i) name_length", offset: entryOffset, value: Int(nameLength), limit: PaveLimits.maxNameLength)
            }
            let nameOffset = r.offset
            guard let nameSlice = r.take(Int(nameLength)) else { throw bad(label, "name", nameOffset, "the index ends inside the name") }
            let nameBytes = Array(nameSlice)
            guard let name = String(validating: nameBytes, as: UTF8.self) else { throw bad(label, "name", nameOffset, "the name is not valid UTF-8") }
            if let problem = PaveLimits.nameProblem(name) { throw bad(name, "name", nameOffset, "the name \(problem)") }
            if let previous {
                if previous == nameBytes { throw bad(name, "name", nameOffset, "duplicate tensor name") }
                guard previous.lexicographicallyPrecedes(nameBytes) else {
                    throw bad(name, "name", nameOffset, "names are not in strictly increasing byte order (after \"\(String(decoding: previous, as: UTF8.self))\")")
                }
            }
            previous = nameBytes
            let dtypeOffset = r.offset
            guard let code = r.u8(), let rank = r.u8() else { throw bad(name, "dtype", dtypeOffset, "the index ends inside the entry") }
            guard let dtype = DType(paveCode: code) else { throw bad(name, "dtype", dtypeOffset, "unknown dtype code \(code) (1.0 defines 1 … 20)") }
            guard Int(rank) <= PaveLimits.maxRank else {
                throw .limitExceeded(path: path, field: "tensor \"\(name)\" rank", offset: dtypeOffset + 1, value: Int(rank), limit: PaveLimits.maxRank)
            }
            var shape: [Int] = []
            for k in 0..<Int(rank) {
                let o = r.offset
                guard let d = r.u64() else { throw bad(name, "dims[\(k)]", o, "the index ends inside the shape") }
                guard d <= UInt64(PaveLimits.maxDimension) else {
                    throw .limitExceeded(path: path, field: "tensor \"\(name)\" dims[\(k)]", offset: o, value: Int(clamping: d), limit: PaveLimits.maxDimension)
                }
                shape.append(Int(d))
            }
            let lengthOffset = r.offset
            guard let declared = r.u64() else { throw bad(name, "byte_length", lengthOffset, "the index ends inside the entry") }
            guard let n = Shape.elementCount(shape), let expected = dtype.byteCount(elementCount: n) else {
                throw bad(name, "dims", lengthOffset - 8 * Int(rank), "shape \(Shape.describe(shape)) overflows or is not whole bytes of \(dtype.rawValue)")
            }
            guard declared == UInt64(expected) else {
                throw bad(name, "byte_length", lengthOffset, "is \(declared) but \(dtype.rawValue) \(Shape.describe(shape)) takes \(expected) bytes")
            }
            let (sum, o) = total.addingReportingOverflow(expected)
            guard !o, sum <= PaveLimits.maxTotalRawBytes else {
                throw .limitExceeded(path: path, field: "total raw size (at tensor \"\(name)\")", offset: lengthOffset, value: o ? Int.max : sum, limit: PaveLimits.maxTotalRawBytes)
            }
            total = sum
            let hashOffset = r.offset
            guard let hash = r.take(32) else { throw bad(name, "sha256", hashOffset, "the index ends inside the hash") }
            entries.append(IndexEntry(name: name, dtype: dtype, shape: shape, byteCount: expected, sha256: Array(hash), offset: entryOffset))
        }
        guard r.isAtEnd else {
            throw bad("", "index_length", r.offset, "\(r.remaining) bytes follow the last of the \(count) entries")
        }
        return entries
    }

    /// Parses the layout table (``PaveLayoutTable``), then checks it against the index, one named check per rule
    /// of spec §6 (``PaveLayoutTable/validate(index:dataOffset:dataLength:path:)``).
    static func decodeLayout(_ bytes: [UInt8], at base: Int, index: [IndexEntry], dataOffset: Int, dataLength: Int,
                             path: String) throws(PaveFormatError) -> [PaveTensorEntry] {
        try PaveLayoutTable(bytes, at: base, indexCount: index.count, path: path)
            .validate(index: index, dataOffset: dataOffset, dataLength: dataLength, path: path)
    }
}
