import Crypto
import Foundation

extension PaveFile {
    /// Reads several whole tensors, each checked against its SHA-256, in the order given.
    ///
    /// Faster than calling ``readTensor(_:)`` for each when tensors are small: the chunks of *all* of them form
    /// one pipeline (``ParallelWork/ordered(count:window:contexts:produce:consume:)``), so the next tensor's chunks
    /// decode while this one's are hashed — with one-chunk tensors, reading them one at a time leaves a core idle
    /// during every hash. Every tensor's hash is checked before any data is returned.
    /// - Throws: as ``readTensor(_:)``, for the first tensor (in the order given; empty tensors of a group of 32
    ///   are checked first) that fails; also when the tensors together exceed ``maxInMemoryBytes``.
    public func readTensors(_ entries: [PaveTensorEntry]) throws -> [TensorData] {
        var total = 0
        for e in entries {
            let (sum, o) = total.addingReportingOverflow(e.byteCount)
            guard !o, sum <= Self.maxInMemoryBytes else {
                throw PaveFormatError.limitExceeded(path: path, field: "tensors read into memory at once (at \"\(e.name)\")", offset: e.indexOffset,
                                                    value: o ? Int.max : sum, limit: Self.maxInMemoryBytes)
            }
            total = sum
        }
        // Groups of at most 32 tensors: each group's arrays are created nested (written in place, never copied), and
        // each group is one pipeline.
        var out: [TensorData] = []
        out.reserveCapacity(entries.count)
        var start = 0
        while start < entries.count {
            let group = Array(entries[start..<min(entries.count, start + 32)])
            var buffers: [UnsafeMutableRawBufferPointer] = []
            var arrays: [[UInt8]] = []
            func nest(_ i: Int) throws {
                if i == group.count {
                    try readInto(group, buffers)
                    return
                }
                let n = group[i].byteCount
                arrays.append(try [UInt8](unsafeUninitializedCapacity: n) { buf, initialized in
                    let raw = UnsafeMutableRawBufferPointer(buf)
                    HugePages.advise(raw)
                    buffers.append(raw)
                    try nest(i + 1)
                    initialized = n  // every byte written: the chunks tile the tensor (layout check)
                })
            }
            try nest(0)
            for (e, bytes) in zip(group, arrays.reversed()) { out.append(try TensorData(dtype: e.dtype, shape: e.shape, bytes: bytes)) }
            start += group.count
        }
        return out
    }

    /// Decodes the chunks of `entries` into `buffers` (one per tensor, exactly its size) as one pipeline and checks
    /// every tensor's SHA-256.
    private func readInto(_ entries: [PaveTensorEntry], _ buffers: [UnsafeMutableRawBufferPointer]) throws {
        var jobs: [(tensor: Int, chunk: Int)] = []
        for (t, e) in entries.enumerated() { for j in e.chunks.indices { jobs.append((t, j)) } }
        for e in entries where e.chunks.isEmpty { try checkHash(e, Array(SHA256.hash(data: [UInt8]()))) }
        var hasher = SHA256()
        if !jobs.isEmpty {
            let codecs: [ChunkCodec]
            do { codecs = try self.codecs.take(min(threads, jobs.count)) } catch { throw PaveFormatError.io(path: path, reason: error.reason) }
            defer { self.codecs.give(codecs) }
            func slot(_ k: Int) -> UnsafeMutableRawBufferPointer {
                let (t, j) = jobs[k]
                let c = entries[t].chunks[j]
                return UnsafeMutableRawBufferPointer(rebasing: buffers[t][c.rawOffset..<(c.rawOffset + c.rawLength)])
            }
            try ParallelWork.ordered(count: jobs.count, window: max(4, 4 * threads), contexts: codecs, produce: { [self] k, codec in
                try decodeChunk(entries[jobs[k].tensor], jobs[k].chunk, with: codec, into: slot(k))
            }, consume: { [self] k in
                let (t, j) = jobs[k]
                if j == 0 { hasher = SHA256() }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(slot(k)))
                if j == entries[t].chunks.count - 1 { try checkHash(entries[t], Array(hasher.finalize())) }  // stops at the first damaged tensor
            })
        }
    }
}
