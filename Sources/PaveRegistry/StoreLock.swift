import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The store-wide advisory lock (`flock` on `PAVE_HOME/lock`). Installs hold it shared from their first blob
/// write to their commit; `gc` and `doctor --rebuild` hold it exclusively, so they never delete a blob an
/// install in progress has written but not yet recorded. The kernel drops it when the process dies.
final class StoreLock {
    enum Mode { case shared, exclusive }
    private let fd: Int32

    init(_ layout: StoreLayout, mode: Mode) throws(RegistryError) {
        let path = layout.lockURL.path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, operation: "open lock", reason: String(cString: strerror(errno))) }
        while flock(fd, mode == .shared ? LOCK_SH : LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, operation: "flock", reason: reason)
        }
        self.fd = fd
    }

    deinit {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }
}
