import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only file opened for positioned reads (`pread`), safe to share between threads.
public final class RandomAccessFile: @unchecked Sendable {
    /// Path as given.
    public let path: String
    /// Size in bytes at open time.
    public let size: Int
    private let fd: Int32

    /// Opens `url` for reading.
    public init(_ url: URL) throws(RandomAccessFileError) {
        path = url.path
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .cannotOpen(path: url.path, reason: reason)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .cannotOpen(path: url.path, reason: "is a directory")
        }
        self.fd = fd
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes at `offset` into `buffer`; fails if the file is shorter.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(RandomAccessFileError) {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return }
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, offset: offset + done, reason: String(cString: strerror(errno)))
            }
            if n == 0 { throw .truncated(path: path, offset: offset, wanted: buffer.count, available: done) }
            done += n
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    public func read(at offset: Int, count: Int) throws(RandomAccessFileError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw .truncated(path: path, offset: offset, wanted: count, available: max(0, size - max(0, offset)))
        }
        var out = [UInt8](repeating: 0, count: count)
        var failure: RandomAccessFileError?
        out.withUnsafeMutableBytes { buf in
            do throws(RandomAccessFileError) { try self.read(into: buf, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }
}

/// Why a positioned read failed.
public enum RandomAccessFileError: Error, CustomStringConvertible, Sendable, Equatable {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, offset: Int, reason: String)
    case truncated(path: String, offset: Int, wanted: Int, available: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .readFailed(path, offset, reason): return "cannot read \(path) at byte \(offset): \(reason)"
        case let .truncated(path, offset, wanted, available):
            return "\(path) is truncated: wanted \(wanted) bytes at byte offset \(offset), only \(available) there"
        }
    }
}
