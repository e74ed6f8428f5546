import PaveFormat

/// The `torch.<Type>Storage` classes a checkpoint may name, and the dtype of their elements.
public enum TorchStorageType: String, CaseIterable, Sendable {
    case float = "FloatStorage"
    case bfloat16 = "BFloat16Storage"
    case half = "HalfStorage"
    case double = "DoubleStorage"
    case long = "LongStorage"
    case int = "IntStorage"
    case short = "ShortStorage"
    case char = "CharStorage"
    case byte = "ByteStorage"
    case bool = "BoolStorage"

    /// Element dtype.
    public var dtype: DType {
        switch self {
        case .float: return .f32
        case .bfloat16: return .bf16
        case .half: return .f16
        case .double: return .f64
        case .long: return .i64
        case .int: return .i32
        case .short: return .i16
        case .char: return .i8
        case .byte: return .u8
        case .bool: return .bool
        }
    }

    /// The storage type holding `dtype`, or `nil` when torch has none we write (unsigned > 8 bit, fp8, …).
    public init?(dtype: DType) {
        guard let t = Self.allCases.first(where: { $0.dtype == dtype }) else { return nil }
        self = t
    }

    /// Element size in bytes.
    public var elementSize: Int { dtype.byteSize ?? 1 }
}
