import Dispatch
import Foundation
import Synchronization

/// The one parallel-for of pavepkg: indexed jobs on a bounded number of threads (the calling thread is one of
/// them), handed out dynamically in index order, so a worker that is slowed down takes fewer. Which worker runs
/// a job never changes what the job computes, so callers whose jobs write disjoint outputs get the same result
/// for any thread count.
///
/// - ``forEach(_:threads:_:)`` and ``forEach(_:threads:scratch:_:)``: non-throwing (the executor's tiles);
/// - ``run(count:contexts:_:)``: throwing, one context per worker (zstd contexts);
/// - ``ordered(count:window:contexts:produce:consume:)``: parallel jobs with an in-order consumer (read, pack).
public enum ParallelWork {
    /// Calls `body(i)` for every `i` in `0..<count` on up to `threads` threads.
    public static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        forEach(count, threads: threads, scratch: { () }) { i, _ in body(i) }
    }

    /// Like ``forEach(_:threads:_:)``, giving each worker one scratch value made by `scratch()` on that worker's
    /// thread, once per call, and used for every job it runs (`body(i, scratch)`).
    public static func forEach<Scratch>(_ count: Int, threads: Int, scratch: @Sendable () -> Scratch, _ body: @Sendable (Int, Scratch) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count))
        if workers == 1 {
            let s = scratch()
            for i in 0..<count { body(i, s) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let s = scratch()
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                body(i, s)
            }
        }
    }

    /// Runs jobs on `contexts.count` threads at most. Worker *w* uses `contexts[w]` (zstd contexts, scratch
    /// buffers) for every job it runs, so contexts are reused across jobs and never shared. After an error no new
    /// job starts, and the error of the lowest failing index is thrown (jobs start in order, so this does not
    /// depend on thread timing).
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
    /// The process-wide pool every ``PaveFile`` uses.
    static let shared = ChunkCodecPool()
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
