import PaveFormat

/// Errors of the executor: missing or ill-shaped weights and inputs, bad run options.
public enum ExecutorError: PaveError, Equatable {
    /// A tensor needed by the forward is not there.
    case missingTensor(name: String, role: String)
    /// A weight or input tensor has the wrong shape; `expected` is written like `[T_q, S_q, 1152]`.
    case wrongShape(name: String, shape: [Int], expected: String)
    /// A tensor's dtype cannot be converted to fp32 (only F32, F16, BF16 can).
    case unsupportedDType(name: String, dtype: DType)
    /// A run option is out of range (`chunk_num`, `side_length`, a module name, …).
    case invalidOption(name: String, reason: String)
    /// The inputs violate a requirement of the module (e.g. RoPE needs square token grids).
    case unsupportedInput(name: String, reason: String)
    /// The patch has no fusion module / no LoRA adapters / no such LoRA module.
    case notInPatch(what: String)
    /// Reading a tensor failed (the system: cannot read the file).
    case read(name: String, message: String)
    /// A tensor's stored bytes are damaged (a chunk that does not decode, a hash that does not match).
    case damagedTensor(name: String, message: String)

    /// The error for a failed read of tensor `name`: ``damagedTensor(name:message:)`` when `error` says the
    /// stored data is damaged or invalid (exit status 1), else ``read(name:message:)`` (I/O, exit status 2).
    public static func reading(_ name: String, _ error: any Error) -> ExecutorError {
        if let e = error as? any PaveError, e.category == .invalidInput || e.category == .checkFailed {
            return .damagedTensor(name: name, message: e.description)
        }
        return .read(name: name, message: "\(error)")
    }

    public var code: String {
        switch self {
        case .missingTensor: return "executor.missing_tensor"
        case .wrongShape: return "executor.wrong_shape"
        case .unsupportedDType: return "executor.unsupported_dtype"
        case .invalidOption: return "executor.invalid_option"
        case .unsupportedInput: return "executor.unsupported_input"
        case .notInPatch: return "executor.not_in_patch"
        case .read: return "executor.read"
        case .damagedTensor: return "executor.damaged_tensor"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .invalidOption: return .usage
        case .read: return .io
        case .damagedTensor: return .checkFailed
        default: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case let .missingTensor(name, role): return "missing tensor \"\(name)\" (\(role))"
        case let .wrongShape(name, shape, expected): return "tensor \"\(name)\" has shape \(Shape.describe(shape)), expected \(expected)"
        case let .unsupportedDType(name, dtype): return "tensor \"\(name)\" has dtype \(dtype.rawValue); only F32, F16 and BF16 can be run"
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .unsupportedInput(name, reason): return "\(name): \(reason)"
        case let .notInPatch(what): return "the patch has no \(what)"
        case let .read(name, message): return "cannot read tensor \"\(name)\": \(message)"
        case let .damagedTensor(name, message): return "tensor \"\(name)\" is damaged: \(message)"
        }
    }
}
