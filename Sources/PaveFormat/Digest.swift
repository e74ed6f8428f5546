import Crypto

/// A SHA-256 content digest, written `sha256:<64 lowercase hex>` everywhere pavepkg reads or writes one: the
/// patch digest, tensor hashes, blob names, OCI descriptors, signature subjects.
///
/// Parse a digest once at the edge with ``init(parsing:)`` and pass the value around; ``description`` gives
/// the `sha256:` form back and ``hex`` the bare 64 digits.
public struct Digest: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The algorithm prefix every digest carries.
    public static let algorithmPrefix = "sha256:"

    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// A digest from its 32 raw bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses `sha256:<64 lowercase hex>`; `nil` for anything else (upper case, other algorithms, wrong length).
    public init?(parsing text: some StringProtocol) {
        guard text.hasPrefix(Self.algorithmPrefix) else { return nil }
        self.init(hex: text.dropFirst(Self.algorithmPrefix.utf8.count))
    }

    /// Parses 64 lowercase hex digits without a prefix; `nil` for anything else.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let hi = Self.nibble(utf8[i]), let lo = Self.nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self.bytes = out
    }

    /// The SHA-256 of `data`.
    public init(of data: some Sequence<UInt8>) {
        var hasher = SHA256()
        hasher.update(data: Array(data))
        self.init(finalizing: hasher)
    }

    /// The SHA-256 of `count` bytes of `source` from `offset` (default: to its end), read `chunkSize` bytes at a
    /// time, so memory stays one piece whatever the size; `progress(done, count)` after each piece.
    /// - Throws: what `source` throws for a range it cannot deliver.
    public init(of source: some PaveByteSource, offset: Int = 0, count: Int? = nil, chunkSize: Int = 4 << 20,
                progress: ((Int64, Int64) -> Void)? = nil) throws {
        let total = count ?? max(0, source.size - offset)
        var hasher = SHA256()
        var done = 0
        while done < total {
            let n = min(chunkSize, total - done)
            hasher.update(data: try source.read(at: offset + done, count: n))
            done += n
            progress?(Int64(done), Int64(total))
        }
        self.init(finalizing: hasher)
    }

    /// The digest a running hasher has reached.
    public init(finalizing hasher: SHA256) {
        self.bytes = Array(hasher.finalize())
    }

    /// The 64 lowercase hex digits, without the prefix.
    public var hex: String { Self.hexString(bytes) }

    /// `sha256:<hex>`.
    public var description: String { Self.algorithmPrefix + hex }

    /// The first `count` hex digits (for short displays such as `list`).
    public func shortHex(_ count: Int = 12) -> String { String(hex.prefix(count)) }

    /// `sha256:<hex>` of 32 raw digest bytes (a hash already computed elsewhere, e.g. read from an index).
    public static func prefixed(_ raw: some Sequence<UInt8>) -> String { algorithmPrefix + hexString(raw) }

    /// Whether `text` is a well-formed `sha256:<64 lowercase hex>` digest.
    public static func isValid(_ text: some StringProtocol) -> Bool { Digest(parsing: text) != nil }

    /// Lowercase hex of any bytes.
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = Digest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "\"\(text.prefix(80))\" is not a digest: expected sha256:<64 lowercase hex>"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
