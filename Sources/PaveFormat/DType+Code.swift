extension DType {
    /// The one-byte code a `.pave` index stores for this dtype (spec §5.2).
    public var paveCode: UInt8 {
        switch self {
        case .bool: return 1
        case .u8: return 2
        case .i8: return 3
        case .i16: return 4
        case .u16: return 5
        case .i32: return 6
        case .u32: return 7
        case .i64: return 8
        case .u64: return 9
        case .f16: return 10
        case .bf16: return 11
        case .f32: return 12
        case .f64: return 13
        case .f8e4m3: return 14
        case .f8e5m2: return 15
        case .f8e8m0: return 16
        case .f4: return 17
        case .f6e2m3: return 18
        case .f6e3m2: return 19
        case .c64: return 20
        }
    }

    /// The dtype of a `.pave` dtype code, or nil for an undefined code.
    public init?(paveCode: UInt8) {
        guard let d = DType.allCases.first(where: { $0.paveCode == paveCode }) else { return nil }
        self = d
    }
}
