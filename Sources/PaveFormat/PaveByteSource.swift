import Foundation

/// Where a ``PaveFile`` reads its bytes from: a local file by default, or anything offering positioned reads
/// (memory, a registry blob, a remote range reader).
public protocol PaveByteSource: Sendable {
    /// Total size in bytes.
    var size: Int { get }
    /// Returns exactly `count` bytes starting at `offset`, or throws.
    func read(at offset: Int, count: Int) throws -> [UInt8]
    /// Fills `buffer` with the bytes starting at `offset`, or throws. Implement it to save a copy; the default
    /// calls ``read(at:count:)``.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws
}

extension PaveByteSource {
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        let bytes = try read(at: offset, count: buffer.count)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
    }
}

/// A local file read with `pread` (thread-safe).
public struct FileByteSource: PaveByteSource {
    /// The open file.
    public let file: RandomAccessFile
    public var size: Int { file.size }

    /// Opens `url` for positioned reads.

    public init(_ url: URL) throws(RandomAccessFileError) { file = try RandomAccessFile(url) }

    public func read(at offset: Int, count: Int) throws -> [UInt8] { try file.read(at: offset, count: count) }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, offset <= file.size, buffer.count <= file.size - offset else {
            throw RandomAccessFileError.truncated(path: file.path, offset: offset, wanted: buffer.count, available: max(0, file.size - max(0, offset)))
        }
        try file.read(into: buffer, at: offset)
    }
}

/// Bytes held in memory (tests, in-memory round trips).
public struct MemoryByteSource: PaveByteSource {
    /// The whole file's bytes.
    public let bytes: [UInt8]
    public var size: Int { bytes.count }

    /// Wraps `bytes`.

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw RandomAccessFileError.truncated(path: "(memory)", offset: offset, wanted: count, available: max(0, bytes.count - max(0, offset)))
        }
        return Array(bytes[offset..<offset + count])
    }
}
