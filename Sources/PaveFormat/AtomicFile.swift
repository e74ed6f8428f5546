import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either nothing or the whole file: the data goes to a temporary file
/// in the same directory, is fsync'ed, renamed over the destination, and the directory is fsync'ed.
/// On any error the temporary file is removed and the destination is untouched.
public final class AtomicFileWriter {
    /// Final destination.
    public let destination: URL
    /// Temporary path being written.
    public let temporaryURL: URL
    private let fd: Int32
    private var finished = false

    /// Opens a temporary file beside `destination`.
    public init(destination: URL) throws(AtomicFileError) {
        self.destination = destination
        let dir = destination.deletingLastPathComponent()
        let name = ".\(destination.lastPathComponent).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        temporaryURL = dir.appendingPathComponent(name)
        let fd = open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotCreate(path: destination.path, reason: String(cString: strerror(errno))) }
        self.fd = fd
    }

    deinit {
        if !finished {
            close(fd)
            unlink(temporaryURL.path)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(AtomicFileError) {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: destination.path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws(AtomicFileError) {
        do { try bytes.withUnsafeBytes { try self.write($0) } } catch let e as AtomicFileError { throw e } catch {
            throw .writeFailed(path: destination.path, reason: "\(error)")
        }
    }

    /// Overwrites bytes at `offset` of what has been written so far (`pwrite`; the append position is unchanged).
    /// Used to fill in a header or index once the data after it is known.
    public func write(_ bytes: [UInt8], at offset: Int) throws(AtomicFileError) {
        var failure: AtomicFileError?
        bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count, let base = buf.baseAddress {
                let n = pwrite(fd, base + done, buf.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .writeFailed(path: destination.path, reason: String(cString: strerror(errno)))
                    return
                }
                done += n
            }
        }
        if let failure { throw failure }
    }

    /// Appends bytes.
    public func write(_ data: Data) throws(AtomicFileError) { try write([UInt8](data)) }

    /// fsyncs, renames into place and fsyncs the directory.
    public func commit() throws(AtomicFileError) {
        guard !finished else { return }
        finished = true
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd); unlink(temporaryURL.path)
            throw .writeFailed(path: destination.path, reason: "fsync: \(reason)")
        }
        close(fd)
        if rename(temporaryURL.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryURL.path)
            throw .writeFailed(path: destination.path, reason: "rename: \(reason)")
        }
        let dfd = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// Abandons the write: the temporary file is removed, the destination untouched.
    public func abort() {
        guard !finished else { return }
        finished = true
        close(fd)
        unlink(temporaryURL.path)
    }

    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws(AtomicFileError) {
        let w = try AtomicFileWriter(destination: url)
        try w.write(data)
        try w.commit()
    }
}

/// Why an atomic write failed.
public enum AtomicFileError: Error, CustomStringConvertible, Sendable, Equatable {
    case cannotCreate(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotCreate(path, reason): return "cannot create \(path): \(reason)"
        case let .writeFailed(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
