import PaveFormat

/// Bit-level conversions between stored float formats and fp32 (much faster than `Float16` library calls
/// at the default x86-64 target).
public enum FloatConversion {
    /// `bytes` (little-endian `dtype` values) → fp32; `nil` for a dtype other than F32, F16, BF16 or a byte count
    /// that does not match `count`.
    public static func toFloat32(_ bytes: [UInt8], dtype: DType, count: Int) -> [Float]? {
        switch dtype {
        case .f32:
            guard bytes.count == count * 4 else { return nil }
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                HugePages.advise(UnsafeMutableRawBufferPointer(out))  // fresh fp32 copies of whole tensors: few faults
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                }
                n = count
            }
        case .bf16:
            guard bytes.count == count * 2 else { return nil }
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                HugePages.advise(UnsafeMutableRawBufferPointer(out))  // fresh fp32 copies of whole tensors: few faults
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count {
                        let h = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        out[i] = Float(bitPattern: UInt32(h) << 16)
                    }
                }
                n = count
            }
        case .f16:
            guard bytes.count == count * 2 else { return nil }
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                HugePages.advise(UnsafeMutableRawBufferPointer(out))  // fresh fp32 copies of whole tensors: few faults
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count {
                        out[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                }
                n = count
            }
        default:
            return nil
        }
    }

    /// IEEE binary16 bits → fp32 (exact; subnormals, infinities and NaN payloads included).
    @inline(__always)
    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1f
        let mant = UInt32(h & 0x3ff)
        if exp == 0 {
            // ±0 or subnormal: mant · 2⁻²⁴, exact in fp32.
            let v = Float(mant) * 0x1p-24
            return sign == 0 ? v : -v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
    }

    /// fp32 → bfloat16 bits, round to nearest even (NaN stays NaN).
    @inline(__always)
    public static func floatToBFloat16(_ f: Float) -> UInt16 {
        let b = f.bitPattern
        if f.isNaN { return UInt16(b >> 16) | 0x40 }
        let rounded = b &+ 0x7fff &+ ((b >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// fp32 values → little-endian bytes.
    public static func float32Bytes(_ values: [Float]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 4) { out, n in
            for (i, v) in values.enumerated() {
                let b = v.bitPattern
                out[4 * i] = UInt8(truncatingIfNeeded: b); out[4 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
                out[4 * i + 2] = UInt8(truncatingIfNeeded: b >> 16); out[4 * i + 3] = UInt8(truncatingIfNeeded: b >> 24)
            }
            n = values.count * 4
        }
    }
}
