/// The one little-endian byte cursor of pavepkg for reading (with ``ByteWriter`` for writing): integers from a
/// byte buffer that was loaded from `base` in a file, tracking the absolute offset of each field so errors can
/// name it. Every read is bounds-checked and returns nil past the end (never traps), like swift-nio's
/// `ByteBuffer.readInteger`.
public struct ByteReader: Sendable {
    /// The bytes read.
    public let bytes: [UInt8]
    /// Absolute file offset of `bytes[0]`.
    public let base: Int
    /// Index of the next byte in `bytes`.
    public private(set) var position = 0

    /// A cursor at the start of `bytes`, which were loaded from file offset `base`.
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
    }

    /// Absolute file offset of the next byte.
    public var offset: Int { base + position }
    /// Bytes left.
    public var remaining: Int { bytes.count - position }
    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == bytes.count }

    /// Reads `n` bytes, or nil when fewer remain. The slice keeps `bytes`' indices (it does not start at 0).
    public mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n <= remaining else { return nil }
        defer { position += n }
        return bytes[position..<position + n]
    }

    /// Reads a little-endian integer of `T`'s width, or nil when fewer bytes remain.
    public mutating func readInteger<T: FixedWidthInteger>(as: T.Type = T.self) -> T? {
        let n = MemoryLayout<T>.size
        guard n <= remaining else { return nil }
        defer { position += n }
        return Self.integer(bytes, at: position, as: T.self)
    }

    public mutating func u8() -> UInt8? { readInteger() }
    public mutating func u16() -> UInt16? { readInteger() }
    public mutating func u32() -> UInt32? { readInteger() }
    public mutating func u64() -> UInt64? { readInteger() }

    /// Reads a little-endian `T` at `index` of `bytes` (no cursor), nil if out of range.
    public static func integer<T: FixedWidthInteger>(_ bytes: [UInt8], at index: Int, as: T.Type = T.self) -> T? {
        let n = MemoryLayout<T>.size
        guard index >= 0, index <= bytes.count - n else { return nil }
        var v = T.zero
        for i in 0..<n { v |= T(truncatingIfNeeded: bytes[index + i]) << (8 * i) }
        return v
    }

    /// Reads a little-endian u64 at `index` of `bytes` (no cursor), nil if out of range.
    public static func u64(_ bytes: [UInt8], at index: Int) -> UInt64? { integer(bytes, at: index) }
}
