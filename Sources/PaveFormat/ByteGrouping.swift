/// The lossless byte-grouping transforms of spec §7: `rotate` moves a float's sign bit to the lowest bit so
/// the exponent fills the top byte; `group` stores byte *k* of every element together (plane *k*).
///
/// These loops are the hot path of packing and unpacking; they work on raw pointers, with the sizes checked
/// by the callers (`count` is a multiple of `width`, both buffers have `count` bytes), and are written as
/// branch-free loops that the compiler vectorises.
enum ByteGrouping {
    /// out = group(rotate?(src)) for elements of `width` bytes (2, 4 or 8).
    static func encode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        precondition(src.count == dst.count && (width == 2 || width == 4 || width == 8) && src.count % width == 0)
        let n = src.count / width
        guard n > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let out = d.assumingMemoryBound(to: UInt8.self)
        switch (width, rotate) {
        case (2, false): for i in 0..<n { split2(s.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self), out, n, i) }
        case (2, true):
            for i in 0..<n {
                let v = s.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self)
                split2((v &<< 1) | (v &>> 15), out, n, i)
            }
        case (4, false): for i in 0..<n { split4(s.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self), out, n, i) }
        case (4, true):
            for i in 0..<n {
                let v = s.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self)
                split4((v &<< 1) | (v &>> 31), out, n, i)
            }
        default:
            for i in 0..<n {
                var v = s.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self)
                if rotate { v = (v &<< 1) | (v &>> 63) }
                for k in 0..<8 { out[k &* n &+ i] = UInt8(truncatingIfNeeded: v &>> (8 &* UInt64(k))) }
            }
        }
    }

    /// The inverse of ``encode(_:into:width:rotate:)``.
    static func decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        precondition(src.count == dst.count && (width == 2 || width == 4 || width == 8) && src.count % width == 0)
        let n = src.count / width
        guard n > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        let p = s.assumingMemoryBound(to: UInt8.self)
        switch (width, rotate) {
        case (2, false): for i in 0..<n { d.storeBytes(of: join2(p, n, i), toByteOffset: 2 &* i, as: UInt16.self) }
        case (2, true):
            for i in 0..<n {
                let v = join2(p, n, i)
                d.storeBytes(of: (v &>> 1) | (v &<< 15), toByteOffset: 2 &* i, as: UInt16.self)
            }
        case (4, false): for i in 0..<n { d.storeBytes(of: join4(p, n, i), toByteOffset: 4 &* i, as: UInt32.self) }
        case (4, true):
            for i in 0..<n {
                let v = join4(p, n, i)
                d.storeBytes(of: (v &>> 1) | (v &<< 31), toByteOffset: 4 &* i, as: UInt32.self)
            }
        default:
            for i in 0..<n {
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(p[k &* n &+ i]) &<< (8 &* UInt64(k)) }
                if rotate { v = (v &>> 1) | (v &<< 63) }
                d.storeBytes(of: v.littleEndian, toByteOffset: 8 &* i, as: UInt64.self)
            }
        }
    }

    // Element-wise helpers: plain loops over them, without branches, are what LLVM vectorises (little-endian
    // hosts, as everywhere Swift runs on Linux).

    @inline(__always)
    private static func split2(_ v: UInt16, _ out: UnsafeMutablePointer<UInt8>, _ n: Int, _ i: Int) {
        out[i] = UInt8(truncatingIfNeeded: v)
        out[n &+ i] = UInt8(truncatingIfNeeded: v &>> 8)
    }

    @inline(__always)
    private static func split4(_ v: UInt32, _ out: UnsafeMutablePointer<UInt8>, _ n: Int, _ i: Int) {
        out[i] = UInt8(truncatingIfNeeded: v)
        out[n &+ i] = UInt8(truncatingIfNeeded: v &>> 8)
        out[2 &* n &+ i] = UInt8(truncatingIfNeeded: v &>> 16)
        out[3 &* n &+ i] = UInt8(truncatingIfNeeded: v &>> 24)
    }

    @inline(__always)
    private static func join2(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> UInt16 {
        UInt16(p[i]) | UInt16(p[n &+ i]) &<< 8
    }

    @inline(__always)
    private static func join4(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> UInt32 {
        UInt32(p[i]) | UInt32(p[n &+ i]) &<< 8 | UInt32(p[2 &* n &+ i]) &<< 16 | UInt32(p[3 &* n &+ i]) &<< 24
    }
}
