import PaveFormat

// Parsing and validation of the end records and the central directory.

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
            if LittleEndianBytes.u32(tail, i) == 0x0605_4B50, i + 22 + Int(LittleEndianBytes.u16(tail, i + 20)) == tailLength { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .notZip(path: path, reason: "no end-of-central-directory record") }
        let disk = LittleEndianBytes.u16(tail, eocd + 4), cdDisk = LittleEndianBytes.u16(tail, eocd + 6)
        var count = Int(LittleEndianBytes.u16(tail, eocd + 10))
        var cdSize = Int(LittleEndianBytes.u32(tail, eocd + 12))
        var cdOffset = Int(LittleEndianBytes.u32(tail, eocd + 16))
        var endOffset = tailStart + eocd
        // A zip64 locator sits right before the classic record.
        if eocd >= 20, LittleEndianBytes.u32(tail, eocd - 20) == 0x0706_4B50 {
            let z64 = LittleEndianBytes.u64(tail, eocd - 20 + 8)
            guard z64 <= UInt64(tailStart + eocd - 20 - 56) else { throw .truncated(path: path, offset: tailStart + eocd - 20, what: "zip64 locator") }
            let rec: [UInt8]
            do { rec = try file.read(at: Int(z64), count: 56) } catch { throw .io(error.description) }
            guard LittleEndianBytes.u32(rec, 0) == 0x0606_4B50 else { throw .notZip(path: path, reason: "zip64 locator does not point at a zip64 end record") }
            guard LittleEndianBytes.u32(rec, 16) == 0, LittleEndianBytes.u32(rec, 20) == 0 else {
                throw .unsupported(path: path, entry: "(archive)", reason: "multi-disk archives")
            }
            let c = LittleEndianBytes.u64(rec, 32), s = LittleEndianBytes.u64(rec, 40), o = LittleEndianBytes.u64(rec, 48)
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
            guard LittleEndianBytes.u32(cd, p) == 0x0201_4B50 else { throw .notZip(path: path, reason: "bad central directory signature at byte offset \(at)") }
            let flags = LittleEndianBytes.u16(cd, p + 8)
            let method = LittleEndianBytes.u16(cd, p + 10)
            let crc = LittleEndianBytes.u32(cd, p + 16)
            var csize = UInt64(LittleEndianBytes.u32(cd, p + 20))
            var usize = UInt64(LittleEndianBytes.u32(cd, p + 24))
            let nameLen = Int(LittleEndianBytes.u16(cd, p + 28)), extraLen = Int(LittleEndianBytes.u16(cd, p + 30)), commentLen = Int(LittleEndianBytes.u16(cd, p + 32))
            let diskStart = LittleEndianBytes.u16(cd, p + 34)
            var lho = UInt64(LittleEndianBytes.u32(cd, p + 42))
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
                let id = LittleEndianBytes.u16(cd, e), size = Int(LittleEndianBytes.u16(cd, e + 2))
                guard e + 4 + size <= extraEnd else { throw .invalidEntry(path: path, entry: name, reason: "extra field runs past its declared length") }
                if id == 0x0001 {
                    var q = e + 4
                    func next() throws(ZipError) -> UInt64 {
                        guard q + 8 <= e + 4 + size else { throw .invalidEntry(path: path, entry: name, reason: "zip64 extra field too short") }
                        defer { q += 8 }
                        return LittleEndianBytes.u64(cd, q)
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
            guard LittleEndianBytes.u32(local, 0) == 0x0403_4B50 else { throw .invalidEntry(path: path, entry: name, reason: "no local header at byte offset \(lho)") }
            let lNameLen = Int(LittleEndianBytes.u16(local, 26)), lExtraLen = Int(LittleEndianBytes.u16(local, 28))
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
