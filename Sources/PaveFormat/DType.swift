/// Element types a tensor can hold: every dtype the safetensors format defines, by its safetensors name.
///
/// Raw bytes are always little-endian and row-major, exactly as a safetensors file stores them.
/// Sub-byte types (`F4`, `F6_E2M3`, `F6_E3M2`) pack elements densely; a tensor of such a type must
/// hold a whole number of bytes.
public enum DType: String, CaseIterable, Codable, Sendable, Hashable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case f8e8m0 = "F8_E8M0"
    case f4 = "F4"
    case f6e2m3 = "F6_E2M3"
    case f6e3m2 = "F6_E3M2"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case c64 = "C64"
    case i64 = "I64"
    case u64 = "U64"

    /// Size of one element in bits.
    public var bitSize: Int {
        switch self {
        case .f4: return 4
        case .f6e2m3, .f6e3m2: return 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .f64, .c64, .i64, .u64: return 64
        }
    }

    /// Size of one element in bytes, or `nil` for the sub-byte types.
    public var byteSize: Int? { bitSize % 8 == 0 ? bitSize / 8 : nil }

    /// Whether the element is a floating-point number (the byte-grouping transform applies to these).
    public var isFloatingPoint: Bool {
        switch self {
        case .f8e5m2, .f8e4m3, .f8e8m0, .f4, .f6e2m3, .f6e3m2, .f16, .bf16, .f32, .f64, .c64: return true
        default: return false
        }
    }

    /// Byte length of a tensor of `elementCount` elements, or `nil` on overflow or when the bits do not
    /// make whole bytes.
    public func byteCount(elementCount: Int) -> Int? {
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: bitSize)
        guard !overflow, bits % 8 == 0 else { return nil }
        return bits / 8
    }
}

/// Helpers on tensor shapes.
public enum Shape {
    /// The number of elements of `shape` (1 for a rank-0 scalar), or `nil` on overflow or a negative dim.
    ///
    /// The rule does not depend on the order of the dimensions (spec §5.2): the product of the non-zero
    /// dimensions must fit an `Int`, even when another dimension is zero, so `[0, 2^62, 2^62]` is refused
    /// like `[2^62, 2^62, 0]`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        var hasZero = false
        for d in shape {
            guard d >= 0 else { return nil }
            if d == 0 { hasZero = true; continue }
            let (m, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = m
        }
        return hasZero ? 0 : n
    }

    /// `[2, 3]` → `"[2, 3]"`, `[]` → `"[]"` (used in every shape error message).
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
