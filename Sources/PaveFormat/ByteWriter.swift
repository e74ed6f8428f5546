/// The one little-endian byte cursor of pavepkg for writing (with ``ByteReader`` for reading): appends integers
/// and bytes to a growing buffer (index, layout and header encoding), like swift-nio's `ByteBuffer.writeInteger`.
public struct ByteWriter: Sendable {
    /// Everything written so far.
    public var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends `v` little-endian, in `T`'s width.
    public mutating func writeInteger<T: FixedWidthInteger>(_ v: T) {
        for i in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { writeInteger(v) }
    public mutating func u32(_ v: UInt32) { writeInteger(v) }
    public mutating func u64(_ v: UInt64) { writeInteger(v) }
    /// Writes a non-negative Int as u64 (negative values clamp to 0).
    public mutating func u64(_ v: Int) { u64(UInt64(clamping: v)) }
    /// Appends raw bytes.
    public mutating func append(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }
    /// Appends `n` zero bytes.
    public mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
}
