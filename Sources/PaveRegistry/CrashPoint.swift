import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection for the crash-safety tests: when `PAVE_REGISTRY_CRASH_AT` names a point an install is
/// passing, the process sends itself SIGKILL there — exactly what `kill -9` does, no clean-up runs.
///
/// Points, in install order: `blob-partial` (a blob's temporary file partly written), `after-blobs` (every
/// blob and recipe written to temporary files, none durable or renamed yet), `after-recipe` (blobs and
/// recipes on disk under their final names, no index row yet), `in-transaction` (rows inserted, not
/// committed), `after-commit`; in remove:
/// `remove-after-commit`; in gc: `gc-partial` (after the first deletion).
enum CrashPoint {
    private static let armed: String? = ProcessInfo.processInfo.environment["PAVE_REGISTRY_CRASH_AT"]

    static func hit(_ point: String) {
        guard let armed, armed == point else { return }
        kill(getpid(), SIGKILL)
    }
}
