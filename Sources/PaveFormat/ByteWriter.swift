/// Appends little-endian integers and bytes to a growing buffer (index, layout and header encoding, zip and
/// pickle writing).
public struct ByteWriter: Sendable {
    /// Everything written so far.
    public var bytes: [UInt8] = []

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends one byte.
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    /// Appends a little-endian u16.
    public mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt16(i)))) } }
    /// Appends a little-endian u32.
    public mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    /// Appends a little-endian u64.
    public mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    /// Writes a non-negative Int as u64.
    public mutating func u64(_ v: Int) { u64(UInt64(clamping: v)) }
    /// Appends raw bytes.
    public mutating func append(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }
    /// Appends `n` zero bytes.
    public mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
}
