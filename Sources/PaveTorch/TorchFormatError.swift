import PaveFormat

/// Why a `torch.save` file was refused. Nothing in such a file is ever executed: the pickle is read by a
/// closed interpreter that knows a handful of opcodes and globals, and everything else stops the import
/// with one of these errors, naming the file and the byte offset in its `data.pkl`.
public enum TorchFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A pre-1.6 (non-zip) `torch.save` file.
    case legacyFormat(path: String)
    /// Not a `torch.save` zip archive (or its records are missing or damaged).
    case notTorchArchive(path: String, reason: String)
    /// The pickle names a global outside the allow-list (e.g. `os system`).
    case forbiddenGlobal(path: String, offset: Int, global: String)
    /// The pickle calls (`REDUCE` / `BUILD`) something other than the tensor-rebuild functions.
    case forbiddenCall(path: String, offset: Int, callable: String)
    /// An opcode outside the supported protocol-2 subset.
    case unknownOpcode(path: String, offset: Int, opcode: UInt8, name: String?)
    /// The pickle is structurally wrong (stack underflow, wrong argument types, …).
    case malformedPickle(path: String, offset: Int, reason: String)
    /// A length, count, index or nesting depth exceeds a safety limit.
    case limitExceeded(path: String, offset: Int, what: String, limit: Int)
    /// A tensor's storage, offset, size or stride is inconsistent.
    case invalidTensor(path: String, tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .legacyFormat(path):
            return "\(path) uses the unsupported legacy (pre-zip) torch.save format; re-save it with torch ≥ 1.6 (torch.save(torch.load(p, weights_only=True), p)) and try again"
        case let .notTorchArchive(path, reason): return "\(path) is not a torch.save zip archive: \(reason)"
        case let .forbiddenGlobal(path, offset, global):
            return "\(path): data.pkl byte \(offset): refusing global \"\(global)\" (only collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.<Type>Storage are allowed; nothing was executed)"
        case let .forbiddenCall(path, offset, callable):
            return "\(path): data.pkl byte \(offset): refusing to call \(callable) (nothing was executed)"
        case let .unknownOpcode(path, offset, opcode, name):
            let hex = String(opcode, radix: 16)
            return "\(path): data.pkl byte \(offset): opcode 0x\(hex.count < 2 ? "0" + hex : hex)\(name.map { " (\($0))" } ?? "") is outside the protocol-2 subset torch.save emits for a tensor dict"
        case let .malformedPickle(path, offset, reason): return "\(path): data.pkl byte \(offset): \(reason)"
        case let .limitExceeded(path, offset, what, limit): return "\(path): data.pkl byte \(offset): \(what) exceeds the limit of \(limit)"
        case let .invalidTensor(path, tensor, reason): return "\(path): tensor \"\(tensor)\": \(reason)"
        }
    }
}

extension TorchFormatError: PaveError {
    public var code: String {
        switch self {
        case .legacyFormat: return "torch.legacy_format"
        case .notTorchArchive: return "torch.not_torch_archive"
        case .forbiddenGlobal: return "torch.forbidden_global"
        case .forbiddenCall: return "torch.forbidden_call"
        case .unknownOpcode: return "torch.unknown_opcode"
        case .malformedPickle: return "torch.malformed_pickle"
        case .limitExceeded: return "torch.limit_exceeded"
        case .invalidTensor: return "torch.invalid_tensor"
        }
    }
    public var category: PaveErrorCategory { .invalidInput }
}
