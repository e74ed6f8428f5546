import Foundation
import PaveFormat

/// A zip archive opened for reading, with every structure validated before any entry is used.
///
/// Understands what released checkpoints and `torch.save` produce: stored (0) and DEFLATE (8) entries,
/// data descriptors, zip64 end records and zip64 extra fields. It refuses, with a ``ZipError`` naming the
/// entry: encrypted entries, other methods, multi-disk archives, names that could escape an extraction
/// directory (`..`, absolute paths, drive letters, backslashes, control characters), duplicate names,
/// entries whose byte ranges overlap or run out of the file, and sizes, counts and compression ratios above
/// ``Limits``. The archive is read through a ``PaveByteSource``: a file (``init(url:limits:)``) or bytes in
/// memory (``init(bytes:name:limits:)``, what fuzz harnesses and nested archives use).
public final class ZipArchive: Sendable {
    /// Safety limits applied while opening and reading.
    public struct Limits: Sendable {
        /// Most entries accepted (``ZipError/limitExceeded(path:entry:what:limit:)``, "entry count").
        public var maxEntries = 100_000
        /// Largest uncompressed entry.
        public var maxEntrySize = 1 << 40
        /// Largest total uncompressed size of all entries.
        public var maxTotalSize = 1 << 42
        /// Largest central directory.
        public var maxCentralDirectorySize = 64 << 20
        /// Longest entry name in bytes.
        public var maxNameBytes = 4096
        /// Largest ratio of uncompressed to compressed size accepted for a DEFLATE entry bigger than
        /// ``ratioCheckMinimumSize`` (``ZipError/compressionRatio(path:entry:compressed:uncompressed:limit:)``).
        /// Weights compress by 1.1–3×; a ratio in the hundreds is a decompression bomb.
        public var maxCompressionRatio = 200
        /// Entries up to this uncompressed size are exempt from the ratio limit (small JSON compresses well).
        public var ratioCheckMinimumSize = 1 << 20
        /// The default limits.
        public init() {}
    }

    /// One file or directory in the archive.
    public struct Entry: Sendable, Equatable {
        /// Name as stored (validated: relative, `/`-separated, no `..`).
        public var name: String
        /// 0 = stored, 8 = DEFLATE.
        public var method: UInt16
        /// CRC-32 of the uncompressed bytes, from the central directory.
        public var crc32: UInt32
        /// Stored byte count.
        public var compressedSize: Int
        /// Byte count after decompression.
        public var uncompressedSize: Int
        /// Offset of the local file header.
        public var headerOffset: Int
        /// Offset of the first data byte.
        public var dataOffset: Int
        /// Whether the name ends with `/`.
        public var isDirectory: Bool { name.hasSuffix("/") }
    }

    /// Path of the archive, or the name given for in-memory bytes (for messages).
    public let path: String
    /// Entries in central-directory order.
    public let entries: [Entry]
    /// Total size of the archive in bytes.
    public var size: Int { source.size }
    private let source: any PaveByteSource
    private let byName: [String: Int]

    /// Opens and validates the archive at `url`.
    public convenience init(url: URL, limits: Limits = Limits()) throws(ZipError) {
        let file: RandomAccessFile
        do { file = try RandomAccessFile(url) } catch { throw .io(error.description) }
        try self.init(file: file, limits: limits)
    }

    /// Validates the archive held by `file`.
    public convenience init(file: RandomAccessFile, limits: Limits = Limits()) throws(ZipError) {
        try self.init(source: FileByteSource(file: file), path: file.path, limits: limits)
    }

    /// Validates an archive held in memory, without touching the file system; `name` stands for the path in
    /// messages. The byte-based entry point for fuzzing and for archives nested in archives.
    public convenience init(bytes: [UInt8], name: String = "(memory)", limits: Limits = Limits()) throws(ZipError) {
        try self.init(source: MemoryByteSource(bytes), path: name, limits: limits)
    }

    /// Validates the archive `source` holds (a file, memory, or a range of another file); `path` names it in
    /// messages.
    public init(source: any PaveByteSource, path: String, limits: Limits = Limits()) throws(ZipError) {
        self.source = source
        self.path = path
        let layout = try Self.readEndRecords(source: source, path: path, limits: limits)
        let entries = try Self.readCentralDirectory(source: source, path: path, layout: layout, limits: limits)
        self.entries = entries
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    /// The entry named `name`, if any.
    public func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// Reads `count` bytes at `offset` inside a stored (uncompressed) entry, without reading the rest.
    public func readStored(_ entry: Entry, offset: Int, count: Int) throws(ZipError) -> [UInt8] {
        guard entry.method == 0 else {
            throw .unsupported(path: path, entry: entry.name, reason: "random access needs a stored (uncompressed) entry")
        }
        guard offset >= 0, count >= 0, offset <= entry.uncompressedSize, count <= entry.uncompressedSize - offset else {
            throw .truncated(path: path, offset: entry.dataOffset + max(0, offset), what: "read of \(count) bytes in entry \"\(entry.name)\" (\(entry.uncompressedSize) bytes)")
        }
        do { return try source.read(at: entry.dataOffset + offset, count: count) } catch { throw Self.readError(error) }
    }

    /// Fills `buffer` with bytes at `offset` inside a stored (uncompressed) entry, without an intermediate array.
    public func readStored(_ entry: Entry, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ZipError) {
        guard entry.method == 0 else {
            throw .unsupported(path: path, entry: entry.name, reason: "random access needs a stored (uncompressed) entry")
        }
        guard offset >= 0, offset <= entry.uncompressedSize, buffer.count <= entry.uncompressedSize - offset else {
            throw .truncated(path: path, offset: entry.dataOffset + max(0, offset), what: "read of \(buffer.count) bytes in entry \"\(entry.name)\" (\(entry.uncompressedSize) bytes)")
        }
        do { try source.read(into: buffer, at: entry.dataOffset + offset) } catch { throw Self.readError(error) }
    }

    /// The bytes of a stored entry as a byte source of their own (a zip inside a zip, read in place).
    public func storedSource(_ entry: Entry) throws(ZipError) -> any PaveByteSource {
        guard entry.method == 0 else {
            throw .unsupported(path: path, entry: entry.name, reason: "random access needs a stored (uncompressed) entry")
        }
        return ByteRangeSource(base: source, start: entry.dataOffset, size: entry.uncompressedSize)
    }

    static func readError(_ error: any Error) -> ZipError {
        if let e = error as? ZipError { return e }
        return .io("\(error)")
    }

    /// Streams the entry's uncompressed bytes to `sink` in chunks, then checks size and CRC-32.
    /// Errors thrown by `sink` are passed through unchanged.
    public func stream(_ entry: Entry, chunkSize: Int = 1 << 20, to sink: ([UInt8]) throws -> Void) throws {
        try produce(entry, chunkSize: chunkSize, into: nil) { try sink(Array($0)) }
    }

    /// Inflates (or copies, when stored) the entry straight into `buffer`, which has exactly its uncompressed
    /// size, calling `progress(bytes done)` after each stretch of at most 1 MiB; then checks size and CRC-32 as
    /// ``stream(_:chunkSize:to:)`` does. Errors thrown by `progress` are passed through unchanged (use one to stop).
    public func inflate(_ entry: Entry, into buffer: UnsafeMutableRawBufferPointer, progress: (Int) throws -> Void) throws {
        precondition(buffer.count == entry.uncompressedSize, "the buffer holds exactly the entry's uncompressed size")
        var done = 0
        try produce(entry, chunkSize: 1 << 20, into: buffer) { stretch in
            // DEFLATE output is already in place; stored bytes are copied.
            if entry.method == 0 { UnsafeMutableRawBufferPointer(rebasing: buffer[done..<(done + stretch.count)]).copyMemory(from: stretch) }
            done += stretch.count
            try progress(done)
        }
    }

    /// The entry's bytes stretch by stretch — stored ones read `chunkSize` at a time, DEFLATE ones inflated by zlib
    /// (into `destination` when given) — each handed to `emit`; then the size and CRC-32 checks.
    private func produce(_ entry: Entry, chunkSize: Int, into destination: UnsafeMutableRawBufferPointer?,
                         emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var crc = CRC32()
        var produced = 0
        switch entry.method {
        case 0:
            while produced < entry.uncompressedSize {
                let chunk = try readStored(entry, offset: produced, count: min(chunkSize, entry.uncompressedSize - produced))
                crc.update(chunk)
                try chunk.withUnsafeBytes { try emit($0) }
                produced += chunk.count
            }
        default:
            var readOffset = 0
            let source = self.source, compressed = entry.compressedSize, start = entry.dataOffset
            do {
                produced = try Zlib.inflateRaw(
                    maxOutput: entry.uncompressedSize, into: destination,
                    read: {
                        let n = min(1 << 20, compressed - readOffset)
                        guard n > 0 else { return [] }
                        let bytes: [UInt8]
                        do { bytes = try source.read(at: start + readOffset, count: n) } catch { throw Self.readError(error) }
                        readOffset += n
                        return bytes
                    },
                    write: { stretch in
                        crc.update(stretch)
                        try emit(stretch)
                    })
            } catch let f as Zlib.Failure {
                throw inflateError(f, entry: entry)
            }
        }
        guard produced == entry.uncompressedSize else {
            throw ZipError.invalidEntry(path: path, entry: entry.name, reason: "inflates to \(produced) bytes, the directory says \(entry.uncompressedSize)")
        }
        guard crc.value == entry.crc32 else {
            throw ZipError.crcMismatch(path: path, entry: entry.name, expected: entry.crc32, actual: crc.value)
        }
    }

    private func inflateError(_ f: Zlib.Failure, entry: Entry) -> ZipError {
        switch f {
        case .outputLimit: return .invalidEntry(path: path, entry: entry.name, reason: "inflates to more than its declared \(entry.uncompressedSize) bytes")
        case let .corrupt(m): return .corruptDeflate(path: path, entry: entry.name, reason: m)
        case .truncated: return .corruptDeflate(path: path, entry: entry.name, reason: "the stream ends before its final block")
        case let .trailingData(n): return .corruptDeflate(path: path, entry: entry.name, reason: "\(n) bytes follow the end of the stream")
        case let .initFailed(code): return .io("zlib could not start inflating (code \(code))")
        }
    }

    /// The whole uncompressed entry in memory (CRC-checked); refused above `maxSize` bytes.
    public func contents(_ entry: Entry, maxSize: Int) throws -> [UInt8] {
        guard entry.uncompressedSize <= maxSize else {
            throw ZipError.limitExceeded(path: path, entry: entry.name, what: "size \(entry.uncompressedSize) bytes", limit: maxSize)
        }
        var out: [UInt8] = []
        out.reserveCapacity(entry.uncompressedSize)
        try stream(entry) { out.append(contentsOf: $0) }
        return out
    }
}
