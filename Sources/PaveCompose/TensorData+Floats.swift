import PaveFormat

extension TensorData {
    /// The elements as fp32 (F32, F16, BF16 exactly; F64 rounded); `nil` for other dtypes.
    func floatValues() -> [Float]? {
        let n = elementCount
        var out = [Float](repeating: 0, count: n)
        switch dtype {
        case .f32:
            for i in 0..<n { out[i] = Float(bitPattern: u32(4 * i)) }
        case .bf16:
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(u16(2 * i)) << 16) }
        case .f16:
            for i in 0..<n { out[i] = Float(Float16(bitPattern: u16(2 * i))) }
        case .f64:
            for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(u32(8 * i)) | (UInt64(u32(8 * i + 4)) << 32))) }
        default:
            return nil
        }
        return out
    }

    private func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | (UInt16(bytes[o + 1]) << 8) }
    private func u32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | (UInt32(bytes[o + 1]) << 8) | (UInt32(bytes[o + 2]) << 16) | (UInt32(bytes[o + 3]) << 24)
    }
}
