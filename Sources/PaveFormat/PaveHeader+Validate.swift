extension PaveHeader {
    /// The 128 header bytes decoded as stored (spec §3), before any rule is checked. Fields are kept as the raw
    /// u64 so that a value ≥ 2^63 is seen by ``validate(fileSize:path:)``, not lost in a conversion.
    struct Stored {
        var major: Int
        var minor: Int
        var headerLength: Int
        var flags: UInt64
        var checkBytes: [UInt8]
        var computedCheck: [UInt8]
        var fields: [Field: UInt64]
        var digest: [UInt8]
    }

    /// Decodes `b` (at least the 12 bytes up to `minor`; the version is checked before anything else is trusted).
    /// - Throws: `format.truncated` for fewer than 12 (or, for a major-1 file, 128) bytes; `format.unsupported_version`.
    static func decode(_ b: [UInt8], fileSize: Int, path: String) throws(PaveFormatError) -> Stored {
        var r = ByteReader(b, base: 0)
        _ = r.take(8)
        guard let major = r.u16(), let minor = r.u16() else {
            throw .truncated(path: path, what: "the header", offset: 0, needed: PaveLimits.headerLength, fileSize: fileSize)
        }
        guard Int(major) == PaveLimits.major else { throw .unsupportedVersion(path: path, major: Int(major), minor: Int(minor)) }
        guard b.count >= PaveLimits.headerLength, let headerLength = r.u32(), let flags = r.u64() else {
            throw .truncated(path: path, what: "the header", offset: 0, needed: PaveLimits.headerLength, fileSize: fileSize)
        }
        var fields: [Field: UInt64] = [:]
        for f in [Field.manifestOffset, .manifestLength, .indexOffset, .indexLength, .layoutOffset, .layoutLength, .dataOffset, .dataLength] {
            fields[f] = ByteReader.u64(b, at: f.rawValue) ?? 0
        }
        return Stored(major: Int(major), minor: Int(minor), headerLength: Int(headerLength), flags: flags,
                      checkBytes: Array(b[Field.headerCheck.rawValue..<Field.headerCheck.rawValue + 8]), computedCheck: check(b),
                      fields: fields, digest: Array(b[Field.digest.rawValue..<Field.digest.rawValue + 32]))
    }

}

extension PaveHeader.Stored {
    typealias Field = PaveHeader.Field

    /// Checks the decoded header against spec §3 and §10, one named check per rule, in this order (the first
    /// failure is reported), and returns the header with every field as a checked `Int`:
    ///
    /// 1. ``checkHeaderCheck(path:)`` — bytes 0 ..< 120 hash to `header_check` (`format.header`);
    /// 2. ``checkFitsIn63Bits(path:)`` — every u64 field is < 2^63 (`format.header`, even for a length whose limit
    ///    it also exceeds: a value that is not a signed 64-bit integer is malformed before it is large);
    /// 3. ``checkHeaderLengthAndFlags(path:)`` (`format.header`);
    /// 4. ``checkSectionLengths(_:path:)`` — above a §10 maximum: `format.limit`; below a minimum: `format.header`;
    /// 5. ``checkPlacement(_:path:)`` — offsets in order, 64-aligned, exact in a file of this minor; an offset sum
    ///    that overflows is `format.header`;
    /// 6. ``checkFileEnd(_:fileSize:path:)`` — the layout table ends inside the file (`format.truncated`), exactly
    ///    at its end in a file of this minor (`format.header`).
    func validate(fileSize: Int, path: String) throws(PaveFormatError) -> PaveHeader {
        try checkHeaderCheck(path: path)
        try checkFitsIn63Bits(path: path)
        try checkHeaderLengthAndFlags(path: path)
        var h = PaveHeader()
        h.major = major
        h.minor = minor
        h.headerLength = headerLength
        h.flags = flags
        h.manifestOffset = value(.manifestOffset)
        h.manifestLength = value(.manifestLength)
        h.indexOffset = value(.indexOffset)
        h.indexLength = value(.indexLength)
        h.layoutOffset = value(.layoutOffset)
        h.layoutLength = value(.layoutLength)
        h.dataOffset = value(.dataOffset)
        h.dataLength = value(.dataLength)
        h.digest = digest
        try checkSectionLengths(h, path: path)
        try checkPlacement(h, path: path)
        try checkFileEnd(h, fileSize: fileSize, path: path)
        return h
    }

    /// A field as an Int (after ``checkFitsIn63Bits(path:)``).
    private func value(_ f: Field) -> Int { Int(clamping: fields[f] ?? 0) }

    /// Whether the file's minor is this reader's (exact placement rules apply).
    private var sameMinor: Bool { minor <= PaveLimits.minor }

    func checkHeaderCheck(path: String) throws(PaveFormatError) {
        guard checkBytes == computedCheck else {
            throw .invalidHeader(path: path, field: Field.headerCheck.name, offset: Field.headerCheck.rawValue,
                                 reason: "is \(Digest.hexString(checkBytes)) but bytes 0 ..< 120 hash to \(Digest.hexString(computedCheck)): the header is damaged")
        }
    }

    func checkFitsIn63Bits(path: String) throws(PaveFormatError) {
        for f in [Field.manifestOffset, .manifestLength, .indexOffset, .indexLength, .layoutOffset, .layoutLength, .dataOffset, .dataLength] {
            let v = fields[f] ?? 0
            guard v <= UInt64(Int.max) else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "\(v) does not fit in 63 bits") }
        }
    }

    func checkHeaderLengthAndFlags(path: String) throws(PaveFormatError) {
        guard headerLength >= PaveLimits.headerLength, headerLength <= PaveLimits.maxHeaderLength, headerLength % 64 == 0,
            !sameMinor || headerLength == PaveLimits.headerLength
        else {
            throw .invalidHeader(path: path, field: Field.headerLength.name, offset: Field.headerLength.rawValue,
                                 reason: "is \(headerLength); expected \(sameMinor ? "128" : "a multiple of 64 between 128 and 4096")")
        }
        if sameMinor, flags != 0 {
            throw .invalidHeader(path: path, field: Field.flags.name, offset: Field.flags.rawValue, reason: "is \(flags); no flag is defined in 1.0")
        }
    }

    func checkSectionLengths(_ h: PaveHeader, path: String) throws(PaveFormatError) {
        func limit(_ f: Field, _ v: Int, _ lo: Int, _ hi: Int) throws(PaveFormatError) {
            if v > hi { throw .limitExceeded(path: path, field: f.name, offset: f.rawValue, value: v, limit: hi) }
            if v < lo { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v), less than the minimum \(lo)") }
        }
        try limit(.manifestLength, h.manifestLength, 2, PaveLimits.maxManifestLength)
        try limit(.indexLength, h.indexLength, 8, PaveLimits.maxIndexLength)
        try limit(.layoutLength, h.layoutLength, 16, PaveLimits.maxLayoutLength)
    }

    func checkPlacement(_ h: PaveHeader, path: String) throws(PaveFormatError) {
        let exact = sameMinor
        func place(_ f: Field, _ v: Int, after end: Int) throws(PaveFormatError) {
            guard let a = PaveLimits.align(end) else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "offset overflow") }
            if exact {
                guard v == a else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v), expected \(a)") }
            } else {
                guard v >= end, v % 64 == 0 else {
                    throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v); must be a multiple of 64 at or after \(end)")
                }
            }
        }
        func end(_ offset: Int, _ length: Int, _ f: Field) throws(PaveFormatError) -> Int {
            let (e, o) = offset.addingReportingOverflow(length)
            guard !o else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "offset overflow") }
            return e
        }
        try place(.manifestOffset, h.manifestOffset, after: h.headerLength)
        try place(.indexOffset, h.indexOffset, after: try end(h.manifestOffset, h.manifestLength, .manifestLength))
        try place(.dataOffset, h.dataOffset, after: try end(h.indexOffset, h.indexLength, .indexLength))
        guard h.dataLength % 64 == 0 else {
            throw .invalidHeader(path: path, field: Field.dataLength.name, offset: Field.dataLength.rawValue, reason: "is \(h.dataLength); must be a multiple of 64")
        }
        let (dataEnd, o) = h.dataOffset.addingReportingOverflow(h.dataLength)
        guard !o, h.layoutOffset == dataEnd else {
            throw .invalidHeader(path: path, field: Field.layoutOffset.name, offset: Field.layoutOffset.rawValue,
                                 reason: "is \(h.layoutOffset); must equal data_offset + data_length = \(o ? "overflow" : String(dataEnd))")
        }
    }

    func checkFileEnd(_ h: PaveHeader, fileSize: Int, path: String) throws(PaveFormatError) {
        let (end, o) = h.layoutOffset.addingReportingOverflow(h.layoutLength)
        guard !o, end <= fileSize else {
            throw .truncated(path: path, what: "the layout table (end of the file)", offset: h.layoutOffset, needed: h.layoutLength, fileSize: fileSize)
        }
        if sameMinor, end != fileSize {
            throw .invalidHeader(path: path, field: Field.layoutLength.name, offset: Field.layoutLength.rawValue,
                                 reason: "the file should end at byte \(end) but has \(fileSize - end) more bytes")
        }
    }
}
