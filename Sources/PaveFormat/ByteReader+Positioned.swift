extension ByteReader {
    /// Reads a little-endian u16 at `index` of `bytes` (no cursor), nil if out of range.
    public static func u16(_ bytes: [UInt8], at index: Int) -> UInt16? {
        guard index >= 0, index <= bytes.count - 2 else { return nil }
        return UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
    }

    /// Reads a little-endian u32 at `index` of `bytes` (no cursor), nil if out of range.
    public static func u32(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index >= 0, index <= bytes.count - 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[index + i]) << (8 * UInt32(i)) }
        return v
    }

    /// A cursor over `bytes` positioned at `index` (clamped to the buffer), for records found by scanning.
    public init(_ bytes: [UInt8], base: Int = 0, position index: Int) {
        self.init(bytes, base: base)
        _ = take(min(max(0, index), bytes.count))
    }
}
