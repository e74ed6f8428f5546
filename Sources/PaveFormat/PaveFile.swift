import Foundation

/// An open `.pave` file (spec `spec/pave-format-v1.md`), read at random through a ``PaveByteSource``.
///
/// Opening reads and checks the header, manifest, index and layout table (every limit, every offset, the
/// patch digest) but no tensor data. ``readTensor(_:)`` then touches only that tensor's region, decodes its
/// chunks in parallel and checks its SHA-256. Safe to share between threads.
///
/// ```swift
/// let pave = try PaveFile.open(URL(fileURLWithPath: "patch.pave"))
/// print(pave.manifest.name ?? "", pave.digest)
/// let w = try pave.readTensor("output_norm.weight")
/// ```
public final class PaveFile: Sendable {
    /// Path or label used in messages.
    public let path: String
    /// Where the bytes come from.
    public let source: any PaveByteSource
    /// Format version of the file (major is always 1).
    public let major: Int
    public let minor: Int
    /// The manifest, every field kept.
    public let manifest: Manifest
    /// Tensors in index order (sorted by the UTF-8 bytes of their names).
    public let entries: [PaveTensorEntry]
    /// `sha256:<64 hex>` (spec §8).
    public let digest: String
    /// The manifest bytes exactly as stored.
    public let manifestBytes: [UInt8]
    /// Section offsets, for inspect and verify.
    public let layout: SectionLayout
    /// Worker threads used to decode chunks (default: active processors).
    public let threads: Int
    private let byName: [String: Int]
    let codecs = ChunkCodecPool()

    /// Where the sections lie.
    public struct SectionLayout: Sendable, Equatable, Codable {
        public var headerLength: Int
        public var manifestOffset: Int
        public var manifestLength: Int
        public var indexOffset: Int
        public var indexLength: Int
        public var dataOffset: Int
        public var dataLength: Int
        public var layoutOffset: Int
        public var layoutLength: Int
        public var fileSize: Int
    }

    /// Opens a local file.
    public static func open(_ url: URL, threads: Int = ParallelWork.defaultThreads) throws -> PaveFile {
        let source: FileByteSource
        do { source = try FileByteSource(url) } catch { throw PaveFormatError.io(path: url.path, reason: error.description) }
        return try PaveFile(source: source, path: url.path, threads: threads)
    }

    /// Opens a `.pave` held by `source`; `path` is used in messages.
    /// - Throws: ``PaveFormatError`` naming the section, field and byte offset of the first problem.
    public init(source: any PaveByteSource, path: String, threads: Int = ParallelWork.defaultThreads) throws {
        self.source = source
        self.path = path
        self.threads = max(1, threads)
        let size = source.size
        func read(_ offset: Int, _ count: Int, _ what: String) throws -> [UInt8] {
            guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
                throw PaveFormatError.truncated(path: path, what: what, offset: offset, needed: count, fileSize: size)
            }
            do { return try source.read(at: offset, count: count) } catch let e as PaveError where e.category != .io {
                throw PaveFormatError.truncated(path: path, what: what, offset: offset, needed: count, fileSize: size)
            } catch let e as PaveError {
                throw PaveFormatError.io(path: path, reason: e.description)
            }
        }
        let prefix = try read(0, min(size, 512), "the header")
        guard prefix.starts(with: PaveLimits.magic) else {
            throw PaveFormatError.notPave(path: path, kind: FileKindSniffer.describe(prefix: prefix, fileSize: size))
        }
        let h = try Self.parseHeader(Array(prefix.prefix(PaveLimits.headerLength)), fileSize: size, path: path)
        major = h.major
        minor = h.minor
        layout = SectionLayout(headerLength: h.headerLength, manifestOffset: h.manifestOffset, manifestLength: h.manifestLength,
                               indexOffset: h.indexOffset, indexLength: h.indexLength, dataOffset: h.dataOffset, dataLength: h.dataLength,
                               layoutOffset: h.layoutOffset, layoutLength: h.layoutLength, fileSize: size)

        let manifestBytes = try read(h.manifestOffset, h.manifestLength, "the manifest")
        let manifest: Manifest
        do { manifest = try Manifest(jsonBytes: manifestBytes) } catch {
            throw PaveFormatError.invalidManifest(path: path, offset: h.manifestOffset, reason: "not a valid UTF-8 JSON object (\(Self.shortReason(error)))")
        }
        if let fv = manifest["format_version"] {
            guard let s = fv.stringValue, let dot = s.firstIndex(of: "."), let mj = Int(s[..<dot]), Int(s[s.index(after: dot)...]) != nil else {
                throw PaveFormatError.invalidManifest(path: path, offset: h.manifestOffset, reason: "format_version must be a \"major.minor\" string")
            }
            guard mj == h.major else {
                throw PaveFormatError.invalidManifest(path: path, offset: h.manifestOffset, reason: "format_version \"\(s)\" disagrees with the header's major version \(h.major)")
            }
        }
        let indexBytes = try read(h.indexOffset, h.indexLength, "the tensor index")
        let index = try PaveIndexCodec.decodeIndex(indexBytes, at: h.indexOffset, path: path)
        let digest = PaveHeader.digest(manifest: manifestBytes, index: indexBytes)
        guard digest == h.digest else {
            throw PaveFormatError.digestMismatch(path: path, expected: "sha256:" + Hex.string(h.digest), actual: "sha256:" + Hex.string(digest))
        }
        let layoutBytes = try read(h.layoutOffset, h.layoutLength, "the layout table")
        entries = try PaveIndexCodec.decodeLayout(layoutBytes, at: h.layoutOffset, index: index, dataOffset: h.dataOffset,
                                                  dataLength: h.dataLength, path: path)
        self.manifest = manifest
        self.manifestBytes = manifestBytes
        self.digest = "sha256:" + Hex.string(digest)
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    /// The tensor named `name`.
    public func entry(_ name: String) -> PaveTensorEntry? { byName[name].map { entries[$0] } }

    /// Whether the file's minor version is newer than this reader's (it is read as 1.0).
    public var isNewerMinor: Bool { minor > PaveLimits.minor }

    static func shortReason(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(c) = error {
            return c.underlyingError.map { "\($0)" }.map { String($0.prefix(160)) } ?? c.debugDescription
        }
        return String("\(error)".prefix(160))
    }

    /// Checks the 128 header bytes and the section bounds against `fileSize` (spec §3, §10).
    static func parseHeader(_ b: [UInt8], fileSize: Int, path: String) throws(PaveFormatError) -> PaveHeader {
        typealias F = PaveHeader.Field
        guard b.count >= 12 else {
            throw .truncated(path: path, what: "the header", offset: 0, needed: PaveLimits.headerLength, fileSize: fileSize)
        }
        let major = Int(b[8]) | Int(b[9]) << 8
        let minor = Int(b[10]) | Int(b[11]) << 8
        guard major == PaveLimits.major else { throw .unsupportedVersion(path: path, major: major, minor: minor) }
        guard b.count >= PaveLimits.headerLength else {
            throw .truncated(path: path, what: "the header", offset: 0, needed: PaveLimits.headerLength, fileSize: fileSize)
        }
        let check = PaveHeader.check(b)
        guard Array(b[F.headerCheck.rawValue..<F.headerCheck.rawValue + 8]) == check else {
            throw .invalidHeader(path: path, field: F.headerCheck.name, offset: F.headerCheck.rawValue,
                                 reason: "is \(Hex.string(b[120..<128])) but bytes 0 ..< 120 hash to \(Hex.string(check)): the header is damaged")
        }
        func u64(_ f: F) throws(PaveFormatError) -> Int {
            let v = ByteReader.u64(b, at: f.rawValue) ?? 0
            guard v <= UInt64(Int.max) else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "\(v) does not fit in 63 bits") }
            return Int(v)
        }
        var h = PaveHeader()
        h.major = major
        h.minor = minor
        h.headerLength = Int(b[12]) | Int(b[13]) << 8 | Int(b[14]) << 16 | Int(b[15]) << 24
        h.flags = ByteReader.u64(b, at: F.flags.rawValue) ?? 0
        h.manifestOffset = try u64(.manifestOffset)
        h.manifestLength = try u64(.manifestLength)
        h.indexOffset = try u64(.indexOffset)
        h.indexLength = try u64(.indexLength)
        h.layoutOffset = try u64(.layoutOffset)
        h.layoutLength = try u64(.layoutLength)
        h.dataOffset = try u64(.dataOffset)
        h.dataLength = try u64(.dataLength)
        h.digest = Array(b[F.digest.rawValue..<F.digest.rawValue + 32])
        let sameMinor = minor <= PaveLimits.minor

        guard h.headerLength >= PaveLimits.headerLength, h.headerLength <= PaveLimits.maxHeaderLength, h.headerLength % 64 == 0,
            !sameMinor || h.headerLength == PaveLimits.headerLength
        else {
            throw .invalidHeader(path: path, field: F.headerLength.name, offset: F.headerLength.rawValue,
                                 reason: "is \(h.headerLength); expected \(sameMinor ? "128" : "a multiple of 64 between 128 and 4096")")
        }
        if sameMinor, h.flags != 0 {
            throw .invalidHeader(path: path, field: F.flags.name, offset: F.flags.rawValue, reason: "is \(h.flags); no flag is defined in 1.0")
        }
        func limit(_ f: F, _ v: Int, _ lo: Int, _ hi: Int) throws(PaveFormatError) {
            if v > hi { throw .limitExceeded(path: path, field: f.name, offset: f.rawValue, value: v, limit: hi) }
            if v < lo { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v), less than the minimum \(lo)") }
        }
        try limit(.manifestLength, h.manifestLength, 2, PaveLimits.maxManifestLength)
        try limit(.indexLength, h.indexLength, 8, PaveLimits.maxIndexLength)
        try limit(.layoutLength, h.layoutLength, 16, PaveLimits.maxLayoutLength)
        // Offsets: in order, aligned, exact in a file of this minor version, inside the file.
        func place(_ f: F, _ v: Int, after end: Int, exact: Bool) throws(PaveFormatError) {
            guard let a = PaveLimits.align(end) else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "offset overflow") }
            if exact && sameMinor {
                guard v == a else { throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v), expected \(a)") }
            } else {
                guard v >= end, v % 64 == 0 else {
                    throw .invalidHeader(path: path, field: f.name, offset: f.rawValue, reason: "is \(v); must be a multiple of 64 at or after \(end)")
                }
            }
        }
        try place(.manifestOffset, h.manifestOffset, after: h.headerLength, exact: true)
        let (manifestEnd, o1) = h.manifestOffset.addingReportingOverflow(h.manifestLength)
        guard !o1 else { throw .invalidHeader(path: path, field: F.manifestLength.name, offset: F.manifestLength.rawValue, reason: "offset overflow") }
        try place(.indexOffset, h.indexOffset, after: manifestEnd, exact: true)
        let (indexEnd, o2) = h.indexOffset.addingReportingOverflow(h.indexLength)
        guard !o2 else { throw .invalidHeader(path: path, field: F.indexLength.name, offset: F.indexLength.rawValue, reason: "offset overflow") }
        try place(.dataOffset, h.dataOffset, after: indexEnd, exact: true)
        guard h.dataLength % 64 == 0 else {
            throw .invalidHeader(path: path, field: F.dataLength.name, offset: F.dataLength.rawValue, reason: "is \(h.dataLength); must be a multiple of 64")
        }
        let (dataEnd, o3) = h.dataOffset.addingReportingOverflow(h.dataLength)
        guard !o3, h.layoutOffset == dataEnd else {
            throw .invalidHeader(path: path, field: F.layoutOffset.name, offset: F.layoutOffset.rawValue,
                                 reason: "is \(h.layoutOffset); must equal data_offset + data_length = \(o3 ? "overflow" : String(dataEnd))")
        }
        let (end, o4) = h.layoutOffset.addingReportingOverflow(h.layoutLength)
        guard !o4, end <= fileSize else {
            throw .truncated(path: path, what: "the layout table (end of the file)", offset: h.layoutOffset, needed: h.layoutLength, fileSize: fileSize)
        }
        if sameMinor, end != fileSize {
            throw .invalidHeader(path: path, field: F.layoutLength.name, offset: F.layoutLength.rawValue,
                                 reason: "the file should end at byte \(end) but has \(fileSize - end) more bytes")
        }
        return h
    }
}
