import Crypto
import Foundation

extension PaveFile {
    /// Reads a whole tensor, decoding its chunks in parallel, and checks its SHA-256.
    /// - Throws: ``PaveFormatError/missingTensor(path:tensor:)``, ``PaveFormatError/invalidChunk(path:tensor:chunk:offset:reason:)``,
    ///   ``PaveFormatError/hashMismatch(path:tensor:offset:expected:actual:)``.
    public func readTensor(_ name: String) throws -> TensorData {
        guard let e = entry(name) else { throw PaveFormatError.missingTensor(path: path, tensor: name) }
        return try readTensor(e)
    }

    /// Largest tensor ``readTensor(_:)`` reads into memory: half the machine's physical memory (a file may
    /// legitimately declare up to 1 TiB; stream bigger tensors with ``forEachChunk(of:_:)``).
    public static var maxInMemoryBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

    /// Reads the tensor of `entry` (see ``readTensor(_:)``).
    public func readTensor(_ e: PaveTensorEntry) throws -> TensorData {
        guard e.byteCount <= Self.maxInMemoryBytes else {
            throw PaveFormatError.limitExceeded(path: path, field: "tensor \"\(e.name)\" byte_length (read into memory; stream it with forEachChunk)",
                                                offset: e.indexOffset, value: e.byteCount, limit: Self.maxInMemoryBytes)
        }
        // Every byte is written by exactly one chunk (the layout check guarantees the chunks tile the tensor),
        // so the buffer need not be zero-filled first. Chunks are decoded in parallel and hashed in order as soon
        // as each is ready (on two cores one thread hashes while the other decodes), while still in cache.
        var hasher = SHA256()
        let bytes = try [UInt8](unsafeUninitializedCapacity: e.byteCount) { buf, initialized in
            let all = UnsafeMutableRawBufferPointer(buf)
            HugePages.advise(all)
            try decodeInOrder(e, window: max(4, 4 * threads), slot: { j in
                let c = e.chunks[j]
                return UnsafeMutableRawBufferPointer(rebasing: all[c.rawOffset..<(c.rawOffset + c.rawLength)])
            }, deliver: { _, part in hasher.update(bufferPointer: part) })
            initialized = e.byteCount
        }
        try checkHash(e, Array(hasher.finalize()))
        return try TensorData(dtype: e.dtype, shape: e.shape, bytes: bytes)
    }

    /// Reads `count` raw bytes of a tensor starting `offset` bytes into it, decoding only the chunks that
    /// overlap. Partial reads cannot be checked against the tensor's SHA-256 (zstd frames still carry their
    /// own checksum); use ``readTensor(_:)`` or ``forEachChunk(of:_:)`` for checked reads.
    public func readBytes(of e: PaveTensorEntry, offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= e.byteCount, count <= e.byteCount - offset else {
            throw PaveFormatError.invalidInput(tensor: e.name, reason: "read of \(count) bytes at \(offset) is outside its \(e.byteCount) bytes")
        }
        guard count > 0 else { return [] }
        guard count <= Self.maxInMemoryBytes else {
            throw PaveFormatError.limitExceeded(path: path, field: "read of tensor \"\(e.name)\" into memory", offset: e.indexOffset,
                                                value: count, limit: Self.maxInMemoryBytes)
        }
        let first = offset / e.chunkSize
        let last = (offset + count - 1) / e.chunkSize
        let rawBase = first * e.chunkSize
        let span = e.chunks[last].rawOffset + e.chunks[last].rawLength - rawBase
        var buffer = [UInt8](repeating: 0, count: span)
        try buffer.withUnsafeMutableBytes { try decode(e, chunks: first..<(last + 1), into: $0, rawBase: rawBase) }
        if offset == rawBase && count == span { return buffer }
        return Array(buffer[(offset - rawBase)..<(offset - rawBase + count)])
    }

    /// Streams a tensor's raw bytes chunk by chunk, in order, decoding a bounded window of chunks in parallel
    /// (memory: about 2 × threads chunks), then checks the SHA-256 of everything delivered.
    ///
    /// `body` gets (offset of the bytes in the tensor, the bytes). When the hash does not match, the error is
    /// thrown after the last call: a caller writing a file must discard what it wrote (as `AtomicFileWriter` does).
    public func forEachChunk(of e: PaveTensorEntry, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        var hasher = SHA256()
        let window = max(2, threads * 2)
        let slotSize = min(e.chunkSize, e.byteCount)
        if slotSize > 0 {
            let slots = scratch.take(window * slotSize)
            defer { scratch.give(slots) }
            try withoutActuallyEscaping(body) { body in
                try decodeInOrder(e, window: window, slot: { j in
                    let start = (j % window) * slotSize
                    return UnsafeMutableRawBufferPointer(rebasing: slots[start..<(start + e.chunks[j].rawLength)])
                }, deliver: { j, part in
                    hasher.update(bufferPointer: part)
                    try body(e.chunks[j].rawOffset, part)
                })
            }
        }
        try checkHash(e, Array(hasher.finalize()))
    }

    /// Throws ``PaveFormatError/hashMismatch(path:tensor:offset:expected:actual:)`` unless `actual` is `e`'s SHA-256.
    func checkHash(_ e: PaveTensorEntry, _ actual: [UInt8]) throws {
        guard actual == e.sha256 else {
            throw PaveFormatError.hashMismatch(path: path, tensor: e.name, offset: e.regionOffset, expected: e.sha256Hex, actual: Digest.prefixed(actual))
        }
    }

    /// Decodes every chunk of `e` in parallel, chunk `j` into `slot(j)`, and hands each to `deliver` strictly in
    /// chunk order as soon as it is decoded (hashing overlaps decoding; see ``ParallelWork/ordered(count:window:contexts:produce:consume:)``).
    /// At most `window` chunks are decoded ahead of `deliver`, so `slot` may reuse `window` buffers.
    func decodeInOrder(_ e: PaveTensorEntry, window: Int, slot: @escaping (Int) -> UnsafeMutableRawBufferPointer,
                       deliver: @escaping (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard !e.chunks.isEmpty else { return }
        let codecs: [ChunkCodec]
        do { codecs = try self.codecs.take(min(threads, e.chunks.count)) } catch { throw PaveFormatError.io(path: path, reason: error.reason) }
        defer { self.codecs.give(codecs) }
        try ParallelWork.ordered(count: e.chunks.count, window: window, contexts: codecs,
                                 produce: { [self] j, codec in try decodeChunk(e, j, with: codec, into: slot(j)) },
                                 consume: { j in try deliver(j, UnsafeRawBufferPointer(slot(j))) })
    }

    /// Decodes chunks `range` of `e` into `dst`, where `dst[0]` is raw byte `rawBase` of the tensor.
    func decode(_ e: PaveTensorEntry, chunks range: Range<Int>, into dst: UnsafeMutableRawBufferPointer, rawBase: Int) throws {
        guard !range.isEmpty else { return }
        let workers = min(threads, range.count)
        let codecs: [ChunkCodec]
        do { codecs = try self.codecs.take(workers) } catch { throw PaveFormatError.io(path: path, reason: error.reason) }
        defer { self.codecs.give(codecs) }
        let lower = range.lowerBound
        try ParallelWork.run(count: range.count, contexts: codecs) { [self] k, codec in
            let c = e.chunks[lower + k]
            try decodeChunk(e, lower + k, with: codec, into: UnsafeMutableRawBufferPointer(rebasing: dst[(c.rawOffset - rawBase)..<(c.rawOffset - rawBase + c.rawLength)]))
        }
    }

    /// Decodes chunk `j` of `e` into `out` (exactly its raw length), naming the tensor and chunk in every error.
    func decodeChunk(_ e: PaveTensorEntry, _ j: Int, with codec: ChunkCodec, into out: UnsafeMutableRawBufferPointer) throws {
        let c = e.chunks[j]
        guard let encoding = c.encoding else {
            throw PaveFormatError.invalidChunk(path: path, tensor: e.name, chunk: j, offset: c.recordOffset + 24,
                                               reason: "encoding code \(c.encodingCode) is not defined in format 1.0 (file is \(major).\(minor)); update pavepkg")
        }
        do throws(ChunkCodec.DecodeFailure) {
            try codec.decode(from: source, offset: c.offset, storedLength: c.storedLength, encoding: encoding, width: c.width, into: out)
        } catch {
            switch error {
            case let .read(err as PaveError) where err.category != .io:
                throw PaveFormatError.truncated(path: path, what: "tensor \"\(e.name)\" chunk \(j)", offset: c.offset, needed: c.storedLength, fileSize: source.size)
            case let .read(err):
                throw PaveFormatError.io(path: path, reason: "\(err)")
            case let .invalid(failure):
                if let over = failure.oversize {
                    throw PaveFormatError.chunkTooLarge(path: path, tensor: e.name, chunk: j, offset: c.offset, size: over.declared, rawLength: over.room)
                }
                throw PaveFormatError.invalidChunk(path: path, tensor: e.name, chunk: j, offset: c.offset, reason: failure.reason)
            }
        }
    }
}
