import Crypto
import Foundation

extension PaveWriter {
    /// What writing the tensor regions produced: the layout table's records, each tensor's SHA-256 and the
    /// byte totals of the summary.
    struct Regions {
        var layouts: [PaveIndexCodec.TensorLayout]
        var chunks: [PaveIndexCodec.ChunkRecord]
        var hashes: [[UInt8]]
        var byDType: [String: ByteTotals]
    }

    /// The metadata of one encoded chunk waiting in its slot to be hashed and written.
    struct EncodedChunk {
        var rawCount = 0
        var encoding = ChunkEncoding.raw
        var width = 0
        var storedCount = 0
    }

    /// Per-slot buffers of the encode pipeline: `window` raw and `window` encoded chunk buffers, allocated once
    /// (fresh buffers per chunk would cost a page fault per 4 KiB). Slot `k % window` holds job `k`; the ordered
    /// pipeline guarantees a slot's job is written before the slot is reused.
    final class ChunkSlots: @unchecked Sendable {
        let window: Int
        let size: Int
        private let raw: UnsafeMutableRawBufferPointer
        private let encoded: UnsafeMutableRawBufferPointer
        private let metadata: UnsafeMutablePointer<EncodedChunk>

        init(window: Int, size: Int) {
            self.window = window
            self.size = size
            raw = .allocate(byteCount: window * size, alignment: 64)
            encoded = .allocate(byteCount: window * size, alignment: 64)
            metadata = .allocate(capacity: window)
            metadata.initialize(repeating: EncodedChunk(), count: window)
        }

        deinit {
            raw.deallocate()
            encoded.deallocate()
            metadata.deallocate()
        }

        /// The encoding result of job `job` (each slot is written by its producer, then read by the consumer).
        subscript(meta job: Int) -> EncodedChunk {
            get { metadata[job % window] }
            set { metadata[job % window] = newValue }
        }

        func raw(_ job: Int, count: Int) -> UnsafeMutableRawBufferPointer {
            let start = (job % window) * size
            return UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + count)])
        }

        func encoded(_ job: Int, count: Int) -> UnsafeMutableRawBufferPointer {
            let start = (job % window) * size
            return UnsafeMutableRawBufferPointer(rebasing: encoded[start..<(start + count)])
        }
    }

    /// Step 3 of writing: every tensor's chunks, read from their sources and encoded in parallel, then hashed and
    /// appended strictly in file order as soon as each is ready (hashing and writing overlap encoding). The
    /// bytes written never depend on the thread count or on timing.
    static func writeRegions(_ items: [Item], to out: SectionWriter, options: PackOptions) throws -> Regions {
        let chunkSize = options.chunkSize
        var jobs: [(item: Int, chunk: Int)] = []
        for (i, it) in items.enumerated() { for j in 0..<it.chunkCount { jobs.append((i, j)) } }
        let totalRaw = items.reduce(0) { $0 + $1.byteCount }
        let path = out.path

        var regions = Regions(layouts: [PaveIndexCodec.TensorLayout](repeating: .init(regionOffset: 0, regionLength: 0, chunkSize: chunkSize, firstChunk: 0),
                                                                       count: items.count),
                              chunks: [], hashes: [[UInt8]](repeating: [], count: items.count), byDType: [:])
        regions.chunks.reserveCapacity(jobs.count)
        var nextItem = 0  // first tensor whose region has not been opened yet
        // Opens regions of tensors up to and including `last` (empty tensors get their zero-length region).
        func openRegions(upTo last: Int) throws {
            while nextItem <= last {
                try out.pad()
                regions.layouts[nextItem].regionOffset = out.position
                regions.layouts[nextItem].firstChunk = regions.chunks.count
                if items[nextItem].chunkCount == 0 {
                    regions.hashes[nextItem] = Array(SHA256.hash(data: [UInt8]()))
                    regions.byDType[items[nextItem].source.dtype.rawValue, default: ByteTotals()].raw += 0
                }
                nextItem += 1
            }
        }

        var codecs: [ChunkCodec] = []
        do { for _ in 0..<max(1, min(options.threads, jobs.count)) { codecs.append(try ChunkCodec(level: Int32(options.level))) } } catch {
            throw PaveFormatError.io(path: path, reason: error.reason)
        }
        let window = max(4, 4 * codecs.count)
        let slots = ChunkSlots(window: codecs.count == 1 ? 1 : window, size: min(chunkSize, max(1, items.map(\.byteCount).max() ?? 1)))
        var hasher = SHA256()
        var done: Int64 = 0

        try ParallelWork.ordered(count: jobs.count, window: slots.window, contexts: codecs, produce: { k, codec in
            let (i, j) = jobs[k]
            let it = items[i]
            let offset = j * chunkSize
            let count = min(chunkSize, it.byteCount - offset)
            let raw = slots.raw(k, count: count)
            do { try it.source.read(offset: offset, into: raw) } catch {
                throw PaveFormatError.sourceFailed(tensor: it.source.name, reason: "\(error)")
            }
            do throws(ZstdFailure) {
                let e = try codec.encode(UnsafeRawBufferPointer(raw), dtype: it.source.dtype, into: slots.encoded(k, count: count))
                slots[meta: k] = EncodedChunk(rawCount: count, encoding: e.encoding, width: e.width, storedCount: e.count)
            } catch {
                throw PaveFormatError.io(path: path, reason: "tensor \"\(it.source.name)\" chunk \(j): \(error.reason)")
            }
        }, consume: { k in
            let (i, j) = jobs[k]
            let enc = slots[meta: k]
            let raw = UnsafeRawBufferPointer(slots.raw(k, count: enc.rawCount))
            try openRegions(upTo: i)
            if j == 0 { hasher = SHA256() }
            hasher.update(bufferPointer: raw)
            try out.pad()
            let offset = out.position
            try out.emit(enc.encoding == .raw ? raw : UnsafeRawBufferPointer(slots.encoded(k, count: enc.storedCount)))
            regions.chunks.append(.init(offset: offset - regions.layouts[i].regionOffset, storedLength: out.position - offset, rawLength: enc.rawCount,
                                        encoding: enc.encoding.rawValue, width: UInt8(enc.width)))
            regions.layouts[i].regionLength = out.position - regions.layouts[i].regionOffset
            let dtype = items[i].source.dtype.rawValue
            regions.byDType[dtype, default: ByteTotals()].raw += enc.rawCount
            done += Int64(enc.rawCount)
            if j == items[i].chunkCount - 1 {
                regions.hashes[i] = Array(hasher.finalize())
                regions.byDType[dtype, default: ByteTotals()].stored += regions.layouts[i].regionLength
            }
            if k % window == window - 1 || k == jobs.count - 1 { options.progress?(done, Int64(totalRaw)) }
        })
        try openRegions(upTo: items.count - 1)
        return regions
    }
}
