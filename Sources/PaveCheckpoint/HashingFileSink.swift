import Crypto
import Dispatch
import Foundation

/// Hashes (SHA-256) and appends to a file the chunks handed to ``write(_:)``, on a second thread, so an entry
/// inflates on one core while its bytes are hashed and written on another. At most `depth` chunks wait.
final class HashingFileSink: @unchecked Sendable {
    private let queue = DispatchQueue(label: "pavepkg.import.hash-write")
    private let slots: DispatchSemaphore
    private let handle: FileHandle
    private var hasher = SHA256()
    private var failure: (any Error)?

    /// A sink writing to `handle` (which stays open until ``finish()``).
    init(handle: FileHandle, depth: Int = 8) {
        self.handle = handle
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues `chunk`; throws the first write error seen so far.
    func write(_ chunk: [UInt8]) throws {
        slots.wait()
        if let failure = queue.sync(execute: { self.failure }) { slots.signal(); throw failure }
        queue.async {
            defer { self.slots.signal() }
            guard self.failure == nil else { return }
            self.hasher.update(data: chunk)
            do { try self.handle.write(contentsOf: chunk) } catch { self.failure = error }
        }
    }

    /// Waits for every queued chunk and returns the hex SHA-256 of all of them, or the write error.
    func finish() throws -> String {
        try queue.sync {
            if let failure { throw failure }
            return ContentDigest.hex(Array(hasher.finalize()))
        }
    }
}
