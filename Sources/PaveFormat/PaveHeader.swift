import Crypto

/// The fixed header at the start of a `.pave` file (spec §3).
struct PaveHeader: Equatable {
    var major = PaveLimits.major
    var minor = PaveLimits.minor
    var headerLength = PaveLimits.headerLength
    var flags: UInt64 = 0
    var manifestOffset = 0
    var manifestLength = 0
    var indexOffset = 0
    var indexLength = 0
    var layoutOffset = 0
    var layoutLength = 0
    var dataOffset = 0
    var dataLength = 0
    var digest = [UInt8](repeating: 0, count: 32)

    /// Byte offsets of the fields, for error messages.
    enum Field: Int {
        case magic = 0, major = 8, minor = 10, headerLength = 12, flags = 16
        case manifestOffset = 24, manifestLength = 32, indexOffset = 40, indexLength = 48
        case layoutOffset = 56, layoutLength = 64, dataOffset = 72, dataLength = 80, digest = 88, headerCheck = 120

        var name: String {
            switch self {
            case .magic: return "magic"
            case .major: return "major"
            case .minor: return "minor"
            case .headerLength: return "header_length"
            case .flags: return "flags"
            case .manifestOffset: return "manifest_offset"
            case .manifestLength: return "manifest_length"
            case .indexOffset: return "index_offset"
            case .indexLength: return "index_length"
            case .layoutOffset: return "layout_offset"
            case .layoutLength: return "layout_length"
            case .dataOffset: return "data_offset"
            case .dataLength: return "data_length"
            case .digest: return "digest"
            case .headerCheck: return "header_check"
            }
        }
    }

    /// The 128 header bytes, `header_check` included.
    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: PaveLimits.headerLength)
        w.append(PaveLimits.magic)
        w.u16(UInt16(major))
        w.u16(UInt16(minor))
        w.u32(UInt32(headerLength))
        w.u64(flags)
        for v in [manifestOffset, manifestLength, indexOffset, indexLength, layoutOffset, layoutLength, dataOffset, dataLength] { w.u64(v) }
        w.append(digest)
        w.append(Self.check(w.bytes))
        return w.bytes
    }

    /// First 8 bytes of SHA-256 over header bytes 0 ..< 120.
    static func check(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes[0..<Field.headerCheck.rawValue]).prefix(8))
    }

    /// The patch digest (spec §8).
    static func digest(manifest: [UInt8], index: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: PaveLimits.digestDomain)
        var w = ByteWriter()
        w.u64(manifest.count)
        h.update(data: w.bytes)
        h.update(data: manifest)
        w = ByteWriter()
        w.u64(index.count)
        h.update(data: w.bytes)
        h.update(data: index)
        return Array(h.finalize())
    }
}
