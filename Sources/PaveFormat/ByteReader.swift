/// Reads little-endian integers from a byte buffer that was loaded from `base` in a file, tracking the absolute
/// offset of each field so errors can name it. Every read is bounds-checked. The one little-endian byte
/// cursor of the code base (container, zip and pickle parsers).
public struct ByteReader: Sendable {
    /// The buffer read from.
    public let bytes: [UInt8]
    /// Absolute file offset of `bytes[0]`.
    public let base: Int
    /// Index in `bytes` of the next byte.
    public private(set) var position = 0

    /// A cursor at the start of `bytes`, which were read from absolute offset `base`.
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
    }

    /// Absolute file offset of the next byte.
    public var offset: Int { base + position }
    /// Bytes left after the cursor.
    public var remaining: Int { bytes.count - position }
    /// Whether every byte was read.
    public var isAtEnd: Bool { position == bytes.count }

    /// Reads `n` bytes, or nil when fewer remain.
    public mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n <= remaining else { return nil }
        defer { position += n }
        return bytes[position..<position + n]
    }

    /// Reads one byte, or nil at the end.
    public mutating func u8() -> UInt8? { take(1).map { $0[$0.startIndex] } }
    /// Reads a little-endian u16, or nil when fewer than 2 bytes remain.
    public mutating func u16() -> UInt16? { take(2).map { le($0) }.map { UInt16(truncatingIfNeeded: $0) } }
    /// Reads a little-endian u32, or nil when fewer than 4 bytes remain.
    public mutating func u32() -> UInt32? { take(4).map { le($0) }.map { UInt32(truncatingIfNeeded: $0) } }
    /// Reads a little-endian u64, or nil when fewer than 8 bytes remain.
    public mutating func u64() -> UInt64? { take(8).map { le($0) } }

    private func le(_ s: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    /// Reads a little-endian u64 at `index` of `bytes` (no cursor), nil if out of range.
    public static func u64(_ bytes: [UInt8], at index: Int) -> UInt64? {
        guard index >= 0, index <= bytes.count - 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
        return v
    }
}
