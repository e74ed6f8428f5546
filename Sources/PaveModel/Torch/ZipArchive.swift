import Foundation
import PaveFormat

/// A zip archive opened for reading, with every structure validated before any entry is used.
///
/// Understands what released checkpoints and `torch.save` produce: stored (0) and DEFLATE (8) entries,
/// data descriptors, zip64 end records and zip64 extra fields. It refuses, with a ``ZipError`` naming the
/// entry: encrypted entries, other methods, multi-disk archives, names that could escape an extraction
/// directory (`..`, absolute paths, drive letters, backslashes, control characters), duplicate names,
/// entries whose byte ranges overlap or run out of the file, and sizes above ``Limits``.
public final class ZipArchive: Sendable {
    /// Safety limits applied while opening and reading.
    public struct Limits: Sendable {
        /// Most entries accepted.
        public var maxEntries = 100_000
        /// Largest uncompressed entry.
        public var maxEntrySize = 1 << 40
        /// Largest total uncompressed size of all entries.
        public var maxTotalSize = 1 << 42
        /// Largest central directory.
        public var maxCentralDirectorySize = 64 << 20
        /// Longest entry name in bytes.
        public var maxNameBytes = 4096
        public init() {}
    }

    /// One file or directory in the archive.
    public struct Entry: Sendable, Equatable {
        /// Name as stored (validated: relative, `/`-separated, no `..`).
        public var name: String
        /// 0 = stored, 8 = DEFLATE.
        public var method: UInt16
        public var crc32: UInt32
        public var compressedSize: Int
        public var uncompressedSize: Int
        /// Offset of the local file header.
        public var headerOffset: Int
        /// Offset of the first data byte.
        public var dataOffset: Int
        /// Whether the name ends with `/`.
        public var isDirectory: Bool { name.hasSuffix("/") }
    }

    /// Path of the archive (for messages).
    public let path: String
    /// Entries in central-directory order.
    public let entries: [Entry]
    private let file: RandomAccessFile
    private let byName: [String: Int]

    /// Opens and validates the archive at `url`.
    public convenience init(url: URL, limits: Limits = Limits()) throws(ZipError) {
        let file: RandomAccessFile
        do { file = try RandomAccessFile(url) } catch { throw .io(error.description) }
        try self.init(file: file, limits: limits)
    }

    /// Validates the archive held by `file`.
    public init(file: RandomAccessFile, limits: Limits = Limits()) throws(ZipError) {
        self.file = file
        path = file.path
        let layout = try Self.readEndRecords(file: file, limits: limits)
        let entries = try Self.readCentralDirectory(file: file, layout: layout, limits: limits)
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
        do { return try file.read(at: entry.dataOffset + offset, count: count) } catch { throw .io(error.description) }
    }

    /// Streams the entry's uncompressed bytes to `sink` in chunks, then checks size and CRC-32.
    /// Errors thrown by `sink` are passed through unchanged.
    public func stream(_ entry: Entry, chunkSize: Int = 1 << 20, to sink: ([UInt8]) throws -> Void) throws {
        var crc = CRC32()
        var produced = 0
        let path = self.path
        switch entry.method {
        case 0:
            var offset = 0
            while offset < entry.uncompressedSize {
                let n = min(chunkSize, entry.uncompressedSize - offset)
                let chunk = try readStored(entry, offset: offset, count: n)
                crc.update(chunk)
                try sink(chunk)
                offset += n
            }
            produced = offset
        default:
            var readOffset = 0
            let file = self.file
            let compressed = entry.compressedSize
            let start = entry.dataOffset
            try withoutActuallyEscaping(sink) { sink in
                var inflater = Inflater(
                    maxOutput: entry.uncompressedSize,
                    read: {
                        let n = min(256 << 10, compressed - readOffset)
                        guard n > 0 else { return [] }
                        let bytes: [UInt8]
                        do { bytes = try file.read(at: start + readOffset, count: n) } catch { throw ZipError.io("\(error)") }
                        readOffset += n
                        return bytes
                    },
                    write: { chunk in
                        crc.update(chunk)
                        try sink(chunk)
                    })
                do { try inflater.run() } catch let f as Inflater.Failure {
                    if f.outputLimitHit {
                        throw ZipError.invalidEntry(path: path, entry: entry.name, reason: "inflates to more than its declared \(entry.uncompressedSize) bytes")
                    }
                    throw ZipError.corruptDeflate(path: path, entry: entry.name, reason: f.reason)
                }
                produced = inflater.totalOutput
            }
        }
        guard produced == entry.uncompressedSize else {
            throw ZipError.invalidEntry(path: path, entry: entry.name, reason: "inflates to \(produced) bytes, the directory says \(entry.uncompressedSize)")
        }
        guard crc.value == entry.crc32 else {
            throw ZipError.crcMismatch(path: path, entry: entry.name, expected: entry.crc32, actual: crc.value)
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

// MARK: - Parsing

extension ZipArchive {
    struct Layout {
        var centralDirectoryOffset: Int
        var centralDirectorySize: Int
        var entryCount: Int
        /// Where the end records begin: the central directory must end at or before this.
        var endRecordsOffset: Int
    }

    static func readEndRecords(file: RandomAccessFile, limits: Limits) throws(ZipError) -> Layout {
        let path = file.path
        guard file.size >= 22 else { throw .notZip(path: path, reason: "\(file.size) bytes is shorter than an end-of-central-directory record") }
        let tailLength = min(file.size, 22 + 65_535)
        let tailStart = file.size - tailLength
        let tail: [UInt8]
        do { tail = try file.read(at: tailStart, count: tailLength) } catch { throw .io(error.description) }
        var eocd = -1
        var i = tailLength - 22
        while i >= 0 {
            if LE.u32(tail, i) == 0x0605_4B50, i + 22 + Int(LE.u16(tail, i + 20)) == tailLength { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .notZip(path: path, reason: "no end-of-central-directory record") }
        let disk = LE.u16(tail, eocd + 4), cdDisk = LE.u16(tail, eocd + 6)
        var count = Int(LE.u16(tail, eocd + 10))
        var cdSize = Int(LE.u32(tail, eocd + 12))
        var cdOffset = Int(LE.u32(tail, eocd + 16))
        var endOffset = tailStart + eocd
        // A zip64 locator sits right before the classic record.
        if eocd >= 20, LE.u32(tail, eocd - 20) == 0x0706_4B50 {
            let z64 = LE.u64(tail, eocd - 20 + 8)
            guard z64 <= UInt64(tailStart + eocd - 20 - 56) else { throw .truncated(path: path, offset: tailStart + eocd - 20, what: "zip64 locator") }
            let rec: [UInt8]
            do { rec = try file.read(at: Int(z64), count: 56) } catch { throw .io(error.description) }
            guard LE.u32(rec, 0) == 0x0606_4B50 else { throw .notZip(path: path, reason: "zip64 locator does not point at a zip64 end record") }
            guard LE.u32(rec, 16) == 0, LE.u32(rec, 20) == 0 else {
                throw .unsupported(path: path, entry: "(archive)", reason: "multi-disk archives")
            }
            let c = LE.u64(rec, 32), s = LE.u64(rec, 40), o = LE.u64(rec, 48)
            guard c <= UInt64(limits.maxEntries), s <= UInt64(Int.max), o <= UInt64(Int.max) else {
                throw .limitExceeded(path: path, entry: "(archive)", what: "zip64 entry count \(c)", limit: limits.maxEntries)
            }
            count = Int(c); cdSize = Int(s); cdOffset = Int(o)
            endOffset = Int(z64)
        } else {
            guard disk == 0, cdDisk == 0 else { throw .unsupported(path: path, entry: "(archive)", reason: "multi-disk archives") }
        }
        guard count <= limits.maxEntries else {
            throw .limitExceeded(path: path, entry: "(archive)", what: "entry count \(count)", limit: limits.maxEntries)
        }
        guard cdSize <= limits.maxCentralDirectorySize else {
            throw .limitExceeded(path: path, entry: "(archive)", what: "central directory size \(cdSize)", limit: limits.maxCentralDirectorySize)
        }
        guard cdOffset <= endOffset, cdSize <= endOffset - cdOffset else {
            throw .truncated(path: path, offset: cdOffset, what: "central directory of \(cdSize) bytes")
        }
        return Layout(centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, entryCount: count, endRecordsOffset: endOffset)
    }

    static func readCentralDirectory(file: RandomAccessFile, layout: Layout, limits: Limits) throws(ZipError) -> [Entry] {
        let path = file.path
        let cd: [UInt8]
        do { cd = try file.read(at: layout.centralDirectoryOffset, count: layout.centralDirectorySize) } catch { throw .io(error.description) }
        var entries: [Entry] = []
        var seen = Set<String>()
        var p = 0
        var total = 0
        for _ in 0..<layout.entryCount {
            let at = layout.centralDirectoryOffset + p
            guard p <= cd.count - 46 else { throw .truncated(path: path, offset: at, what: "central directory header") }
            guard LE.u32(cd, p) == 0x0201_4B50 else { throw .notZip(path: path, reason: "bad central directory signature at byte offset \(at)") }
            let flags = LE.u16(cd, p + 8)
            let method = LE.u16(cd, p + 10)
            let crc = LE.u32(cd, p + 16)
            var csize = UInt64(LE.u32(cd, p + 20))
            var usize = UInt64(LE.u32(cd, p + 24))
            let nameLen = Int(LE.u16(cd, p + 28)), extraLen = Int(LE.u16(cd, p + 30)), commentLen = Int(LE.u16(cd, p + 32))
            let diskStart = LE.u16(cd, p + 34)
            var lho = UInt64(LE.u32(cd, p + 42))
            let headerEnd = p + 46 + nameLen + extraLen + commentLen
            guard headerEnd <= cd.count else { throw .truncated(path: path, offset: at, what: "central directory header with its name and extra fields") }
            let nameBytes = Array(cd[(p + 46)..<(p + 46 + nameLen)])
            guard nameLen <= limits.maxNameBytes else {
                throw .limitExceeded(path: path, entry: String(decoding: nameBytes.prefix(64), as: UTF8.self) + "…", what: "name length \(nameLen)", limit: limits.maxNameBytes)
            }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw .invalidEntry(path: path, entry: String(decoding: nameBytes, as: UTF8.self), reason: "name is not valid UTF-8")
            }
            if let reason = unsafeNameReason(name) { throw .unsafeName(path: path, entry: name, reason: reason) }
            guard flags & 0x41 == 0 else { throw .unsupported(path: path, entry: name, reason: "encrypted entry") }
            guard method == 0 || method == 8 else { throw .unsupported(path: path, entry: name, reason: "compression method \(method) (only stored and DEFLATE are read)") }
            // zip64 extra field: replaces exactly the fields that are 0xFFFFFFFF, in this order.
            var e = p + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {
                let id = LE.u16(cd, e), size = Int(LE.u16(cd, e + 2))
                guard e + 4 + size <= extraEnd else { throw .invalidEntry(path: path, entry: name, reason: "extra field runs past its declared length") }
                if id == 0x0001 {
                    var q = e + 4
                    func next() throws(ZipError) -> UInt64 {
                        guard q + 8 <= e + 4 + size else { throw .invalidEntry(path: path, entry: name, reason: "zip64 extra field too short") }
                        defer { q += 8 }
                        return LE.u64(cd, q)
                    }
                    if usize == 0xFFFF_FFFF { usize = try next() }
                    if csize == 0xFFFF_FFFF { csize = try next() }
                    if lho == 0xFFFF_FFFF { lho = try next() }
                }
                e += 4 + size
            }
            guard diskStart == 0 || diskStart == 0xFFFF else { throw .unsupported(path: path, entry: name, reason: "multi-disk archives") }
            guard usize <= UInt64(limits.maxEntrySize) else {
                throw .limitExceeded(path: path, entry: name, what: "uncompressed size \(usize)", limit: limits.maxEntrySize)
            }
            guard csize <= UInt64(layout.centralDirectoryOffset), lho <= UInt64(layout.centralDirectoryOffset) else {
                throw .truncated(path: path, offset: at, what: "entry \"\(name)\" (data or header beyond the central directory)")
            }
            total += Int(usize)
            guard total <= limits.maxTotalSize else {
                throw .limitExceeded(path: path, entry: name, what: "total uncompressed size \(total)", limit: limits.maxTotalSize)
            }
            if method == 0, csize != usize {
                throw .invalidEntry(path: path, entry: name, reason: "stored entry with compressed size \(csize) ≠ uncompressed size \(usize)")
            }
            guard seen.insert(name).inserted else { throw .duplicateEntry(path: path, entry: name) }
            // Local header: same name; data follows its name and extra field.
            let local: [UInt8]
            do { local = try file.read(at: Int(lho), count: 30) } catch { throw .truncated(path: path, offset: Int(lho), what: "local header of \"\(name)\"") }
            guard LE.u32(local, 0) == 0x0403_4B50 else { throw .invalidEntry(path: path, entry: name, reason: "no local header at byte offset \(lho)") }
            let lNameLen = Int(LE.u16(local, 26)), lExtraLen = Int(LE.u16(local, 28))
            let lName: [UInt8]
            do { lName = try file.read(at: Int(lho) + 30, count: lNameLen) } catch { throw .truncated(path: path, offset: Int(lho), what: "local header name of \"\(name)\"") }
            guard lName == nameBytes else { throw .invalidEntry(path: path, entry: name, reason: "local header name differs from the central directory") }
            let dataOffset = Int(lho) + 30 + lNameLen + lExtraLen
            guard dataOffset <= layout.centralDirectoryOffset, Int(csize) <= layout.centralDirectoryOffset - dataOffset else {
                throw .truncated(path: path, offset: dataOffset, what: "data of \"\(name)\" (\(csize) bytes)")
            }
            entries.append(Entry(name: name, method: method, crc32: crc, compressedSize: Int(csize), uncompressedSize: Int(usize),
                                 headerOffset: Int(lho), dataOffset: dataOffset))
            p = headerEnd
        }
        // No two entries may share bytes.
        let sorted = entries.sorted { $0.headerOffset < $1.headerOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.dataOffset + a.compressedSize > b.headerOffset {
            throw .overlappingEntries(path: path, first: a.name, second: b.name)
        }
        return entries
    }

    /// Why `name` is unsafe to use as a relative path, or `nil` when it is fine.
    public static func unsafeNameReason(_ name: String) -> String? {
        if name.isEmpty { return "empty name" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "control character in the name" }
        if name.contains("\\") { return "backslash in the name" }
        if name.hasPrefix("/") { return "absolute path" }
        let scalars = Array(name.unicodeScalars)
        if scalars.count >= 2, scalars[1] == ":" { return "drive letter" }
        var parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasSuffix("/") { parts.removeLast() }
        for part in parts {
            if part == ".." { return "'..' path component" }
            if part == "." { return "'.' path component" }
            if part.isEmpty { return "empty path component" }
        }
        return nil
    }
}

/// Little-endian integer reads from byte arrays; callers check bounds first.
enum LE {
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
    static func put16(_ v: UInt16, into b: inout [UInt8]) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }
    static func put32(_ v: UInt32, into b: inout [UInt8]) { for k in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    static func put64(_ v: UInt64, into b: inout [UInt8]) { for k in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
}
