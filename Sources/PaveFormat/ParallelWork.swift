import Dispatch
import Foundation

/// Runs indexed jobs on `contexts.count` threads at most (the calling thread is one of them). Worker *w* uses
/// `contexts[w]` (zstd contexts, scratch buffers) for every job it runs, so contexts are reused across jobs and
/// never shared. Jobs are handed out in index order; after an error no new job starts, and the error of the
/// lowest failing index is thrown (jobs start in order, so this does not depend on thread timing).
public enum ParallelWork {
    static func run<Context>(count: Int, contexts: [Context], _ body: @escaping (Int, Context) throws -> Void) throws {
        guard count > 0 else { return }
        precondition(!contexts.isEmpty, "at least one worker context")
        let workers = min(contexts.count, count)
        if workers == 1 {
            for i in 0..<count { try body(i, contexts[0]) }
            return
        }
        let state = SharedState()
        // `body` is escaping (heap context, atomic reference counting): a non-escaping closure's context may be
        // stack-allocated and is not meant to be retained from several threads at once.
        // Safe: `run` waits for every worker, and worker w alone uses contexts[w]. (Captured directly: copying the
        // closure out of a generic @unchecked Sendable box on several threads at once crashed with Swift 6.3.)
        nonisolated(unsafe) let work = body
        nonisolated(unsafe) let perWorker = contexts
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            while let i = state.next(limit: count) {
                do { try work(i, perWorker[w]) } catch { state.fail(error, at: i); return }
            }
        }
        if let e = state.error { throw e }
    }

    /// Default worker count: the machine's active processors.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

private final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private(set) var error: Error?
    private var errorIndex = Int.max

    func next(limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, cursor < limit else { return nil }
        cursor += 1
        return cursor - 1
    }

    func fail(_ e: Error, at index: Int) {
        lock.lock()
        if index < errorIndex {
            error = e
            errorIndex = index
        }
        lock.unlock()
    }
}

/// Decode-only chunk codecs kept between reads of a ``PaveFile`` (zstd contexts are costly to create).
final class ChunkCodecPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ChunkCodec] = []

    /// `n` codecs, reused when available.
    func take(_ n: Int) throws(ZstdFailure) -> [ChunkCodec] {
        lock.lock()
        let reused = Array(free.suffix(n))
        free.removeLast(reused.count)
        lock.unlock()
        var out = reused
        while out.count < n { out.append(try ChunkCodec(level: nil)) }
        return out
    }

    func give(_ codecs: [ChunkCodec]) {
        lock.lock()
        free.append(contentsOf: codecs.prefix(max(0, 8 - free.count)))
        lock.unlock()
    }
}
