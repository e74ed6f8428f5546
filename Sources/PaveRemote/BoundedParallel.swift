import Foundation

/// Runs `body` for every index of `0..<count` on at most `width` threads; the first error stops the others
/// from starting new items and is rethrown.
enum BoundedParallel {
    static func forEach(_ count: Int, width: Int, _ body: @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        final class Shared: @unchecked Sendable {  // unchecked: behind `lock`
            let lock = NSLock()
            var next = 0
            var error: (any Error)?
        }
        let shared = Shared()
        DispatchQueue.concurrentPerform(iterations: max(1, min(width, count))) { _ in
            while true {
                shared.lock.lock()
                guard shared.error == nil, shared.next < count else { shared.lock.unlock(); return }
                let i = shared.next
                shared.next += 1
                shared.lock.unlock()
                do { try body(i) } catch {
                    shared.lock.lock()
                    if shared.error == nil { shared.error = error }
                    shared.lock.unlock()
                    return
                }
            }
        }
        if let error = shared.error { throw error }
    }
}
