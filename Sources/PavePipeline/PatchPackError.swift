import PaveFormat

/// Why ``PatchPacker`` refuses a request (beyond the errors of the layers it calls).
public enum PatchPackError: PaveError, Equatable {
    /// A reference vector set was given, but the manifest declares no PAVE patch to run it on.
    case referenceVectorsWithoutPatch

    public var code: String {
        switch self {
        case .referenceVectorsWithoutPatch: return "pack.reference_without_patch"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .referenceVectorsWithoutPatch: return .usage
        }
    }

    public var description: String {
        switch self {
        case .referenceVectorsWithoutPatch:
            return "reference vectors were given, but the manifest declares no PAVE patch (no \"fusion\" or \"lora\" section) to run them on"
        }
    }
}
