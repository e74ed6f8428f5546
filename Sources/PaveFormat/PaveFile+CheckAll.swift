import Crypto
import Foundation

extension PaveFile {
    /// Decodes every chunk of every tensor and checks every tensor's SHA-256, as one streaming pipeline across
    /// tensors (the next tensor's chunks decode while this one's are hashed; memory: a window of
    /// `2 × threads` chunk slots, reused from call to call). Every damaged tensor is reported, in index order — a tensor whose
    /// chunk does not decode is reported with the error of its lowest failing chunk — and checking goes on.
    /// - Parameter progress: called with (raw bytes checked, raw bytes in total) after each tensor.
    /// - Returns: one error per damaged tensor (empty when all are intact).
    func checkAllTensors(progress: ((Int64, Int64) -> Void)?) throws -> [any PaveError] {
        let total = Int64(entries.reduce(0) { $0 + $1.byteCount })
        var jobs: [(tensor: Int, chunk: Int)] = []
        for (t, e) in entries.enumerated() { for j in e.chunks.indices { jobs.append((t, j)) } }
        let failures = ChunkFailures()
        var damaged: [any PaveError] = []
        var done: Int64 = 0
        var hasher = SHA256()
        // Empty tensors have no chunk: they are finished before the first chunk of the next tensor is delivered.
        var nextTensor = 0
        func finishEmpty(upTo t: Int) {
            while nextTensor < t {
                if entries[nextTensor].chunks.isEmpty {
                    do { try checkHash(entries[nextTensor], Array(SHA256.hash(data: [UInt8]()))) } catch let e as PaveFormatError { damaged.append(e) } catch {}
                    progress?(done, total)
                }
                nextTensor += 1
            }
        }
        if !jobs.isEmpty {
            let window = max(2, 2 * threads)  // one chunk being hashed while each worker decodes one more
            let slotSize = entries.map { min($0.chunkSize, $0.byteCount) }.max() ?? 1
            let slots = scratch.take(window * slotSize)
            defer { scratch.give(slots) }
            let codecs: [ChunkCodec]
            do { codecs = try self.codecs.take(min(threads, jobs.count)) } catch { throw PaveFormatError.io(path: path, reason: error.reason) }
            defer { self.codecs.give(codecs) }
            func slot(_ k: Int) -> UnsafeMutableRawBufferPointer {
                let start = (k % window) * slotSize
                return UnsafeMutableRawBufferPointer(rebasing: slots[start..<(start + entries[jobs[k].tensor].chunks[jobs[k].chunk].rawLength)])
            }
            try ParallelWork.ordered(count: jobs.count, window: window, contexts: codecs, produce: { [self] k, codec in
                let (t, j) = jobs[k]
                do { try decodeChunk(entries[t], j, with: codec, into: slot(k)) } catch { failures.record(error, tensor: t, chunk: j) }
            }, consume: { [self] k in
                let (t, j) = jobs[k]
                finishEmpty(upTo: t)
                if j == 0 { hasher = SHA256() }
                if !failures.failed(t) { hasher.update(bufferPointer: UnsafeRawBufferPointer(slot(k))) }
                if j == entries[t].chunks.count - 1 {
                    if let error = failures.error(t) {
                        damaged.append(error as? any PaveError ?? PaveFormatError.io(path: path, reason: "\(error)"))
                    } else {
                        do { try checkHash(entries[t], Array(hasher.finalize())) } catch let e as PaveFormatError { damaged.append(e) }
                    }
                    done += Int64(entries[t].byteCount)
                    progress?(done, total)
                    nextTensor = t + 1
                }
            })
        }
        finishEmpty(upTo: entries.count)
        return damaged
    }
}

/// Decode failures of ``PaveFile/checkAllTensors(progress:)``, per tensor: the error of the lowest failing chunk.
private final class ChunkFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var byTensor: [Int: (chunk: Int, error: Error)] = [:]

    func record(_ error: Error, tensor: Int, chunk: Int) {
        lock.lock()
        if let old = byTensor[tensor], old.chunk < chunk {} else { byTensor[tensor] = (chunk, error) }
        lock.unlock()
    }

    func failed(_ tensor: Int) -> Bool { lock.withLock { byTensor[tensor] != nil } }
    func error(_ tensor: Int) -> Error? { lock.withLock { byTensor[tensor]?.error } }
}
