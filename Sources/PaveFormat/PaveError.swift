/// What kind of failure an error is; the CLI maps it to an exit status.
public enum PaveErrorCategory: String, Sendable, Codable {
    /// The input (a file, a tensor, a manifest field) is damaged, invalid or does not fit: exit 1.
    case invalidInput = "invalid_input"
    /// A numerical or structural check failed (verify): exit 1.
    case checkFailed = "check_failed"
    /// The command was called wrongly (bad option value, missing argument): exit 2.
    case usage
    /// The system failed us (cannot open, read, write, disk full): exit 2.
    case io
}

/// Implemented by every error type of pavepkg's libraries: a stable machine-readable code
/// (`"format.bad_magic"`, `"safetensors.invalid_header"`, …) for `--json` output, a category for the exit
/// status, and a message (``description``) that names the file / tensor / field and what was expected.
public protocol PaveError: Error, CustomStringConvertible, Sendable {
    /// Stable dotted code, e.g. `"format.truncated"`.
    var code: String { get }
    /// What kind of failure this is.
    var category: PaveErrorCategory { get }
}

extension SafetensorsError: PaveError {
    public var code: String {
        switch self {
        case .io: return "safetensors.io"
        case .notSafetensors: return "safetensors.not_safetensors"
        case .invalidHeader: return "safetensors.invalid_header"
        case .missingTensor: return "safetensors.missing_tensor"
        }
    }
    public var category: PaveErrorCategory {
        if case .io = self { return .io }
        return .invalidInput
    }
}

extension AtomicFileError: PaveError {
    public var code: String { "io.write" }
    public var category: PaveErrorCategory { .io }
}

extension RandomAccessFileError: PaveError {
    public var code: String {
        switch self {
        case .cannotOpen: return "io.open"
        case .readFailed: return "io.read"
        case .truncated: return "io.truncated"
        }
    }
    public var category: PaveErrorCategory {
        if case .truncated = self { return .invalidInput }
        return .io
    }
}

extension TensorDataError: PaveError {
    public var code: String { "tensor.shape" }
    public var category: PaveErrorCategory { .invalidInput }
}
