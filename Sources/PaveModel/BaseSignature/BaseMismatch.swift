import PaveFormat

/// One way a patch does not fit a base model, naming the module (or field) and both sides.
public struct BaseMismatch: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// What kind of check failed.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A LoRA target module is not a linear layer of the base.
        case missingModule = "missing_module"
        /// A LoRA tensor's shape does not match the base layer's features.
        case loraShape = "lora_shape"
        /// A tensor the check needs is not in the patch.
        case missingPatchTensor = "missing_patch_tensor"
        /// The fusion module's output width is not the LLM hidden size.
        case fusionOutputWidth = "fusion_output_width"
        /// The fusion module's query width is not the vision width (`mm_hidden_size`).
        case fusionQueryWidth = "fusion_query_width"
        /// The LoRA rank is not sane (< 1, larger than the layer, or inconsistent between config and tensors).
        case rank
        /// `lora_alpha` is not a positive finite number.
        case alpha
        /// The patch pins another structural signature.
        case structuralSignature = "structural_signature"
        /// The patch pins another content fingerprint, or one the base cannot confirm.
        case contentFingerprint = "content_fingerprint"
        /// An architecture field the patch records differs from the base's.
        case architecture
        /// A manifest section the check reads is malformed.
        case invalidManifest = "invalid_manifest"
    }

    public var kind: Kind
    /// The module, tensor or field concerned (`model.layers.3.mlp.down_proj`, `fusion.output_dim`, …).
    public var subject: String
    /// The patch's side (a shape such as `[64, 896]` or a value).
    public var patch: String?
    /// What the base needs.
    public var base: String?
    /// The whole sentence.
    public var message: String

    public init(kind: Kind, subject: String, patch: String? = nil, base: String? = nil, message: String) {
        self.kind = kind; self.subject = subject; self.patch = patch; self.base = base; self.message = message
    }

    public var description: String { message }
}

extension BaseMismatch: PaveError {
    /// `"base.<kind>"`, e.g. `"base.lora_shape"`.
    public var code: String { "base." + kind.rawValue }
    /// A mismatch is a failed check (exit status 1).
    public var category: PaveErrorCategory { .checkFailed }
}
