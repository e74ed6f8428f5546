import Foundation

/// Where a ``PaveFile`` reads its bytes from: a local file by default, or anything offering positioned reads
/// (memory, a registry blob, a remote range reader).
public protocol PaveByteSource: Sendable {
    /// Total size in bytes.
    var size: Int { get }
    /// Returns exactly `count` bytes starting at `offset`, or throws.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

/// A local file read with `pread` (thread-safe).
public struct FileByteSource: PaveByteSource {
    public let file: RandomAccessFile
    public var size: Int { file.size }

    public init(_ url: URL) throws(RandomAccessFileError) { file = try RandomAccessFile(url) }

    public func read(at offset: Int, count: Int) throws -> [UInt8] { try file.read(at: offset, count: count) }
}

/// Bytes held in memory (tests, in-memory round trips).
public struct MemoryByteSource: PaveByteSource {
    public let bytes: [UInt8]
    public var size: Int { bytes.count }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw RandomAccessFileError.truncated(path: "(memory)", offset: offset, wanted: count, available: max(0, bytes.count - max(0, offset)))
        }
        return Array(bytes[offset..<offset + count])
    }
}
