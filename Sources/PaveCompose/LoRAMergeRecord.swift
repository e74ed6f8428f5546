import PaveModel

/// The composed manifest's `lora_merge` section: how the members' LoRA adapters were merged, and the merged
/// adapter itself (kept here rather than in a top-level `lora`, so that single-patch tools never mistake a
/// composed file for a LoRA patch whose other tensors are "extra").
public struct LoRAMergeRecord: Codable, Sendable, Equatable {
    /// `"cat"` or `"svd"`.
    public var mode: String
    /// Rank of the merged adapter.
    public var rank: Int
    /// svd only: module → ‖ΔW − B_R·A_R‖_F / ‖ΔW‖_F.
    public var relativeFrobeniusError: [String: Double]?
    /// The merged adapter (r = alpha = ``rank``, tensor prefix `base_model.model.`); added with weight 1.
    public var adapter: LoRAConfig?

    enum CodingKeys: String, CodingKey {
        case mode, rank, adapter
        case relativeFrobeniusError = "relative_frobenius_error"
    }

    public init(mode: String, rank: Int, relativeFrobeniusError: [String: Double]? = nil, adapter: LoRAConfig? = nil) {
        self.mode = mode; self.rank = rank; self.relativeFrobeniusError = relativeFrobeniusError; self.adapter = adapter
    }
}
