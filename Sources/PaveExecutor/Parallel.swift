import Foundation
import PaveFormat
import Synchronization

/// A pointer handed to worker threads that read shared data or write disjoint ranges of it.
/// Audited use only: every parallel region in this module writes rows no other worker touches.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A heap buffer of fp32 values shared by worker threads (each writes its own rows).
final class SharedFloats: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    /// Allocates `count` values; zeroed only when `zeroed` (most buffers are fully overwritten). Large buffers
    /// ask for transparent huge pages (a few faults instead of one per 4 KiB page).
    init(count: Int, zeroed: Bool = false) {
        self.count = count
        base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        HugePages.advise(UnsafeMutableRawBufferPointer(start: base, count: count &* MemoryLayout<Float>.stride))
        if zeroed { base.initialize(repeating: 0, count: max(count, 1)) }
    }

    deinit { base.deallocate() }

    var shared: SharedPointer<Float> { SharedPointer(base) }
}

/// A worker's scratch floats, freed when the worker's loop ends.
final class ScratchFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(count: Int) { base = .allocate(capacity: max(count, 1)) }
    deinit { base.deallocate() }
}

/// Deterministic data parallelism: work is cut into tiles whose boundaries depend only on the problem size,
/// never on the thread count, and each tile is computed by one thread with single-threaded BLAS. The same
/// inputs therefore give bit-identical results for any number of threads.
enum Parallel {
    /// Calls `body(i)` for every tile on up to `threads` threads (``ParallelWork/forEach(_:threads:_:)``).
    static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        ParallelWork.forEach(count, threads: threads, body)
    }

    /// Like ``forEach(_:threads:_:)``, giving each worker one scratch buffer of `scratch` floats, allocated once
    /// per call (`body(tile, scratch)`).
    static func forEach(_ count: Int, threads: Int, scratch: Int, _ body: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) {
        ParallelWork.forEach(count, threads: threads, scratch: { ScratchFloats(count: scratch) }) { i, s in body(i, s.base) }
    }

    /// Runs `body` with OpenBLAS limited to one thread. Every product of the executor runs this way: a
    /// multi-threaded OpenBLAS call can round differently from a single-threaded one, and parallelism comes from
    /// the fixed tiles instead, so the result does not depend on any thread count. The setting is process-wide, so
    /// it is reference-counted: OpenBLAS stays single-threaded while any executor call is running, and the previous
    /// setting comes back when the last one ends.
    static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        blasGuard.withLock { state in
            if state.active == 0 {
                state.previous = BLAS.threadCount
                if state.previous != 1 { BLAS.setThreadCount(1) }
            }
            state.active += 1
        }
        defer {
            blasGuard.withLock { state in
                state.active -= 1
                if state.active == 0, state.previous != 1 { BLAS.setThreadCount(state.previous) }
            }
        }
        return try body()
    }

    private static let blasGuard = Mutex((active: 0, previous: 1))
}

extension Array where Element == Float {
    /// Calls `body` with a pointer to the storage (a valid one-element dummy for an empty array, so callers
    /// never unwrap `baseAddress`).
    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { b in
            if let p = b.baseAddress { return try body(p) }
            var dummy: Float = 0
            return try withUnsafePointer(to: &dummy) { try body($0) }
        }
    }

    /// Like ``withPointer(_:)``, wrapped for worker threads that only read.
    @inline(__always)
    func withShared<R>(_ body: (SharedPointer<Float>) throws -> R) rethrows -> R {
        try withPointer { try body(SharedPointer(UnsafeMutablePointer(mutating: $0))) }
    }
}
