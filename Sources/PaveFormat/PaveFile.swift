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
    /// Decode contexts and streaming slots, shared by every open file of the process (a `verify` opens a file
    /// more than once; fresh zstd contexts and buffers each time cost a memset and a page fault per 4 KiB).
    var codecs: ChunkCodecPool { ChunkCodecPool.shared }
    var scratch: ScratchBufferPool { ScratchBufferPool.shared }

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
            throw PaveFormatError.digestMismatch(path: path, expected: Digest.prefixed(h.digest), actual: Digest.prefixed(digest))
        }
        let layoutBytes = try read(h.layoutOffset, h.layoutLength, "the layout table")
        entries = try PaveIndexCodec.decodeLayout(layoutBytes, at: h.layoutOffset, index: index, dataOffset: h.dataOffset,
                                                  dataLength: h.dataLength, path: path)
        self.manifest = manifest
        self.manifestBytes = manifestBytes
        self.digest = Digest.prefixed(digest)
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

    /// Checks the 128 header bytes and the section bounds against `fileSize` (spec §3, §10): decode, then the
    /// named checks of ``PaveHeader/Stored/validate(fileSize:path:)``.
    static func parseHeader(_ b: [UInt8], fileSize: Int, path: String) throws(PaveFormatError) -> PaveHeader {
        try PaveHeader.decode(b, fileSize: fileSize, path: path).validate(fileSize: fileSize, path: path)
    }
}
