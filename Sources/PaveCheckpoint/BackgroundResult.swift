import Dispatch
import Foundation

/// A value computed on another thread while the caller does other work (hashing a zip while its entries inflate);
/// ``value()`` waits for it and rethrows its error.
final class BackgroundResult<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    /// Starts `work` on a global queue.
    init(_ work: @escaping @Sendable () throws -> T) {
        group.enter()
        DispatchQueue.global().async {
            let r = Result { try work() }
            self.lock.withLock { self.result = r }
            self.group.leave()
        }
    }

    /// Waits for the work and returns its value or throws its error.
    func value() throws -> T {
        group.wait()
        guard let r = lock.withLock({ result }) else { throw CancellationError() }
        return try r.get()
    }
}
