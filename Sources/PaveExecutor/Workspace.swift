import Synchronization

/// Large scratch buffers kept between forward calls of one module, so that a repeated forward does not pay for the
/// kernel zeroing fresh pages (tens of MB per call at real size). Buffers are handed out exclusively, so
/// concurrent calls never share one; at most ``maxKept`` are kept, and they are freed with the module.
final class Workspace: Sendable {
    static let maxKept = 6
    private let free = Mutex<[SharedFloats]>([])

    /// A buffer of at least `count` floats (contents undefined).
    func take(_ count: Int) -> SharedFloats {
        let reused: SharedFloats? = free.withLock { list in
            guard let i = list.indices.filter({ list[$0].count >= count }).min(by: { list[$0].count < list[$1].count }) else { return nil }
            return list.remove(at: i)
        }
        return reused ?? SharedFloats(count: count)
    }

    /// Returns a buffer for later calls.
    func give(_ buffer: SharedFloats) {
        free.withLock { list in
            list.append(buffer)
            if list.count > Self.maxKept {
                list.sort { $0.count > $1.count }
                list.removeLast(list.count - Self.maxKept)
            }
        }
    }
}
