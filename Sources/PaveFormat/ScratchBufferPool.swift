import Foundation

/// Raw scratch buffers kept between reads of ``PaveFile``s (streaming slots): a fresh buffer per tensor would
/// cost a page fault per 4 KiB on every tensor of a `verify`. Thread-safe; buffers never shrink.
final class ScratchBufferPool: @unchecked Sendable {
    /// The process-wide pool every ``PaveFile`` uses.
    static let shared = ScratchBufferPool()
    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []
    /// Buffers kept at most (one per concurrent streaming read is plenty).
    private let keep = 2

    /// A buffer of at least `count` bytes (contents unspecified); hand it back with ``give(_:)``.
    func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
        lock.lock()
        let i = free.firstIndex { $0.count >= count }
        let reused = i.map { free.remove(at: $0) }
        lock.unlock()
        if let reused { return reused }
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 64)
        HugePages.advise(b)
        return b
    }

    func give(_ b: UnsafeMutableRawBufferPointer) {
        lock.lock()
        free.append(b)
        free.sort { $0.count > $1.count }
        let dropped = free.count > keep ? Array(free[keep...]) : []
        free.removeLast(dropped.count)
        lock.unlock()
        for d in dropped { d.deallocate() }
    }

    deinit { for b in free { b.deallocate() } }
}
