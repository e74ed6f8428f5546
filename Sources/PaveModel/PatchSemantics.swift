import PaveFormat

/// Manifest keys holding patch semantics (spec §Patch semantics).
public enum ManifestKey {
    public static let fusion = "fusion"
    public static let lora = "lora"
    public static let sideChannel = "side_channel"
    public static let base = "base"
    public static let referenceVectors = "reference_vectors"
    public static let provenance = "provenance"
    public static let members = "members"
}

/// Positional encoding inside the fusion module's cross-attention.
public enum RoPEMode: String, Codable, Sendable, CaseIterable {
    /// No positional information (every released config).
    case none
    /// The 3D (t, h, w) rotary embedding of `VideoCrossAttentionWith3DRope`.
    case threeD = "3d"
}

/// Every hyperparameter the PAVE fusion module (`PAVEModuleV5`, "temporal aggregator") forward needs,
/// plus which tensors hold its parameters: parameter `P` (e.g. `input_mapping.weight`) is the tensor
/// named `tensorPrefix + P`.
public struct FusionArchitecture: Codable, Sendable, Equatable, Hashable {
    /// Module family; `"pave-v5"` is the only one defined.
    public var type: String
    /// Side-channel feature width (`input_dim`, Cin).
    public var inputDim: Int
    /// Width after `input_mapping` (`embed_dim`, E).
    public var embedDim: Int
    /// Query feature width (`query_input_dim`, Cq: the vision width before the projector).
    public var queryDim: Int
    /// Decoder width (`cross_attn_hidden_dim`, D).
    public var hiddenDim: Int
    /// LLM hidden size (`output_dim`).
    public var outputDim: Int
    /// Attention heads (`num_cross_attn_head`).
    public var heads: Int
    /// Decoder layers (`num_cross_attn_layer`).
    public var layers: Int
    /// Positional encoding.
    public var rope: RoPEMode
    /// Output MLP present (`use_output_mlp`).
    public var outputMLP: Bool
    /// Output MLP depth (`mlp_depth`).
    public var mlpDepth: Int
    /// Output LayerNorm present (`use_output_norm`).
    public var outputNorm: Bool
    /// Where the queries come from: `"slow_feat_before_mlp"` (vision features before the projector).
    public var querySource: String
    /// Prefix of the fusion tensors' names in the file.
    public var tensorPrefix: String

    enum CodingKeys: String, CodingKey {
        case type, heads, layers, rope
        case inputDim = "input_dim", embedDim = "embed_dim", queryDim = "query_dim", hiddenDim = "hidden_dim"
        case outputDim = "output_dim", outputMLP = "output_mlp", mlpDepth = "mlp_depth", outputNorm = "output_norm"
        case querySource = "query_source", tensorPrefix = "tensor_prefix"
    }

    public init(
        type: String = "pave-v5", inputDim: Int, embedDim: Int = 512, queryDim: Int = 1152, hiddenDim: Int = 512,
        outputDim: Int, heads: Int = 4, layers: Int = 2, rope: RoPEMode = .none, outputMLP: Bool = true,
        mlpDepth: Int = 2, outputNorm: Bool = true, querySource: String = "slow_feat_before_mlp", tensorPrefix: String = "fusion."
    ) {
        self.type = type; self.inputDim = inputDim; self.embedDim = embedDim; self.queryDim = queryDim
        self.hiddenDim = hiddenDim; self.outputDim = outputDim; self.heads = heads; self.layers = layers
        self.rope = rope; self.outputMLP = outputMLP; self.mlpDepth = mlpDepth; self.outputNorm = outputNorm
        self.querySource = querySource; self.tensorPrefix = tensorPrefix
    }
}

/// The LoRA adapters of a patch. For target module `M` (a full module name such as
/// `model.layers.0.self_attn.q_proj`) the tensors are `tensorPrefix + M + ".lora_A.weight"` `(r, in)` and
/// `tensorPrefix + M + ".lora_B.weight"` `(out, r)`; `delta(x) = scale · x · Aᵀ · Bᵀ`.
public struct LoRAConfig: Codable, Sendable, Equatable, Hashable {
    /// Rank.
    public var r: Int
    /// lora_alpha.
    public var alpha: Double
    /// rsLoRA scaling (alpha / √r instead of alpha / r).
    public var useRSLoRA: Bool
    /// Full names of the target modules, sorted.
    public var targetModules: [String]
    /// Prefix of the LoRA tensors' names (`"base_model.model."` for PEFT files).
    public var tensorPrefix: String
    /// The PEFT `adapter_config.json` as given, kept verbatim (absent for hand-made patches).
    public var peftConfig: JSONValue?

    enum CodingKeys: String, CodingKey {
        case r, alpha
        case useRSLoRA = "use_rslora", targetModules = "target_modules", tensorPrefix = "tensor_prefix", peftConfig = "peft_config"
    }

    public init(r: Int, alpha: Double, useRSLoRA: Bool = false, targetModules: [String], tensorPrefix: String = "base_model.model.", peftConfig: JSONValue? = nil) {
        self.r = r; self.alpha = alpha; self.useRSLoRA = useRSLoRA; self.targetModules = targetModules
        self.tensorPrefix = tensorPrefix; self.peftConfig = peftConfig
    }

    /// The scale applied to `x · Aᵀ · Bᵀ`: alpha / r, or alpha / √r with rsLoRA.
    public var scale: Double { useRSLoRA ? alpha / Double(r).squareRoot() : alpha / Double(r) }
}

/// Kinds of side channel a patch can read.
public enum SideChannelKind: String, Codable, Sendable, CaseIterable {
    case audio, video, multiview, custom
    case threeD = "3d"
}

/// The side channel a patch reads: what kind, which encoder produced the features, their token layout.
public struct SideChannel: Codable, Sendable, Equatable, Hashable {
    /// Name, unique within a stack (`side.<name>` input of a composed run). Defaults to the patch name.
    public var name: String?
    public var kind: SideChannelKind
    /// Encoder that produces the features, e.g. `"ImageBind audio"`.
    public var encoder: String?
    /// Token layout T×H×W×C; `nil` entries vary per input (T usually does).
    public var layout: Layout
    /// Feature rate in frames per second, when meaningful.
    public var rateHz: Double?

    public struct Layout: Codable, Sendable, Equatable, Hashable {
        public var t: Int?
        public var h: Int
        public var w: Int
        public var c: Int
        enum CodingKeys: String, CodingKey { case t = "T", h = "H", w = "W", c = "C" }
        public init(t: Int?, h: Int, w: Int, c: Int) { self.t = t; self.h = h; self.w = w; self.c = c }
    }

    enum CodingKeys: String, CodingKey { case name, kind, encoder, layout, rateHz = "rate_hz" }

    public init(name: String? = nil, kind: SideChannelKind, encoder: String? = nil, layout: Layout, rateHz: Double? = nil) {
        self.name = name; self.kind = kind; self.encoder = encoder; self.layout = layout; self.rateHz = rateHz
    }
}

/// One stored set of reference vectors: inputs and expected outputs, stored as tensors named
/// `tensorPrefix + "visual" | "side" | "lora_x" | "fused" | "lora_delta.<module>"`.
public struct ReferenceVectorSet: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var tensorPrefix: String
    /// `chunk_num` used (defaults to T_q when absent).
    public var chunkNum: Int?
    /// Valid side length (`frame_num`; defaults to T_k when absent).
    public var sideLength: Int?
    /// LoRA modules whose deltas are stored.
    public var loraModules: [String]
    public var atol: Double
    public var rtol: Double
    /// Who made the expected outputs: `"user"` or `"pavepkg self-check"`.
    public var source: String
    /// Seed of the generated inputs, for self-check sets.
    public var seed: UInt64?

    enum CodingKeys: String, CodingKey {
        case name, atol, rtol, source, seed
        case tensorPrefix = "tensor_prefix", chunkNum = "chunk_num", sideLength = "side_length", loraModules = "lora_modules"
    }

    public init(name: String, tensorPrefix: String, chunkNum: Int? = nil, sideLength: Int? = nil, loraModules: [String] = [],
                atol: Double = 1e-4, rtol: Double = 1e-4, source: String, seed: UInt64? = nil) {
        self.name = name; self.tensorPrefix = tensorPrefix; self.chunkNum = chunkNum; self.sideLength = sideLength
        self.loraModules = loraModules; self.atol = atol; self.rtol = rtol; self.source = source; self.seed = seed
    }
}
