#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for large, freshly allocated buffers (`madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned
/// interior of the range, before anything is written): a few faults instead of one per 4 KiB page when a
/// tensor is decoded into new memory or the executor fills its workspaces. Purely a hint: failure changes nothing.
public enum HugePages {
    /// Huge page size on x86_64 and arm64 Linux.
    public static let pageSize = 2 << 20
    /// Buffers smaller than this are left alone.
    public static let threshold = 4 << 20

    /// Advises the kernel to back `buffer` with huge pages. The corresponding C function is `madvise`.
    public static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let start = Int(bitPattern: base), end = start + buffer.count
        let alignedStart = (start + pageSize - 1) & ~(pageSize - 1), alignedEnd = end & ~(pageSize - 1)
        guard alignedEnd > alignedStart, let p = UnsafeMutableRawPointer(bitPattern: alignedStart) else { return }
        _ = madvise(p, alignedEnd - alignedStart, MADV_HUGEPAGE)
        #endif
    }
}
