/// The lossless byte-grouping transforms of spec §7: `rotate` moves a float's sign bit to the lowest bit so
/// the exponent fills the top byte; `group` stores byte *k* of every element together (plane *k*).
///
/// These loops are the hot path of packing and unpacking; they work on raw pointers, with the sizes checked
/// by the callers (`count` is a multiple of `width`, both buffers have `count` bytes). Widths 2 and 4 work on
/// 16 elements at a time with SIMD vectors (little-endian hosts, as everywhere Swift runs on Linux).
enum ByteGrouping {
    /// out = group(rotate?(src)) for elements of `width` bytes (2, 4 or 8).
    static func encode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        precondition(src.count == dst.count && (width == 2 || width == 4 || width == 8) && src.count % width == 0)
        let n = src.count / width
        guard n > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let out = d.assumingMemoryBound(to: UInt8.self)
        switch width {
        case 2:
            var i = 0
            while i + 16 <= n {
                var v = s.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self)
                if rotate { v = (v &<< 1) | (v &>> 15) }
                UnsafeMutableRawPointer(out + i).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: v), as: SIMD16<UInt8>.self)
                UnsafeMutableRawPointer(out + n + i).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: v &>> 8), as: SIMD16<UInt8>.self)
                i += 16
            }
            for i in i..<n {
                var v = s.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                if rotate { v = (v << 1) | (v >> 15) }
                out[i] = UInt8(truncatingIfNeeded: v)
                out[n + i] = UInt8(truncatingIfNeeded: v >> 8)
            }
        case 4:
            var i = 0
            while i + 16 <= n {
                var v = s.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self)
                if rotate { v = (v &<< 1) | (v &>> 31) }
                for k in 0..<4 {
                    UnsafeMutableRawPointer(out + k * n + i).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: v &>> UInt32(8 * k)), as: SIMD16<UInt8>.self)
                }
                i += 16
            }
            for i in i..<n {
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
            var i = 0
            while i + 16 <= n {
                let lo = SIMD16<UInt16>(truncatingIfNeeded: UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self))
                let hi = SIMD16<UInt16>(truncatingIfNeeded: UnsafeRawPointer(p + n + i).loadUnaligned(as: SIMD16<UInt8>.self))
                var v = lo | (hi &<< 8)
                if rotate { v = (v &>> 1) | (v &<< 15) }
                (d + 2 * i).storeBytes(of: v, as: SIMD16<UInt16>.self)
                i += 16
            }
            for i in i..<n {
                var v = UInt16(p[i]) | UInt16(p[n + i]) << 8
                if rotate { v = (v >> 1) | (v << 15) }
                d.storeBytes(of: v.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case 4:
            var i = 0
            while i + 16 <= n {
                let b0 = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self))
                let b1 = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(p + n + i).loadUnaligned(as: SIMD16<UInt8>.self))
                let b2 = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(p + 2 * n + i).loadUnaligned(as: SIMD16<UInt8>.self))
                let b3 = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(p + 3 * n + i).loadUnaligned(as: SIMD16<UInt8>.self))
                var v = b0 | (b1 &<< 8) | (b2 &<< 16) | (b3 &<< 24)
                if rotate { v = (v &>> 1) | (v &<< 31) }
                (d + 4 * i).storeBytes(of: v, as: SIMD16<UInt32>.self)
                i += 16
            }
            for i in i..<n {
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
