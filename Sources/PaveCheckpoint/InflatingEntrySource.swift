import Crypto
import Foundation
import PaveFormat
import PaveTorch

/// A zip entry that inflates into memory on a thread of its own and can be read while it arrives: a read waits
/// until the bytes it asks for are there, or throws the extraction's error (damaged stream, CRC-32 mismatch,
/// wrong size). A second thread hashes the bytes as they arrive (``sha256Hex()``).
///
/// `pack` reads a zipped checkpoint's adapter this way, so compressing its tensors overlaps inflating it.
/// Memory: the entry's uncompressed size (the caller bounds it), reserved but touched only as it fills.
final class InflatingEntrySource: PaveByteSource, @unchecked Sendable {
    let size: Int
    /// For messages: `archive/entry`.
    let path: String
    private let buffer: UnsafeMutableRawBufferPointer
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var available = 0
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var digest: String?

    /// Starts inflating `entry` of `archive` (and hashing it) at once.
    init(archive: ZipArchive, entry: ZipArchive.Entry) {
        size = entry.uncompressedSize
        path = "\(archive.path)/\(entry.name)"
        buffer = .allocate(byteCount: max(1, entry.uncompressedSize), alignment: 64)
        // Not advised for huge pages: measured on the 7B adapter, zeroing fresh 2 MiB pages as the inflater
        // first touches them cost 0.5–0.7 s of system time, 4 KiB pages 0.2 s.
        // Each thread holds the source until it ends; the buffer is freed after both.
        let inflater = Thread { self.inflate(archive, entry) }
        inflater.name = "pavepkg.inflate"
        inflater.start()
        let hasher = Thread { self.hash() }
        hasher.name = "pavepkg.hash"
        hasher.start()
    }

    deinit { buffer.deallocate() }

    /// Stops inflating at the next stretch (the import was abandoned); readers then get a `CancellationError`.
    func cancel() { condition.withLock { cancelled = true } }

    /// The extraction's error, once it has failed.
    var error: (any Error)? { condition.withLock { failure } }

    /// The first real extraction failure among `sources` (a cancellation is not one): the root cause to report
    /// when a read of a streamed entry failed.
    static func rootError(of sources: [InflatingEntrySource]) -> (any Error)? {
        sources.lazy.compactMap { $0.error }.first { !($0 is CancellationError) }
    }

    /// Waits for the whole entry and returns its hex SHA-256, or throws the extraction's error.
    func sha256Hex() throws -> String {
        condition.lock()
        defer { condition.unlock() }
        while digest == nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        return digest ?? ""
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        return out
    }

    func read(into destination: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, offset <= size, destination.count <= size - offset else {
            throw RandomAccessFileError.truncated(path: path, offset: offset, wanted: destination.count, available: max(0, size - max(0, offset)))
        }
        let end = offset + destination.count
        condition.lock()
        while available < end && failure == nil { condition.wait() }
        let error = available < end ? failure : nil
        condition.unlock()
        if let error { throw error }
        // Bytes below `available` are never written again.
        if destination.count > 0 { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset..<end])) }
    }

    private func inflate(_ archive: ZipArchive, _ entry: ZipArchive.Entry) {
        do {
            try archive.inflate(entry, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])) { done in
                try condition.withLock {
                    if cancelled { throw CancellationError() }
                    available = done
                    condition.broadcast()
                }
            }
            condition.withLock {
                finished = true
                condition.broadcast()
            }
        } catch {
            condition.withLock {
                failure = error
                condition.broadcast()
            }
        }
    }

    private func hash() {
        var hasher = SHA256()
        var hashed = 0
        while true {
            condition.lock()
            while available == hashed && !finished && failure == nil { condition.wait() }
            let upTo = available, done = finished, failed = failure != nil
            condition.unlock()
            if failed { return }
            if upTo > hashed {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[hashed..<upTo]))
                hashed = upTo
            } else if done {
                let hex = ContentDigest.hex(Array(hasher.finalize()))
                condition.withLock {
                    digest = hex
                    condition.broadcast()
                }
                return
            }
        }
    }
}
