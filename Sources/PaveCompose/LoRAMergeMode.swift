/// `--merge-lora` mode (spec/composition.md §6).
public enum LoRAMergeMode: Sendable, Equatable, CustomStringConvertible {
    /// One adapter of rank Σrᵢ, scales folded into B: exact.
    case cat
    /// The best rank-R approximation of each module's ΔW.
    case svd(rank: Int)

    /// Parses `cat` or `svd:R`.
    public init(parsing text: String) throws(ComposeError) {
        if text == "cat" { self = .cat; return }
        if text.hasPrefix("svd:"), let r = Int(text.dropFirst(4)), r >= 1, r <= 1 << 20 { self = .svd(rank: r); return }
        throw .invalidMergeMode(text)
    }

    public var description: String {
        switch self {
        case .cat: return "cat"
        case let .svd(r): return "svd:\(r)"
        }
    }
}
