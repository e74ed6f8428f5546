import Crypto
import Foundation

/// Writes `.pave` files (spec `spec/pave-format-v1.md`).
///
/// Streaming: tensors are read chunk by chunk from their ``TensorSource``s, a bounded batch of chunks is
/// encoded in parallel, then hashed and appended in order; the index and header are filled in at the end.
/// Memory stays at a few chunks per thread whatever the patch size. Tensors are sorted by the UTF-8 bytes of
/// their names and every chunk is encoded independently, so the same inputs and options give byte-identical
/// files for any thread count. The file appears atomically (temporary file, fsync, rename) or not at all.
public enum PaveWriter {
    /// Writes `tensors` and `manifest` to `url`.
    ///
    /// `format_version` is set to `"1.0"`; every other manifest field is written as given (canonical JSON).
    /// - Throws: ``PaveFormatError`` for invalid names, shapes, options or limits, and for failing sources;
    ///   ``AtomicFileError`` when the file cannot be written. Nothing is left at `url` on error.
    @discardableResult
    public static func write(manifest: Manifest, tensors: [any TensorSource], to url: URL, options: PackOptions = PackOptions()) throws -> PackSummary {
        try options.validate()
        let plan = try prepare(tensors, chunkSize: options.chunkSize)
        var manifest = manifest
        manifest.formatVersion = "\(PaveLimits.major).\(PaveLimits.minor)"
        let manifestBytes = [UInt8](manifest.canonicalData())
        guard manifestBytes.count <= PaveLimits.maxManifestLength else {
            throw PaveFormatError.limitExceeded(path: url.path, field: "manifest_length", offset: PaveHeader.Field.manifestLength.rawValue,
                                                value: manifestBytes.count, limit: PaveLimits.maxManifestLength)
        }
        let out = try AtomicFileWriter(destination: url)
        do {
            let summary = try write(plan, manifestBytes: manifestBytes, to: out, options: options)
            try out.commit()
            return summary
        } catch {
            out.abort()
            throw error
        }
    }

    /// A tensor accepted for writing.
    struct Item {
        let source: any TensorSource
        let nameBytes: [UInt8]
        let byteCount: Int
        let chunkCount: Int
    }

    /// Checks names, shapes and limits; sorts by name bytes.
    static func prepare(_ tensors: [any TensorSource], chunkSize: Int) throws(PaveFormatError) -> [Item] {
        guard tensors.count <= PaveLimits.maxTensorCount else {
            throw .invalidInput(tensor: tensors[PaveLimits.maxTensorCount].name, reason: "more than \(PaveLimits.maxTensorCount) tensors")
        }
        var items: [Item] = []
        items.reserveCapacity(tensors.count)
        var total = 0
        for t in tensors {
            if let problem = PaveLimits.nameProblem(t.name) { throw .invalidName(name: t.name, reason: problem) }
            guard t.shape.count <= PaveLimits.maxRank else {
                throw .invalidInput(tensor: t.name, reason: "rank \(t.shape.count) is over the limit of \(PaveLimits.maxRank)")
            }
            guard t.shape.allSatisfy({ $0 >= 0 && $0 <= PaveLimits.maxDimension }), let n = Shape.elementCount(t.shape),
                let bytes = t.dtype.byteCount(elementCount: n)
            else {
                throw .invalidInput(tensor: t.name, reason: "shape \(Shape.describe(t.shape)) is not valid for \(t.dtype.rawValue) (negative, overflowing or not whole bytes)")
            }
            let (sum, o) = total.addingReportingOverflow(bytes)
            guard !o, sum <= PaveLimits.maxTotalRawBytes else {
                throw .invalidInput(tensor: t.name, reason: "the patch's raw size would exceed the limit of \(PaveLimits.maxTotalRawBytes) bytes")
            }
            total = sum
            items.append(Item(source: t, nameBytes: Array(t.name.utf8), byteCount: bytes, chunkCount: (bytes + chunkSize - 1) / chunkSize))
        }
        items.sort { $0.nameBytes.lexicographicallyPrecedes($1.nameBytes) }
        for i in items.indices.dropFirst() where items[i].nameBytes == items[i - 1].nameBytes {
            throw .invalidName(name: items[i].source.name, reason: "appears twice (tensor names must be unique)")
        }
        return items
    }

    /// One encoded chunk waiting to be hashed and written. `raw` and `encoded` are pooled buffers of chunk size;
    /// only their first `rawCount` / `storedCount` bytes are meaningful.
    private struct Encoded {
        var raw: [UInt8]
        var rawCount: Int
        var encoding: ChunkEncoding
        var width: Int
        var encoded: [UInt8]
        var storedCount: Int
    }

    private static func write(_ items: [Item], manifestBytes: [UInt8], to out: AtomicFileWriter, options: PackOptions) throws -> PackSummary {
        var position = 0
        func emit(_ b: [UInt8]) throws {
            try out.write(b)
            position += b.count
        }
        func emit(_ b: [UInt8], count: Int) throws {
            try b.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            position += count
        }
        func pad() throws {
            guard let a = PaveLimits.align(position) else { throw PaveFormatError.invalidInput(tensor: "", reason: "file offset overflow") }
            if a > position { try emit([UInt8](repeating: 0, count: a - position)) }
        }
        var header = PaveHeader()
        try emit([UInt8](repeating: 0, count: PaveLimits.headerLength))
        header.manifestOffset = position
        header.manifestLength = manifestBytes.count
        try emit(manifestBytes)
        try pad()
        header.indexOffset = position
        let indexLength = PaveIndexCodec.indexLength(items.map { ($0.nameBytes.count, $0.source.shape.count) })
        guard indexLength <= PaveLimits.maxIndexLength else {
            throw PaveFormatError.limitExceeded(path: out.destination.path, field: "index_length", offset: PaveHeader.Field.indexLength.rawValue,
                                                value: indexLength, limit: PaveLimits.maxIndexLength)
        }
        header.indexLength = indexLength
        try emit([UInt8](repeating: 0, count: indexLength))
        try pad()
        header.dataOffset = position

        // Jobs: every (tensor, chunk) in file order, processed in bounded batches.
        var jobs: [(item: Int, chunk: Int)] = []
        for (i, it) in items.enumerated() { for j in 0..<it.chunkCount { jobs.append((i, j)) } }
        let totalRaw = items.reduce(0) { $0 + $1.byteCount }
        let batchSize = max(4, options.threads * 4)
        let chunkSize = options.chunkSize
        let level = Int32(options.level)

        var hashes = [[UInt8]](repeating: [], count: items.count)
        var layouts = [PaveIndexCodec.TensorLayout](repeating: .init(regionOffset: 0, regionLength: 0, chunkSize: chunkSize, firstChunk: 0), count: items.count)
        var chunkRecords: [PaveIndexCodec.ChunkRecord] = []
        chunkRecords.reserveCapacity(jobs.count)
        var hasher = SHA256()
        var byDType: [String: ByteTotals] = [:]
        var done: Int64 = 0
        var nextItem = 0  // first tensor whose region has not been opened yet

        // Opens regions of tensors up to and including `upTo` (empty tensors get their zero-length region).
        func openRegions(upTo last: Int) throws {
            while nextItem <= last {
                try pad()
                layouts[nextItem].regionOffset = position
                layouts[nextItem].firstChunk = chunkRecords.count
                if items[nextItem].chunkCount == 0 {
                    hashes[nextItem] = Array(SHA256.hash(data: [UInt8]()))
                    byDType[items[nextItem].source.dtype.rawValue, default: ByteTotals()].raw += 0
                }
                nextItem += 1
            }
        }

        var codecs: [ChunkCodec] = []
        do { for _ in 0..<max(1, min(options.threads, jobs.count)) { codecs.append(try ChunkCodec(level: level)) } } catch {
            throw PaveFormatError.io(path: out.destination.path, reason: error.reason)
        }
        // Encoding one batch (on the worker threads) overlaps hashing and writing the previous one (on this thread).
        // Output order and bytes do not depend on the timing: results are written strictly in job order.
        let path = out.destination.path
        nonisolated(unsafe) let workers = codecs
        let pool = BufferPool(size: chunkSize, keep: 2 * batchSize + 4)
        let itemsCopy = items
        func encode(_ batch: [(item: Int, chunk: Int)]) -> BatchRun<Encoded> {
            let run = BatchRun<Encoded>(count: batch.count)
            let work: @Sendable () -> Void = {
                do {
                    try ParallelWork.run(count: batch.count, contexts: workers) { k, codec in
                        let (i, j) = batch[k]
                        let it = itemsCopy[i]
                        let offset = j * chunkSize
                        let count = min(chunkSize, it.byteCount - offset)
                        var raw = pool.take()
                        var encoded = pool.take()
                        do {
                            try raw.withUnsafeMutableBytes { try it.source.read(offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count])) }
                        } catch {
                            throw PaveFormatError.sourceFailed(tensor: it.source.name, reason: "\(error)")
                        }
                        let e: (encoding: ChunkEncoding, width: Int, count: Int)
                        do {
                            e = try raw.withUnsafeBytes { r in
                                try encoded.withUnsafeMutableBytes { o in
                                    try codec.encode(UnsafeRawBufferPointer(rebasing: r[0..<count]), dtype: it.source.dtype,
                                                     into: UnsafeMutableRawBufferPointer(rebasing: o[0..<count]))
                                }
                            }
                        } catch let failure as ZstdFailure {
                            throw PaveFormatError.io(path: path, reason: "tensor \"\(it.source.name)\" chunk \(j): \(failure.reason)")
                        }
                        run.results.set(k, Encoded(raw: raw, rawCount: count, encoding: e.encoding, width: e.width, encoded: encoded, storedCount: e.count))
                    }
                } catch {
                    run.fail(error)
                }
            }
            // One thread: encode right here (no hand-off). More: encode in the background, overlapping the writes.
            if workers.count == 1 { work() } else { DispatchQueue.global().async(group: run.group, execute: work) }
            return run
        }
        let batches = stride(from: 0, to: jobs.count, by: batchSize).map { Array(jobs[$0..<min(jobs.count, $0 + batchSize)]) }
        var next = batches.first.map(encode)
        for (b, batch) in batches.enumerated() {
            guard let current = next else { break }
            current.group.wait()
            if let error = current.error { throw error }
            next = b + 1 < batches.count ? encode(batches[b + 1]) : nil
            let results = current.results
            for (k, job) in batch.enumerated() {
                let (i, j) = job
                let enc = results.take(k)
                try openRegions(upTo: i)
                if j == 0 { hasher = SHA256() }
                enc.raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<enc.rawCount])) }
                try pad()
                let offset = position
                if enc.encoding == .raw { try emit(enc.raw, count: enc.rawCount) } else { try emit(enc.encoded, count: enc.storedCount) }
                pool.give(enc.raw)
                pool.give(enc.encoded)
                chunkRecords.append(.init(offset: offset - layouts[i].regionOffset, storedLength: position - offset, rawLength: enc.rawCount,
                                          encoding: enc.encoding.rawValue, width: UInt8(enc.width)))
                layouts[i].regionLength = position - layouts[i].regionOffset
                byDType[items[i].source.dtype.rawValue, default: ByteTotals()].raw += enc.rawCount
                done += Int64(enc.rawCount)
                if j == items[i].chunkCount - 1 {
                    hashes[i] = Array(hasher.finalize())
                    byDType[items[i].source.dtype.rawValue, default: ByteTotals()].stored += layouts[i].regionLength
                }
            }
            options.progress?(done, Int64(totalRaw))
        }
        try openRegions(upTo: items.count - 1)
        try pad()
        header.layoutOffset = position
        header.dataLength = position - header.dataOffset
        let layoutBytes = PaveIndexCodec.encodeLayout(layouts, chunks: chunkRecords)
        header.layoutLength = layoutBytes.count
        try emit(layoutBytes)

        let index = PaveIndexCodec.encodeIndex(items.enumerated().map { i, it in
            (it.nameBytes, it.source.dtype, it.source.shape, it.byteCount, hashes[i])
        })
        precondition(index.count == indexLength, "index length computed in advance must match")
        try out.write(index, at: header.indexOffset)
        header.digest = PaveHeader.digest(manifest: manifestBytes, index: index)
        try out.write(header.encoded(), at: 0)

        return PackSummary(path: out.destination.path, digest: "sha256:" + Hex.string(header.digest), tensorCount: items.count,
                           rawBytes: totalRaw, storedBytes: layouts.reduce(0) { $0 + $1.regionLength }, fileBytes: position, byDType: byDType)
    }
}
