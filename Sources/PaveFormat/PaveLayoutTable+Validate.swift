extension PaveLayoutTable {
    /// Checks every rule of spec §6 against the index, in file order, and returns the tensors with their
    /// chunks. One named check per rule; each throws ``PaveFormatError/invalidLayout(path:tensor:chunk:field:offset:reason:)``
    /// (or `format.limit` for a stored length over §10) naming the tensor, chunk, field and byte offset:
    ///
    /// - per tensor: ``checkChunkSize``, ``checkRegionStart``, ``checkFirstChunk``, ``checkRegionFits``;
    /// - per chunk: ``checkReserved``, ``checkRawLength``, ``checkChunkOffset``, ``checkStoredLength``,
    ///   ``checkWidth``, ``checkChunkInsideRegion``;
    /// - per tensor again: ``checkRegionEnd``;
    /// - the table: every chunk record used, regions end at the data section's end.
    func validate(index: [PaveIndexCodec.IndexEntry], dataOffset: Int, dataLength: Int, path: String) throws(PaveFormatError) -> [PaveTensorEntry] {
        let v = Validator(path: path, dataEnd: dataOffset + dataLength, chunkCount: Int(chunkCount))  // dataEnd checked against the file size by the caller
        var result: [PaveTensorEntry] = []
        result.reserveCapacity(index.count)
        var regionStart = dataOffset
        var firstChunk = 0
        for (e, t) in zip(index, tensors) {
            let chunkSize = try v.checkChunkSize(t, e)
            try v.checkRegionStart(t, e, expected: regionStart)
            let n = (e.byteCount + chunkSize - 1) / chunkSize
            try v.checkFirstChunk(t, e, expected: firstChunk, needs: n)
            let regionLength = try v.checkRegionFits(t, e, start: regionStart)
            var chunks: [PaveChunk] = []
            chunks.reserveCapacity(n)
            var cursor = 0
            for j in 0..<n {
                guard let c = chunk(firstChunk + j) else {
                    throw .invalidLayout(path: path, tensor: e.name, chunk: j, field: "chunk record", offset: chunkBase + 32 * (firstChunk + j),
                                         reason: "the layout ends inside the record")
                }
                try v.checkReserved(c, e, j)
                let rawLength = try v.checkRawLength(c, e, j, chunkSize: chunkSize, chunks: n)
                let offset = try v.checkChunkOffset(c, e, j, after: cursor)
                let storedLength = try v.checkStoredLength(c, e, j, rawLength: rawLength)
                try v.checkWidth(c, e, j, rawLength: rawLength)
                try v.checkChunkInsideRegion(c, e, j, at: offset, stored: storedLength, regionLength: regionLength)
                chunks.append(PaveChunk(offset: regionStart + offset, storedLength: storedLength, rawOffset: j * chunkSize, rawLength: rawLength,
                                        encodingCode: c.encoding, width: Int(c.width), recordOffset: c.fileOffset))
                cursor = offset + storedLength
            }
            try v.checkRegionEnd(t, e, chunksEnd: cursor, regionLength: regionLength)
            result.append(PaveTensorEntry(name: e.name, dtype: e.dtype, shape: e.shape, byteCount: e.byteCount, sha256: e.sha256,
                                          regionOffset: regionStart, regionLength: regionLength, chunkSize: chunkSize, chunks: chunks,
                                          indexOffset: e.offset))
            regionStart = PaveLimits.align(regionStart + regionLength) ?? Int.max
            firstChunk += n
        }
        guard firstChunk == Int(chunkCount) else {
            throw .invalidLayout(path: path, tensor: index.last?.name ?? "", chunk: nil, field: "chunk_count", offset: base + 8,
                                 reason: "the table has \(chunkCount) chunk records but the tensors use \(firstChunk)")
        }
        guard regionStart == v.dataEnd else {
            throw .invalidHeader(path: path, field: PaveHeader.Field.dataLength.name, offset: PaveHeader.Field.dataLength.rawValue,
                                 reason: "is \(dataLength) but the tensor regions end at \(regionStart) (data section \(dataOffset) ..< \(v.dataEnd))")
        }
        return result
    }

    /// The rules of spec §6, one function each.
    struct Validator {
        let path: String
        let dataEnd: Int
        let chunkCount: Int

        private func bad(_ e: PaveIndexCodec.IndexEntry, _ chunk: Int?, _ field: String, _ offset: Int, _ reason: String) -> PaveFormatError {
            .invalidLayout(path: path, tensor: e.name, chunk: chunk, field: field, offset: offset, reason: reason)
        }

        /// `chunk_size` is a multiple of 64 in 4 KiB … 64 MiB.
        func checkChunkSize(_ t: TensorRecord, _ e: PaveIndexCodec.IndexEntry) throws(PaveFormatError) -> Int {
            let cs = t.chunkSize
            guard cs >= UInt64(PaveLimits.minChunkSize), cs <= UInt64(PaveLimits.maxChunkSize), cs % UInt64(PaveLimits.alignment) == 0 else {
                throw bad(e, nil, "chunk_size", t.offset + 16, "is \(cs); must be a multiple of 64 between \(PaveLimits.minChunkSize) and \(PaveLimits.maxChunkSize)")
            }
            return Int(cs)
        }

        /// Region 0 starts at `data_offset`, region i + 1 at `align64` of the end of region i.
        func checkRegionStart(_ t: TensorRecord, _ e: PaveIndexCodec.IndexEntry, expected: Int) throws(PaveFormatError) {
            guard t.regionOffset == UInt64(expected) else {
                throw bad(e, nil, "region_offset", t.offset, "is \(t.regionOffset); the region must start at \(expected) (64-aligned, right after the previous region)")
            }
        }

        /// `first_chunk` continues where the previous tensor's chunks ended, and the table has the tensor's `n` records.
        func checkFirstChunk(_ t: TensorRecord, _ e: PaveIndexCodec.IndexEntry, expected: Int, needs n: Int) throws(PaveFormatError) {
            guard t.firstChunk == UInt64(expected) else { throw bad(e, nil, "first_chunk", t.offset + 24, "is \(t.firstChunk), expected \(expected)") }
            guard expected <= chunkCount - n else {
                throw bad(e, nil, "first_chunk", t.offset + 24, "the tensor needs \(n) chunk records from \(expected) but the table has \(chunkCount)")
            }
        }

        /// The region lies inside the data section.
        func checkRegionFits(_ t: TensorRecord, _ e: PaveIndexCodec.IndexEntry, start: Int) throws(PaveFormatError) -> Int {
            guard t.regionLength <= UInt64(dataEnd - start) else {
                throw bad(e, nil, "region_length", t.offset + 8, "\(t.regionLength) bytes from \(start) run past the data section end \(dataEnd)")
            }
            return Int(t.regionLength)
        }

        /// The 6 reserved bytes are zero.
        func checkReserved(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int) throws(PaveFormatError) {
            guard c.reservedIsZero else { throw bad(e, j, "reserved", c.fileOffset + 26, "reserved bytes must be zero") }
        }

        /// Chunk j holds raw bytes `j × chunk_size ..< min(byte_length, (j + 1) × chunk_size)`.
        func checkRawLength(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int, chunkSize: Int, chunks n: Int) throws(PaveFormatError) -> Int {
            let rawLength = min(chunkSize, e.byteCount - j * chunkSize)
            guard c.rawLength == UInt64(rawLength) else {
                throw bad(e, j, "raw_length", c.fileOffset + 16, "is \(c.rawLength), expected \(rawLength) (chunk \(j) of \(n), chunk size \(chunkSize))")
            }
            return rawLength
        }

        /// Chunk 0 is at region offset 0, chunk j + 1 at `align64` of the end of chunk j.
        func checkChunkOffset(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int, after cursor: Int) throws(PaveFormatError) -> Int {
            let aligned = j == 0 ? 0 : (PaveLimits.align(cursor) ?? Int.max)
            guard c.offset == UInt64(aligned) else {
                throw bad(e, j, "offset", c.fileOffset, "is \(c.offset), expected \(aligned) (64-aligned, right after the previous chunk)")
            }
            return aligned
        }

        /// A raw chunk stores exactly its raw bytes; a zstd chunk stores less than `raw_length + 4096` (§10).
        func checkStoredLength(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int, rawLength: Int) throws(PaveFormatError) -> Int {
            let isRaw = c.encoding == ChunkEncoding.raw.rawValue
            let maxStored = isRaw ? rawLength : rawLength + PaveLimits.maxFrameOverhead
            guard c.storedLength <= UInt64(maxStored) else {
                throw .limitExceeded(path: path, field: "tensor \"\(e.name)\" chunk \(j) stored_length", offset: c.fileOffset + 8,
                                     value: Int(clamping: c.storedLength), limit: maxStored)
            }
            let stored = Int(c.storedLength)
            if isRaw, stored != rawLength {
                throw bad(e, j, "stored_length", c.fileOffset + 8, "a raw chunk must store exactly its \(rawLength) raw bytes, not \(stored)")
            }
            return stored
        }

        /// `width` is 2, 4 or 8 and divides `raw_length` for the grouping encodings, 0 for the others (§7).
        func checkWidth(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int, rawLength: Int) throws(PaveFormatError) {
            guard let known = ChunkEncoding(rawValue: c.encoding) else { return }  // a newer minor's encoding: refused when read
            let grouped = known == .groupedZstd || known == .rotatedGroupedZstd
            let w = c.width
            let widthOK = grouped ? ((w == 2 || w == 4 || w == 8) && rawLength % Int(w) == 0) : w == 0
            guard widthOK else { throw bad(e, j, "width", c.fileOffset + 25, "width \(w) does not fit encoding \(known.label) and raw length \(rawLength)") }
        }

        /// The chunk's stored bytes end inside the region.
        func checkChunkInsideRegion(_ c: ChunkRecord, _ e: PaveIndexCodec.IndexEntry, _ j: Int, at offset: Int, stored: Int,
                                    regionLength: Int) throws(PaveFormatError) {
            guard stored <= regionLength - offset else {
                throw bad(e, j, "stored_length", c.fileOffset + 8, "the chunk (\(stored) bytes at region offset \(offset)) runs past the region's \(regionLength) bytes")
            }
        }

        /// The region ends exactly where its last chunk ends.
        func checkRegionEnd(_ t: TensorRecord, _ e: PaveIndexCodec.IndexEntry, chunksEnd: Int, regionLength: Int) throws(PaveFormatError) {
            guard chunksEnd == regionLength else {
                throw bad(e, nil, "region_length", t.offset + 8, "is \(regionLength) but the tensor's chunks end at \(chunksEnd)")
            }
        }
    }
}
