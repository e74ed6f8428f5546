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

    /// Parses and checks the layout table against the index: chunk counts and raw lengths, contiguous
    /// 64-aligned regions and chunks inside the data section, stored lengths within limits.
    static func decodeLayout(_ bytes: [UInt8], at base: Int, index: [IndexEntry], dataOffset: Int, dataLength: Int,
                             path: String) throws(PaveFormatError) -> [PaveTensorEntry] {
        var r = ByteReader(bytes, base: base)
        func bad(_ tensor: String, _ chunk: Int?, _ field: String, _ offset: Int, _ reason: String) -> PaveFormatError {
            .invalidLayout(path: path, tensor: tensor, chunk: chunk, field: field, offset: offset, reason: reason)
        }
        guard let tc = r.u64(), let cc = r.u64() else { throw bad("", nil, "tensor_count", base, "the layout table is shorter than 16 bytes") }
        guard tc == UInt64(index.count) else {
            throw bad("", nil, "tensor_count", base, "is \(tc) but the index has \(index.count) tensors")
        }
        guard cc <= UInt64(PaveLimits.maxChunkCount) else {
            throw .limitExceeded(path: path, field: "layout chunk_count", offset: base + 8, value: Int(clamping: cc), limit: PaveLimits.maxChunkCount)
        }
        let chunkCount = Int(cc)
        let expectedLength = 16 + 32 * (index.count + chunkCount)
        guard bytes.count == expectedLength else {
            throw bad("", nil, "layout_length", base, "is \(bytes.count) but \(index.count) tensor and \(chunkCount) chunk records take \(expectedLength)")
        }
        let dataEnd = dataOffset + dataLength  // checked against the file size by the caller
        let chunkBase = base + 16 + 32 * index.count
        var result: [PaveTensorEntry] = []
        result.reserveCapacity(index.count)
        var expectedRegion = dataOffset
        var expectedFirst = 0
        for (i, e) in index.enumerated() {
            let recordOffset = r.offset
            guard let ro = r.u64(), let rl = r.u64(), let cs = r.u64(), let fc = r.u64() else {
                throw bad(e.name, nil, "tensor record", recordOffset, "the layout ends inside the record")
            }
            guard cs >= UInt64(PaveLimits.minChunkSize), cs <= UInt64(PaveLimits.maxChunkSize), cs % UInt64(PaveLimits.alignment) == 0 else {
                throw bad(e.name, nil, "chunk_size", recordOffset + 16, "is \(cs); must be a multiple of 64 between \(PaveLimits.minChunkSize) and \(PaveLimits.maxChunkSize)")
            }
            let chunkSize = Int(cs)
            guard ro == UInt64(expectedRegion) else {
                throw bad(e.name, nil, "region_offset", recordOffset, "is \(ro); the region must start at \(expectedRegion) (64-aligned, right after the previous region)")
            }
            guard fc == UInt64(expectedFirst) else {
                throw bad(e.name, nil, "first_chunk", recordOffset + 24, "is \(fc), expected \(expectedFirst)")
            }
            let n = (e.byteCount + chunkSize - 1) / chunkSize
            guard expectedFirst <= chunkCount - n else {
                throw bad(e.name, nil, "first_chunk", recordOffset + 24, "the tensor needs \(n) chunk records from \(expectedFirst) but the table has \(chunkCount)")
            }
            guard rl <= UInt64(dataEnd - expectedRegion) else {
                throw bad(e.name, nil, "region_length", recordOffset + 8, "\(rl) bytes from \(expectedRegion) run past the data section end \(dataEnd)")
            }
            let regionLength = Int(rl)
            var chunks: [PaveChunk] = []
            chunks.reserveCapacity(n)
            var cursor = 0
            for j in 0..<n {
                let co = chunkBase + 32 * (expectedFirst + j)
                let local = co - base
                guard let off = ByteReader.u64(bytes, at: local), let sl = ByteReader.u64(bytes, at: local + 8),
                    let rawl = ByteReader.u64(bytes, at: local + 16)
                else { throw bad(e.name, j, "chunk record", co, "the layout ends inside the record") }
                let enc = bytes[local + 24]
                let width = bytes[local + 25]
                guard bytes[(local + 26)..<(local + 32)].allSatisfy({ $0 == 0 }) else {
                    throw bad(e.name, j, "reserved", co + 26, "reserved bytes must be zero")
                }
                let rawOffset = j * chunkSize
                let rawLength = min(chunkSize, e.byteCount - rawOffset)
                guard rawl == UInt64(rawLength) else {
                    throw bad(e.name, j, "raw_length", co + 16, "is \(rawl), expected \(rawLength) (chunk \(j) of \(n), chunk size \(chunkSize))")
                }
                let aligned = j == 0 ? 0 : (PaveLimits.align(cursor) ?? Int.max)
                guard off == UInt64(aligned) else {
                    throw bad(e.name, j, "offset", co, "is \(off), expected \(aligned) (64-aligned, right after the previous chunk)")
                }
                let maxStored = enc == ChunkEncoding.raw.rawValue ? rawLength : rawLength + PaveLimits.maxFrameOverhead
                guard sl <= UInt64(maxStored) else {
                    throw .limitExceeded(path: path, field: "tensor \"\(e.name)\" chunk \(j) stored_length", offset: co + 8, value: Int(clamping: sl), limit: maxStored)
                }
                let storedLength = Int(sl)
                if enc == ChunkEncoding.raw.rawValue, storedLength != rawLength {
                    throw bad(e.name, j, "stored_length", co + 8, "a raw chunk must store exactly its \(rawLength) raw bytes, not \(storedLength)")
                }
                if let known = ChunkEncoding(rawValue: enc) {
                    let grouped = known == .groupedZstd || known == .rotatedGroupedZstd
                    let widthOK = grouped ? ((width == 2 || width == 4 || width == 8) && rawLength % Int(width) == 0) : width == 0
                    guard widthOK else {
                        throw bad(e.name, j, "width", co + 25, "width \(width) does not fit encoding \(known.label) and raw length \(rawLength)")
                    }
                }
                guard storedLength <= regionLength - aligned else {
                    throw bad(e.name, j, "stored_length", co + 8, "the chunk (\(storedLength) bytes at region offset \(aligned)) runs past the region's \(regionLength) bytes")
                }
                chunks.append(PaveChunk(offset: expectedRegion + aligned, storedLength: storedLength, rawOffset: rawOffset, rawLength: rawLength,
                                        encodingCode: enc, width: Int(width), recordOffset: co))
                cursor = aligned + storedLength
            }
            guard cursor == regionLength else {
                throw bad(e.name, nil, "region_length", recordOffset + 8, "is \(regionLength) but the tensor's chunks end at \(cursor)")
            }
            result.append(PaveTensorEntry(name: e.name, dtype: e.dtype, shape: e.shape, byteCount: e.byteCount, sha256: e.sha256,
                                          regionOffset: expectedRegion, regionLength: regionLength, chunkSize: chunkSize, chunks: chunks,
                                          indexOffset: e.offset))
            expectedRegion = PaveLimits.align(expectedRegion + regionLength) ?? Int.max
            expectedFirst += n
            _ = i
        }
        guard expectedFirst == chunkCount else {
            throw bad(index.last?.name ?? "", nil, "chunk_count", base + 8, "the table has \(chunkCount) chunk records but the tensors use \(expectedFirst)")
        }
        guard expectedRegion == dataEnd else {
            throw .invalidHeader(path: path, field: "data_length", offset: PaveHeader.Field.dataLength.rawValue,
                                 reason: "is \(dataLength) but the tensor regions end at \(expectedRegion) (data section \(dataOffset) ..< \(dataEnd))")
        }
        return result
    }
}
