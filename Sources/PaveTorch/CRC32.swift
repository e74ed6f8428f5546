import PaveFormat
/// CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320 reflected), as zip archives store it, computed by
/// zlib's `crc32`. Feed data incrementally with ``update(_:)``.
public struct CRC32: Sendable {
    /// Current checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    /// A checksum of no bytes yet.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        value = Zlib.crc32(value, bytes)
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
