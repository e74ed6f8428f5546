import Dispatch
import Foundation

extension ParallelWork {
    /// Runs `produce(i, context)` for every `i` in `0..<count` on up to `contexts.count` threads and
    /// `consume(i)` for every `i` strictly in index order, one at a time, as soon as job `i` is produced.
    ///
    /// This is the decode-and-hash (read) and encode-and-write (pack) loop: the parallel part (decoding,
    /// encoding) and the ordered part (SHA-256, writing) overlap instead of alternating, so on two cores one
    /// thread can hash while the other decodes. No thread is dedicated to either part: a thread that finds the
    /// next job in order produced and nobody consuming consumes it (and any that follow); otherwise it produces
    /// the next job. Job `i` starts only when `i < consumed + window`, so at most `window` jobs are produced and
    /// not yet consumed (callers give each of them a buffer slot `i % window`).
    ///
    /// What `consume` sees and the order it sees it in never depend on the thread count or on timing. After an
    /// error no new job starts; the error of the lowest failing job is thrown (a `consume` error at job `i`
    /// ranks as job `i`). With one context, jobs run inline: produce 0, consume 0, produce 1, …
    /// - Parameters:
    ///   - window: at most this many jobs are produced ahead of the consumer (≥ 1).
    ///   - produce: called on any worker thread with that worker's context; jobs of different indices run at once.
    ///   - consume: called on any worker thread, never concurrently with itself, in index order.
    static func ordered<Context>(count: Int, window: Int, contexts: [Context],
                                 produce: @escaping (Int, Context) throws -> Void,
                                 consume: @escaping (Int) throws -> Void) throws {
        guard count > 0 else { return }
        precondition(!contexts.isEmpty && window >= 1, "at least one worker context and a window of one")
        let workers = min(contexts.count, count)
        if workers == 1 {
            for i in 0..<count {
                try produce(i, contexts[0])
                try consume(i)
            }
            return
        }
        let state = OrderedState(count: count, window: window)
        // Safe: `ordered` waits for every worker; worker w alone uses contexts[w]; `consume` runs under the state's
        // consumer flag, so never twice at once. (Captured directly, as in ``run(count:contexts:_:)``.)
        nonisolated(unsafe) let produceJob = produce
        nonisolated(unsafe) let consumeJob = consume
        nonisolated(unsafe) let perWorker = contexts
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            while true {
                switch state.nextStep() {
                case .finish:
                    return
                case let .consume(i):
                    do { try consumeJob(i) } catch { state.fail(error, at: i) }
                    state.consumed(i)
                case let .produce(i):
                    do { try produceJob(i, perWorker[w]) } catch { state.fail(error, at: i) }
                    state.produced(i)
                }
            }
        }
        if let e = state.error { throw e }
    }
}

/// The shared cursor of ``ParallelWork/ordered(count:window:contexts:produce:consume:)``.
private final class OrderedState: @unchecked Sendable {
    enum Step {
        case produce(Int)
        case consume(Int)
        case finish
    }

    private let condition = NSCondition()
    private let count: Int
    private let window: Int
    private var nextProduce = 0
    private var nextConsume = 0
    private var ready: [Bool]
    private var consuming = false
    private var running = 0
    private(set) var error: Error?
    private var errorIndex = Int.max

    init(count: Int, window: Int) {
        self.count = count
        self.window = window
        ready = [Bool](repeating: false, count: count)
    }

    /// What this thread does next; waits while it can do neither.
    ///
    /// After an error at job `e`, no job starts; jobs below `e` (all already started, since jobs start in index
    /// order) are still finished and consumed, so the error thrown is the one a one-thread run would meet first.
    func nextStep() -> Step {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let limit = min(count, errorIndex)
            if nextConsume >= limit && running == 0 && !consuming { return .finish }
            if !consuming && nextConsume < limit && ready[nextConsume] {
                consuming = true
                return .consume(nextConsume)
            }
            if error == nil && nextProduce < count && nextProduce < nextConsume + window {
                nextProduce += 1
                running += 1
                return .produce(nextProduce - 1)
            }
            condition.wait()
        }
    }

    func produced(_ i: Int) {
        condition.lock()
        ready[i] = true
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    func consumed(_ i: Int) {
        condition.lock()
        consuming = false
        nextConsume = i + 1
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ e: Error, at index: Int) {
        condition.lock()
        if index < errorIndex {
            error = e
            errorIndex = index
        }
        condition.broadcast()
        condition.unlock()
    }
}
