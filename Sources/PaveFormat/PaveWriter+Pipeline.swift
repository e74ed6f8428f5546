import Foundation

// Small thread-safe holders the writer's encode pipeline passes between the writing thread and the workers.

/// Chunk-sized byte buffers reused across chunks: fresh large arrays cost a page fault per 4 KiB and a memset.
final class BufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[UInt8]] = []
    private let size: Int
    private let keep: Int

    init(size: Int, keep: Int) {
        self.size = size
        self.keep = keep
    }

    /// A buffer of `size` bytes (contents unspecified).
    func take() -> [UInt8] {
        lock.lock()
        let b = free.popLast()
        lock.unlock()
        return b ?? [UInt8](repeating: 0, count: size)
    }

    func give(_ b: [UInt8]) {
        lock.lock()
        if free.count < keep { free.append(b) }
        lock.unlock()
    }
}

/// One batch being encoded in the background: its results, the group to wait on and the first error.
final class BatchRun<T>: @unchecked Sendable {
    let group = DispatchGroup()
    let results: ResultSlots<T>
    private let lock = NSLock()
    private var failure: Error?

    init(count: Int) { results = ResultSlots(count: count) }

    func fail(_ e: Error) {
        lock.lock()
        if failure == nil { failure = e }
        lock.unlock()
    }

    /// Read after `group.wait()`.
    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }
}

/// Fixed slots filled by parallel workers (each slot written by exactly one job, read after all finished).
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    init(count: Int) { slots = [T?](repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }

    /// Takes the value out (the slot must have been set).
    func take(_ i: Int) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let v = slots[i] else { preconditionFailure("result slot \(i) was not filled") }
        slots[i] = nil
        return v
    }
}
