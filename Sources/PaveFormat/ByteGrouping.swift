/// The lossless byte-grouping transforms of spec §7: `rotate` moves a float's sign bit to the lowest bit so
/// the exponent fills the top byte; `group` stores byte *k* of every element together (plane *k*).
///
/// These loops are the hot path of packing and unpacking; they work on raw pointers, with the sizes checked
/// by the callers (`count` is a multiple of `width`, both buffers have `count` bytes).
enum ByteGrouping {
    /// out = group(rotate?(src)) for elements of `width` bytes (2, 4 or 8).
    static func encode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        precondition(src.count == dst.count && (width == 2 || width == 4 || width == 8) && src.count % width == 0)
        let n = src.count / width
        guard n > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let out = d.assumingMemoryBound(to: UInt8.self)
        switch width {
        case 2:
            for i in 0..<n {
                var v = s.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                if rotate { v = (v << 1) | (v >> 15) }
                out[i] = UInt8(truncatingIfNeeded: v)
                out[n + i] = UInt8(truncatingIfNeeded: v >> 8)
            }
        case 4:
            for i in 0..<n {
                var v = s.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
                if rotate { v = (v << 1) | (v >> 31) }
                out[i] = UInt8(truncatingIfNeeded: v)
                out[n + i] = UInt8(truncatingIfNeeded: v >> 8)
                out[2 * n + i] = UInt8(truncatingIfNeeded: v >> 16)
                out[3 * n + i] = UInt8(truncatingIfNeeded: v >> 24)
            }
        default:
            for i in 0..<n {
                var v = s.loadUnaligned(fromByteOffset: width * i, as: UInt64.self)
                if rotate { v = (v << 1) | (v >> 63) }
                for k in 0..<8 { out[k * n + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            }
        }
    }

    /// The inverse of ``encode(_:into:width:rotate:)``.
    static func decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        precondition(src.count == dst.count && (width == 2 || width == 4 || width == 8) && src.count % width == 0)
        let n = src.count / width
        guard n > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let p = s.assumingMemoryBound(to: UInt8.self)
        switch width {
        case 2:
            for i in 0..<n {
                var v = UInt16(p[i]) | UInt16(p[n + i]) << 8
                if rotate { v = (v >> 1) | (v << 15) }
                d.storeBytes(of: v.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case 4:
            for i in 0..<n {
                var v = UInt32(p[i]) | UInt32(p[n + i]) << 8 | UInt32(p[2 * n + i]) << 16 | UInt32(p[3 * n + i]) << 24
                if rotate { v = (v >> 1) | (v << 31) }
                d.storeBytes(of: v.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
            }
        default:
            for i in 0..<n {
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(p[k * n + i]) << (8 * UInt64(k)) }
                if rotate { v = (v >> 1) | (v << 63) }
                d.storeBytes(of: v.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
            }
        }
    }
}
