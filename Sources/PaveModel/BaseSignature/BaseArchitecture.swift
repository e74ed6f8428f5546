import PaveFormat

/// The architecture fields of a base model that decide whether a patch fits it, read from the model's
/// `config.json` (Hugging Face names, snake_case in JSON).
///
/// `head_dim` and `num_key_value_heads` are filled in when the config leaves them out (`hidden_size /
/// num_attention_heads`, and `num_attention_heads`, the transformers defaults), so two configs that differ
/// only by spelling a default out give the same architecture.
public struct BaseArchitecture: Codable, Sendable, Equatable, Hashable {
    /// `model_type` (`"llava"`, `"qwen2"`, `"pave_qwen2"`, …).
    public var modelType: String?
    /// `architectures` as given (`["LlavaQwenForCausalLM"]`).
    public var architectures: [String]?
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var headDim: Int
    public var vocabSize: Int
    public var tieWordEmbeddings: Bool?
    /// Vision width before the projector (`mm_hidden_size`); what PAVE fusion modules query with.
    public var mmHiddenSize: Int?
    /// `mm_projector_type` (`"mlp2x_gelu"`).
    public var mmProjectorType: String?
    /// `mm_vision_tower` (`"google/siglip-so400m-patch14-384"`).
    public var mmVisionTower: String?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", architectures
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads", headDim = "head_dim"
        case vocabSize = "vocab_size", tieWordEmbeddings = "tie_word_embeddings", mmHiddenSize = "mm_hidden_size"
        case mmProjectorType = "mm_projector_type", mmVisionTower = "mm_vision_tower"
    }

    /// Largest value accepted for an integer field of `config.json` (2^31 − 1).
    public static let maxDimension = Int(Int32.max)

    public init(
        modelType: String? = nil, architectures: [String]? = nil, hiddenSize: Int, intermediateSize: Int,
        numHiddenLayers: Int, numAttentionHeads: Int, numKeyValueHeads: Int? = nil, headDim: Int? = nil, vocabSize: Int,
        tieWordEmbeddings: Bool? = nil, mmHiddenSize: Int? = nil, mmProjectorType: String? = nil, mmVisionTower: String? = nil
    ) {
        self.modelType = modelType; self.architectures = architectures; self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize; self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads; self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.headDim = headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0)
        self.vocabSize = vocabSize; self.tieWordEmbeddings = tieWordEmbeddings; self.mmHiddenSize = mmHiddenSize
        self.mmProjectorType = mmProjectorType; self.mmVisionTower = mmVisionTower
    }

    /// Reads the fields from a parsed `config.json`. LLM fields are taken from the top level, or from a
    /// nested `text_config` when the top level has no `hidden_size` (the transformers LLaVA layout);
    /// `mm_hidden_size` falls back to `vision_config.hidden_size`.
    ///
    /// - Throws: ``BaseSignatureError/missingConfigField(path:field:)`` or
    ///   ``BaseSignatureError/invalidConfig(path:reason:)`` naming `path` and the field.
    public init(config: JSONValue, path: String) throws(BaseSignatureError) {
        guard let top = config.objectValue else { throw .invalidConfig(path: path, reason: "config is not a JSON object") }
        var llm = top
        if top["hidden_size"] == nil, let text = top["text_config"]?.objectValue { llm = text }
        func int(_ key: String, in object: [String: JSONValue], required: Bool) throws(BaseSignatureError) -> Int? {
            guard let v = object[key], v != .null else {
                if required { throw .missingConfigField(path: path, field: key) }
                return nil
            }
            guard let i = v.intValue, i > 0, i <= Self.maxDimension else {
                throw .invalidConfig(path: path, reason: "field \"\(key)\" must be a positive integer, found \(String(decoding: v.canonicalData(), as: UTF8.self))")
            }
            return i
        }
        func string(_ key: String, in object: [String: JSONValue]) throws(BaseSignatureError) -> String? {
            guard let v = object[key], v != .null else { return nil }
            guard let s = v.stringValue else { throw .invalidConfig(path: path, reason: "field \"\(key)\" must be a string") }
            return s
        }
        let hidden = try int("hidden_size", in: llm, required: true) ?? 0
        let heads = try int("num_attention_heads", in: llm, required: true) ?? 0
        var headDim = try int("head_dim", in: llm, required: false)
        if headDim == nil {
            guard hidden % heads == 0 else {
                throw .invalidConfig(path: path, reason: "no \"head_dim\" and hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
            }
            headDim = hidden / heads
        }
        let kvHeads = try int("num_key_value_heads", in: llm, required: false) ?? heads
        var architectures: [String]?
        if let a = top["architectures"], a != .null {
            guard let list = a.arrayValue?.compactMap(\.stringValue), list.count == a.arrayValue?.count else {
                throw .invalidConfig(path: path, reason: "field \"architectures\" must be an array of strings")
            }
            architectures = list
        }
        var tie: Bool?
        if let t = top["tie_word_embeddings"] ?? llm["tie_word_embeddings"], t != .null {
            guard let b = t.boolValue else { throw .invalidConfig(path: path, reason: "field \"tie_word_embeddings\" must be a boolean") }
            tie = b
        }
        var mmHidden = try int("mm_hidden_size", in: top, required: false)
        if mmHidden == nil, let vision = top["vision_config"]?.objectValue { mmHidden = try int("hidden_size", in: vision, required: false) }
        self.init(
            modelType: try string("model_type", in: top), architectures: architectures, hiddenSize: hidden,
            intermediateSize: try int("intermediate_size", in: llm, required: true) ?? 0,
            numHiddenLayers: try int("num_hidden_layers", in: llm, required: true) ?? 0,
            numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim: headDim,
            vocabSize: try int("vocab_size", in: llm, required: true) ?? 0, tieWordEmbeddings: tie,
            mmHiddenSize: mmHidden, mmProjectorType: try string("mm_projector_type", in: top),
            mmVisionTower: try string("mm_vision_tower", in: top))
    }

    /// `(out_features, in_features)` of decoder linear layer `module` (e.g. `model.layers.3.mlp.down_proj`) as a
    /// Qwen2 / LLaMA style decoder lays it out, or `nil` when the name is not such a layer of this model
    /// (unknown projection, layer index out of range). Used when only the architecture is known (a base named
    /// by a PAVE `config.json`); with a real signature the tensors' own shapes are used instead.
    public func derivedLinearShape(module: String) -> (out: Int, in: Int)? {
        guard let parsed = DecoderTensorName(module + ".weight"), parsed.layer < numHiddenLayers else { return nil }
        // Values may come from an untrusted manifest: multiply with overflow checks.
        let (q, o1) = numAttentionHeads.multipliedReportingOverflow(by: headDim)
        let (kv, o2) = numKeyValueHeads.multipliedReportingOverflow(by: headDim)
        guard !o1, !o2 else { return nil }
        switch parsed.module {
        case "self_attn.q_proj": return (q, hiddenSize)
        case "self_attn.k_proj", "self_attn.v_proj": return (kv, hiddenSize)
        case "self_attn.o_proj": return (hiddenSize, q)
        case "mlp.gate_proj", "mlp.up_proj": return (intermediateSize, hiddenSize)
        case "mlp.down_proj": return (hiddenSize, intermediateSize)
        default: return nil
        }
    }

    /// The fields that decide whether a patch's tensors fit, by name, for comparisons that must not trip on
    /// naming-only differences (`model_type` is `pave_qwen2` in a PAVE checkpoint's config, `llava` in the
    /// base's; `vocab_size` and the vision tower path do not change what a patch touches).
    public var fitFields: [(name: String, value: Int?)] {
        [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize), ("num_hidden_layers", numHiddenLayers),
         ("num_attention_heads", numAttentionHeads), ("num_key_value_heads", numKeyValueHeads), ("head_dim", headDim),
         ("mm_hidden_size", mmHiddenSize)]
    }
}

/// A tensor name of the form `model.layers.<L>.<module>.<weight|bias>`.
struct DecoderTensorName: Equatable {
    var layer: Int
    /// Module path inside the layer, e.g. `self_attn.q_proj`.
    var module: String
    /// `weight`, `bias`, …
    var parameter: String

    static let prefix = "model.layers."

    init?(_ name: String) {
        guard name.hasPrefix(Self.prefix) else { return nil }
        let rest = name.dropFirst(Self.prefix.count)
        guard let dot = rest.firstIndex(of: "."), let lastDot = rest.lastIndex(of: "."), dot < lastDot else { return nil }
        let digits = rest[..<dot]
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            digits == "0" || !digits.hasPrefix("0"), let layer = Int(digits)
        else { return nil }
        self.layer = layer
        module = String(rest[rest.index(after: dot)..<lastDot])
        parameter = String(rest[rest.index(after: lastDot)...])
        guard !module.isEmpty, !parameter.isEmpty else { return nil }
    }
}
