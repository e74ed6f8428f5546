import Foundation

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

    /// Allocates `count` values; zeroed only when `zeroed` (most buffers are fully overwritten).
    init(count: Int, zeroed: Bool = false) {
        self.count = count
        base = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        if zeroed { base.initialize(repeating: 0, count: max(count, 1)) }
    }

    deinit { base.deallocate() }

    var shared: SharedPointer<Float> { SharedPointer(base) }
}

/// Deterministic data parallelism: work is cut into tiles whose boundaries depend only on the problem size,
/// never on the thread count, and each tile is computed by one thread with single-threaded BLAS. The same
/// inputs therefore give bit-identical results for any number of threads.
enum Parallel {
    /// Calls `body(i)` for every `i` in `0..<count` on up to `threads` threads (statically interleaved).
    static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count { body(i); i += workers }
        }
    }

    /// Like ``forEach(_:threads:_:)``, giving each worker one scratch buffer of `scratch` floats, allocated once
    /// per call (`body(tile, scratch)`).
    static func forEach(_ count: Int, threads: Int, scratch: Int, _ body: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(scratch, 1))
            defer { buffer.deallocate() }
            var i = w
            while i < count { body(i, buffer); i += workers }
        }
    }

    /// Runs `body` with OpenBLAS limited to one thread when this module parallelises itself
    /// (`threads > 1`), restoring the previous setting afterwards.
    static func withSingleThreadedBLAS<R>(if threads: Int, _ body: () throws -> R) rethrows -> R {
        guard threads > 1 else { return try body() }
        let previous = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(previous) }
        return try body()
    }
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
