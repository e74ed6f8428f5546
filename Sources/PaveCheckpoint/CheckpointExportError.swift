import PaveFormat
import PaveModel
import PaveTorch

/// Why a patch could not be exported as a PAVE checkpoint, safetensors file or PEFT adapter.
public enum CheckpointExportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The output directory exists already.
    case outputExists(path: String)
    /// A manifest section the chosen format needs is missing or invalid.
    case invalidPatch(reason: String)
    /// torch has no storage type for this dtype.
    case unsupportedDType(tensor: String, dtype: String)
    /// The output would need zip64 entries (over 4 GiB).
    case tooLarge(path: String, reason: String)
    /// A tensor's bytes do not match the SHA-256 its source records.
    case hashMismatch(tensor: String)
    /// Creating or moving the output failed.
    case io(String)

    public var description: String {
        switch self {
        case let .outputExists(path): return "\(path) exists already; choose a new output directory"
        case let .invalidPatch(reason): return "cannot export this patch: \(reason)"
        case let .unsupportedDType(tensor, dtype): return "tensor \"\(tensor)\" has dtype \(dtype), which torch.save cannot store as a storage type"
        case let .tooLarge(path, reason): return "\(path): \(reason) (zip64 records are not written)"
        case let .hashMismatch(tensor): return "tensor \"\(tensor)\" does not match its recorded SHA-256 (the patch file is damaged); nothing was written"
        case let .io(m): return m
        }
    }
}

extension CheckpointExportError: PaveError {
    public var code: String {
        switch self {
        case .outputExists: return "export.output_exists"
        case .invalidPatch: return "export.invalid_patch"
        case .unsupportedDType: return "export.unsupported_dtype"
        case .tooLarge: return "export.too_large"
        case .hashMismatch: return "export.hash_mismatch"
        case .io: return "export.io"
        }
    }
    public var category: PaveErrorCategory {
        switch self {
        case .outputExists: return .usage
        case .io: return .io
        default: return .invalidInput
        }
    }
}
