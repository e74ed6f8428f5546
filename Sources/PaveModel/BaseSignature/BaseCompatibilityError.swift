import PaveFormat

/// Raised by the load-time guard ``BaseCompatibility/require(manifest:tensorShapes:against:)`` when a patch
/// does not fit the base it is about to be applied to.
public enum BaseCompatibilityError: PaveError, Equatable {
    /// Every mismatch found, and the base the patch declares (for the hint).
    case incompatible(patch: String, base: String, declaredBase: String?, mismatches: [BaseMismatch])

    public var code: String { "base.incompatible" }
    public var category: PaveErrorCategory { .checkFailed }

    /// The mismatches.
    public var mismatches: [BaseMismatch] {
        switch self { case let .incompatible(_, _, _, m): return m }
    }

    public var description: String {
        switch self {
        case let .incompatible(patch, base, declared, mismatches):
            var lines = ["patch \"\(patch)\" does not fit base model \"\(base)\": \(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es")"]
            lines += mismatches.map { "  - " + $0.message }
            if let declared, declared != base {
                lines.append("hint: maybe wrong base model? the patch was made for \"\(declared)\"")
            } else {
                lines.append("hint: maybe wrong base model?")
            }
            return lines.joined(separator: "\n")
        }
    }
}
