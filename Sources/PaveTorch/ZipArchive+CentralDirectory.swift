import PaveFormat

// Parsing and validation of the end records and the central directory. Every offset and size read from the
// archive is checked before use: offsets are compared against the bytes that exist before them (never
// subtracted into a negative Int or converted to an unsigned type unchecked), and every field is read through
// a bounds-checked ``ByteReader``.

extension ZipArchive {
    struct Layout {
        var centralDirectoryOffset: Int
        var centralDirectorySize: Int
        var entryCount: Int
        /// Where the end records begin: the central directory must end at or before this.
        var endRecordsOffset: Int
    }

    /// Size of the classic end-of-central-directory record, of the zip64 locator and of the zip64 end record.
    static let eocdSize = 22, locatorSize = 20, zip64EndSize = 56
    /// Fixed parts of a central-directory header and a local header.
    static let centralHeaderSize = 46, localHeaderSize = 30

    static func read(_ source: any PaveByteSource, at offset: Int, count: Int, path: String, what: String) throws(ZipError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= source.size, count <= source.size - offset else {
            throw .truncated(path: path, offset: offset, what: what)
        }
        do { return try source.read(at: offset, count: count) } catch { throw readError(error) }
    }

    static func readEndRecords(source: any PaveByteSource, path: String, limits: Limits) throws(ZipError) -> Layout {
        let size = source.size
        guard size >= eocdSize else { throw .notZip(path: path, reason: "\(size) bytes is shorter than an end-of-central-directory record") }
        let tailLength = min(size, eocdSize + 65_535)
        let tailStart = size - tailLength
        let tail = try read(source, at: tailStart, count: tailLength, path: path, what: "end records")
        // The classic record is the last one whose comment length reaches exactly the end of the file.
        var eocd = -1
        var i = tailLength - eocdSize
        while i >= 0 {
            if ByteReader.u32(tail, at: i) == 0x0605_4B50, let commentLength = ByteReader.u16(tail, at: i + 20),
               i + eocdSize + Int(commentLength) == tailLength { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .notZip(path: path, reason: "no end-of-central-directory record") }
        var r = ByteReader(tail, base: tailStart, position: eocd + 4)
        guard let disk = r.u16(), let cdDisk = r.u16(), r.take(2) != nil, let count16 = r.u16(),
              let size32 = r.u32(), let offset32 = r.u32() else {
            throw .truncated(path: path, offset: tailStart + eocd, what: "end-of-central-directory record")
        }
        var count = Int(count16), cdSize = Int(size32), cdOffset = Int(offset32)
        var endOffset = tailStart + eocd
        // A zip64 locator sits right before the classic record; the zip64 end record it points at must lie
        // wholly before the locator.
        if eocd >= locatorSize, ByteReader.u32(tail, at: eocd - locatorSize) == 0x0706_4B50 {
            let locatorOffset = tailStart + eocd - locatorSize
            guard let z64 = ByteReader.u64(tail, at: eocd - locatorSize + 8) else {
                throw .truncated(path: path, offset: locatorOffset, what: "zip64 locator")
            }
            guard locatorOffset >= zip64EndSize, z64 <= UInt64(locatorOffset - zip64EndSize) else {
                throw .truncated(path: path, offset: locatorOffset, what: "zip64 end record at byte offset \(z64) named by the zip64 locator")
            }
            let recordOffset = Int(z64)
            var rec = ByteReader(try read(source, at: recordOffset, count: zip64EndSize, path: path, what: "zip64 end record"), base: recordOffset)
            guard rec.u32() == 0x0606_4B50 else { throw .notZip(path: path, reason: "zip64 locator does not point at a zip64 end record") }
            guard rec.take(12) != nil, let thisDisk = rec.u32(), let startDisk = rec.u32(), rec.take(8) != nil,
                  let c = rec.u64(), let s = rec.u64(), let o = rec.u64() else {
                throw .truncated(path: path, offset: recordOffset, what: "zip64 end record")
            }
            guard thisDisk == 0, startDisk == 0 else { throw .unsupported(path: path, entry: "(archive)", reason: "multi-disk archives") }
            guard c <= UInt64(clamping: limits.maxEntries) else {
                throw .limitExceeded(path: path, entry: "(archive)", what: "zip64 entry count \(c)", limit: limits.maxEntries)
            }
            guard s <= UInt64(clamping: limits.maxCentralDirectorySize) else {
                throw .limitExceeded(path: path, entry: "(archive)", what: "central directory size \(s)", limit: limits.maxCentralDirectorySize)
            }
            guard o <= UInt64(recordOffset) else { throw .truncated(path: path, offset: recordOffset, what: "central directory at byte offset \(o)") }
            count = Int(c); cdSize = Int(s); cdOffset = Int(o)
            endOffset = recordOffset
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
        // Every entry needs at least a fixed header: a count the directory cannot hold is refused before any work.
        guard count <= cdSize / centralHeaderSize else {
            throw .truncated(path: path, offset: cdOffset, what: "central directory of \(cdSize) bytes holding \(count) entries")
        }
        return Layout(centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, entryCount: count, endRecordsOffset: endOffset)
    }

    static func readCentralDirectory(source: any PaveByteSource, path: String, layout: Layout, limits: Limits) throws(ZipError) -> [Entry] {
        let cd = try read(source, at: layout.centralDirectoryOffset, count: layout.centralDirectorySize, path: path, what: "central directory")
        var entries: [Entry] = []
        entries.reserveCapacity(layout.entryCount)
        var seen = Set<String>()
        var r = ByteReader(cd, base: layout.centralDirectoryOffset)
        var total = 0
        for _ in 0..<layout.entryCount {
            let entry = try readCentralHeader(&r, source: source, path: path, layout: layout, limits: limits)
            let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= limits.maxTotalSize else {
                throw .limitExceeded(path: path, entry: entry.name, what: "total uncompressed size", limit: limits.maxTotalSize)
            }
            total = sum
            guard seen.insert(entry.name).inserted else { throw .duplicateEntry(path: path, entry: entry.name) }
            entries.append(entry)
        }
        // No two entries may share bytes.
        let sorted = entries.sorted { $0.headerOffset < $1.headerOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.dataOffset + a.compressedSize > b.headerOffset {
            throw .overlappingEntries(path: path, first: a.name, second: b.name)
        }
        return entries
    }

    /// One central-directory header at the cursor, checked against its local header.
    static func readCentralHeader(_ r: inout ByteReader, source: any PaveByteSource, path: String, layout: Layout, limits: Limits) throws(ZipError) -> Entry {
        let at = r.offset
        guard r.remaining >= centralHeaderSize else { throw .truncated(path: path, offset: at, what: "central directory header") }
        guard r.u32() == 0x0201_4B50 else { throw .notZip(path: path, reason: "bad central directory signature at byte offset \(at)") }
        guard r.take(4) != nil, let flags = r.u16(), let method = r.u16(), r.take(4) != nil, let crc = r.u32(),
              let csize32 = r.u32(), let usize32 = r.u32(), let nameLength = r.u16(), let extraLength = r.u16(),
              let commentLength = r.u16(), let diskStart = r.u16(), r.take(6) != nil, let lho32 = r.u32() else {
            throw .truncated(path: path, offset: at, what: "central directory header")
        }
        var csize = UInt64(csize32), usize = UInt64(usize32), lho = UInt64(lho32)
        guard let nameSlice = r.take(Int(nameLength)), let extra = r.take(Int(extraLength)), r.take(Int(commentLength)) != nil else {
            throw .truncated(path: path, offset: at, what: "central directory header with its name and extra fields")
        }
        let nameBytes = Array(nameSlice)
        guard nameBytes.count <= limits.maxNameBytes else {
            throw .limitExceeded(path: path, entry: String(decoding: nameBytes.prefix(64), as: UTF8.self) + "…", what: "name length \(nameBytes.count)", limit: limits.maxNameBytes)
        }
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw .invalidEntry(path: path, entry: String(decoding: nameBytes, as: UTF8.self), reason: "name is not valid UTF-8")
        }
        if let reason = unsafeNameReason(name) { throw .unsafeName(path: path, entry: name, reason: reason) }
        guard flags & 0x41 == 0 else { throw .unsupported(path: path, entry: name, reason: "encrypted entry") }
        guard method == 0 || method == 8 else { throw .unsupported(path: path, entry: name, reason: "compression method \(method) (only stored and DEFLATE are read)") }
        // zip64 extra field: replaces exactly the fields that are 0xFFFFFFFF, in this order.
        var x = ByteReader(Array(extra), base: at)
        while x.remaining >= 4 {
            guard let id = x.u16(), let fieldSize = x.u16(), let field = x.take(Int(fieldSize)) else {
                throw .invalidEntry(path: path, entry: name, reason: "extra field runs past its declared length")
            }
            guard id == 0x0001 else { continue }
            var f = ByteReader(Array(field), base: at)
            func next() throws(ZipError) -> UInt64 {
                guard let v = f.u64() else { throw .invalidEntry(path: path, entry: name, reason: "zip64 extra field too short") }
                return v
            }
            if usize == 0xFFFF_FFFF { usize = try next() }
            if csize == 0xFFFF_FFFF { csize = try next() }
            if lho == 0xFFFF_FFFF { lho = try next() }
        }
        guard diskStart == 0 || diskStart == 0xFFFF else { throw .unsupported(path: path, entry: name, reason: "multi-disk archives") }
        guard usize <= UInt64(clamping: limits.maxEntrySize) else {
            throw .limitExceeded(path: path, entry: name, what: "uncompressed size \(usize)", limit: limits.maxEntrySize)
        }
        let cdOffset = layout.centralDirectoryOffset
        guard csize <= UInt64(cdOffset), lho <= UInt64(cdOffset) else {
            throw .truncated(path: path, offset: at, what: "entry \"\(name)\" (data or header beyond the central directory)")
        }
        let compressed = Int(csize), uncompressed = Int(usize), headerOffset = Int(lho)
        if method == 0, compressed != uncompressed {
            throw .invalidEntry(path: path, entry: name, reason: "stored entry with compressed size \(csize) ≠ uncompressed size \(usize)")
        }
        try checkRatio(name: name, method: method, compressed: compressed, uncompressed: uncompressed, path: path, limits: limits)
        // Local header: same name; data follows its name and extra field.
        var local = ByteReader(try read(source, at: headerOffset, count: localHeaderSize, path: path, what: "local header of \"\(name)\""), base: headerOffset)
        guard local.u32() == 0x0403_4B50 else { throw .invalidEntry(path: path, entry: name, reason: "no local header at byte offset \(lho)") }
        guard local.take(22) != nil, let localNameLength = local.u16(), let localExtraLength = local.u16() else {
            throw .truncated(path: path, offset: headerOffset, what: "local header of \"\(name)\"")
        }
        let localName = try read(source, at: headerOffset + localHeaderSize, count: Int(localNameLength), path: path, what: "local header name of \"\(name)\"")
        guard localName == nameBytes else { throw .invalidEntry(path: path, entry: name, reason: "local header name differs from the central directory") }
        let dataOffset = headerOffset + localHeaderSize + Int(localNameLength) + Int(localExtraLength)
        guard dataOffset <= cdOffset, compressed <= cdOffset - dataOffset else {
            throw .truncated(path: path, offset: dataOffset, what: "data of \"\(name)\" (\(csize) bytes)")
        }
        return Entry(name: name, method: method, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                     headerOffset: headerOffset, dataOffset: dataOffset)
    }

    /// The decompression-bomb check on declared sizes: a DEFLATE entry above the ratio limit is refused before
    /// any byte is inflated (and inflating never produces more than the declared size).
    static func checkRatio(name: String, method: UInt16, compressed: Int, uncompressed: Int, path: String, limits: Limits) throws(ZipError) {
        guard method == 8, uncompressed > limits.ratioCheckMinimumSize else { return }
        let (bound, overflow) = max(compressed, 1).multipliedReportingOverflow(by: limits.maxCompressionRatio)
        guard overflow || uncompressed <= bound else {
            throw .compressionRatio(path: path, entry: name, compressed: compressed, uncompressed: uncompressed, limit: limits.maxCompressionRatio)
        }
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
