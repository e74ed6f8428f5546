import Crypto
import PaveFormat

/// The canonical description of a base model that its structural signature hashes: the architecture
/// fields and the name, dtype and shape of every tensor a PAVE patch can touch (every weight and bias of
/// every linear layer of every decoder layer, and the multimodal projector), sorted by name.
///
/// Specified in `spec/base-signature.md`: the signature is `"sha256:" + hex(SHA-256(JCS(description)))`
/// where JCS is RFC 8785 canonical JSON.
public struct BaseDescription: Sendable, Equatable, Hashable {
    /// Version of the description layout; 1 is the only one defined.
    public static let currentVersion = 1
    /// Value of the `format` member.
    public static let formatName = "pavepkg.base-description"

    /// One covered tensor.
    public struct Tensor: Codable, Sendable, Equatable, Hashable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public init(name: String, dtype: DType, shape: [Int]) { self.name = name; self.dtype = dtype; self.shape = shape }
    }

    public var version: Int
    public var architecture: BaseArchitecture
    /// Covered tensors, sorted by the bytes of their UTF-8 names.
    public var tensors: [Tensor]

    /// A description; `tensors` is sorted here.
    public init(architecture: BaseArchitecture, tensors: [Tensor]) {
        version = Self.currentVersion
        self.architecture = architecture
        self.tensors = tensors.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Which tensors a description covers: `model.layers.<L>.<module>.weight` of rank 2 (a linear layer)
    /// with its `.bias`, and everything under `model.mm_projector.`.
    static func covers(name: String, isLinearWeightOrBias: Bool) -> Bool {
        if name.hasPrefix("model.mm_projector.") { return true }
        return DecoderTensorName(name) != nil && isLinearWeightOrBias
    }

    /// The description as a JSON value (what is canonicalised and hashed). Absent optional architecture
    /// fields are left out, never written as `null`.
    public var jsonValue: JSONValue {
        let a = architecture
        var arch: [String: JSONValue] = [
            "hidden_size": .int(Int64(a.hiddenSize)), "intermediate_size": .int(Int64(a.intermediateSize)),
            "num_hidden_layers": .int(Int64(a.numHiddenLayers)), "num_attention_heads": .int(Int64(a.numAttentionHeads)),
            "num_key_value_heads": .int(Int64(a.numKeyValueHeads)), "head_dim": .int(Int64(a.headDim)),
            "vocab_size": .int(Int64(a.vocabSize)),
        ]
        if let v = a.modelType { arch["model_type"] = .string(v) }
        if let v = a.architectures { arch["architectures"] = .array(v.map { .string($0) }) }
        if let v = a.tieWordEmbeddings { arch["tie_word_embeddings"] = .bool(v) }
        if let v = a.mmHiddenSize { arch["mm_hidden_size"] = .int(Int64(v)) }
        if let v = a.mmProjectorType { arch["mm_projector_type"] = .string(v) }
        if let v = a.mmVisionTower { arch["mm_vision_tower"] = .string(v) }
        let tensors: [JSONValue] = tensors.map {
            .object(["name": .string($0.name), "dtype": .string($0.dtype.rawValue), "shape": .array($0.shape.map { .int(Int64($0)) })])
        }
        return .object([
            "format": .string(Self.formatName), "version": .int(Int64(version)),
            "architecture": .object(arch), "tensors": .array(tensors),
        ])
    }

    /// RFC 8785 canonical bytes of ``jsonValue``.
    public var canonicalBytes: [UInt8] {
        // The description holds only integers, strings, booleans, arrays and objects, so encoding cannot fail.
        CanonicalJSON.encode(jsonValue) ?? []
    }

    /// The structural signature: `"sha256:"` + 64 lowercase hex digits of SHA-256 over ``canonicalBytes``.
    public var structuralSignature: String { Digest(of: canonicalBytes).description }

    /// The tensor named `name`.
    public func tensor(_ name: String) -> Tensor? {
        // Binary search: tensors are sorted by UTF-8 bytes.
        let key = Array(name.utf8)
        var lo = 0, hi = tensors.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = Array(tensors[mid].name.utf8)
            if m == key { return tensors[mid] }
            if m.lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Linear layers of the decoder (`model.layers.<L>.<module>`) with their `(out, in)` features.
    public var decoderLinearLayers: [String: (out: Int, in: Int)] {
        var out: [String: (out: Int, in: Int)] = [:]
        for t in tensors where t.shape.count == 2 && t.name.hasSuffix(".weight") && DecoderTensorName(t.name) != nil {
            out[String(t.name.dropLast(".weight".count))] = (t.shape[0], t.shape[1])
        }
        return out
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { Digest.hexString(digest) }
}
