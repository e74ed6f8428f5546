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

extension HugePages {
    /// The environment variable that keeps glibc's allocator defaults (for comparison): `PAVEPKG_SYSTEM_MALLOC=1`.
    public static let systemMallocVariable = "PAVEPKG_SYSTEM_MALLOC"

    /// ``preferHugePagesForHeap(reserve:)`` unless `environment` sets ``systemMallocVariable``.
    public static func setUpProcessHeap(environment: [String: String]) {
        if environment[systemMallocVariable] == nil { preferHugePagesForHeap() }
    }

    /// Makes the process's malloc heap prefer transparent huge pages, so that tensors and the executor's fp32
    /// weight copies fault in 2 MiB at a time instead of 4 KiB (the 20 MB demo patch's `verify`: ~12,000 page
    /// faults → ~2,100, and a third less system time):
    /// - allocations below 1 GiB come from the heap instead of one `mmap` each, and freed memory stays there for
    ///   reuse (`M_MMAP_THRESHOLD`, `M_TRIM_THRESHOLD`);
    /// - every thread allocates from that one heap (`M_ARENA_MAX` 1);
    /// - `reserve` bytes at its top are advised with `MADV_HUGEPAGE` before anything is written to them.
    ///
    /// Call once, early, from a program's `main`, before other threads start (the `pavepkg` CLI and
    /// `pavepkg-bench` do, through ``setUpProcessHeap(environment:)``). Nothing is touched, so the reserve costs address space, not memory. The corresponding
    /// C functions are `mallopt`, `malloc`, `madvise` and `free`. Purely a hint: failure changes nothing but speed.
    public static func preferHugePagesForHeap(reserve: Int = 512 << 20) {
        #if os(Linux)
        // glibc <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3, M_ARENA_MAX -8.
        _ = glibcMallopt(-3, Int32(1 << 30))
        _ = glibcMallopt(-1, Int32(1 << 30))
        _ = glibcMallopt(-8, 1)
        guard let p = malloc(reserve) else { return }
        advise(UnsafeMutableRawBufferPointer(start: p, count: reserve))
        free(p)
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not import).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
