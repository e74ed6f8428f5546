import PaveFormat

/// One way a patch's tensors fail to match its declared semantics.
public enum TensorIssue: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A tensor the declared architecture needs is not in the file.
    case missing(name: String, role: String, expected: String)
    /// A tensor that no declared role accounts for.
    case extra(name: String, shape: [Int])
    /// A tensor of the wrong shape.
    case wrongShape(name: String, role: String, shape: [Int], expected: String)
    /// A tensor of a dtype the role does not accept.
    case wrongDType(name: String, role: String, dtype: DType, allowed: [DType])

    /// The tensor the issue is about.
    public var tensorName: String {
        switch self {
        case let .missing(n, _, _), let .extra(n, _), let .wrongShape(n, _, _, _), let .wrongDType(n, _, _, _): return n
        }
    }

    public var description: String {
        switch self {
        case let .missing(name, role, expected):
            return "missing tensor \"\(name)\" (\(role), expected shape \(expected))"
        case let .extra(name, shape):
            return "unexpected tensor \"\(name)\" \(Shape.describe(shape)): no fusion parameter, LoRA module or reference set declared in the manifest accounts for it"
        case let .wrongShape(name, role, shape, expected):
            return "tensor \"\(name)\" (\(role)) has shape \(Shape.describe(shape)), expected \(expected)"
        case let .wrongDType(name, role, dtype, allowed):
            return "tensor \"\(name)\" (\(role)) has dtype \(dtype.rawValue), expected one of \(allowed.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

/// Errors of the patch semantics: a manifest section that does not parse or is not consistent, or tensors
/// that do not match the declared architecture.
public enum PatchSemanticsError: PaveError, Equatable {
    /// A manifest section (`fusion`, `lora`, `side_channel`, `reference_vectors`) does not decode.
    case invalidSection(key: String, reason: String)
    /// A hyperparameter is out of range or inconsistent with another (`field` is the JSON field name).
    case invalidArchitecture(field: String, reason: String)
    /// The tensors do not match the declared semantics; every issue found is listed (sorted by tensor name).
    case tensorMismatch(issues: [TensorIssue])
    /// An in-memory tensor map has no tensor `name`.
    case missingTensorData(name: String)

    public var code: String {
        switch self {
        case .invalidSection: return "semantics.invalid_section"
        case .invalidArchitecture: return "semantics.invalid_architecture"
        case .tensorMismatch: return "semantics.tensor_mismatch"
        case .missingTensorData: return "semantics.missing_tensor"
        }
    }

    public var category: PaveErrorCategory { .invalidInput }

    public var description: String {
        switch self {
        case let .invalidSection(key, reason):
            return "manifest section \"\(key)\" is invalid: \(reason)"
        case let .invalidArchitecture(field, reason):
            return "fusion architecture field \"\(field)\": \(reason)"
        case let .tensorMismatch(issues):
            let shown = issues.prefix(20).map { "  " + $0.description }
            let more = issues.count > 20 ? ["  … and \(issues.count - 20) more"] : []
            return "the tensors do not match the declared patch semantics (\(issues.count) issue\(issues.count == 1 ? "" : "s")):\n"
                + (shown + more).joined(separator: "\n")
        case let .missingTensorData(name):
            return "no tensor named \"\(name)\""
        }
    }
}
