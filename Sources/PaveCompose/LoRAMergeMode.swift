/// How a composed file merges its members' LoRA adapters (spec/composition.md §6). Text form: `cat` or `svd:R`.
public enum LoRAMergeMode: Sendable, Equatable, LosslessStringConvertible {
    /// One adapter of rank Σrᵢ, scales folded into B: exact.
    case cat
    /// The best rank-R approximation of each module's ΔW.
    case svd(rank: Int)

    /// Parses `cat` or `svd:R` with 1 ≤ R ≤ 2²⁰; `nil` otherwise.
    public init?(_ description: String) {
        if description == "cat" { self = .cat; return }
        if description.hasPrefix("svd:"), let r = Int(description.dropFirst(4)), r >= 1, r <= 1 << 20 { self = .svd(rank: r); return }
        return nil
    }

    public var description: String {
        switch self {
        case .cat: return "cat"
        case let .svd(r): return "svd:\(r)"
        }
    }
}
