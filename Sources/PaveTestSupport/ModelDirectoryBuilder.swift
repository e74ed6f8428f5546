import Foundation
import PaveFormat
import PaveModel

/// Writes a Hugging Face style LLaVA-Qwen2 model directory (`config.json`, safetensors shards with real
/// headers, `model.safetensors.index.json` when sharded) for tests, samples and benchmarks.
///
/// The data is either a hole (``Fill/sparse``: the file has its full size but occupies only its header on
/// disk, so a 7B checkpoint is modelled without 16 GB) or deterministic pseudo-random bytes
/// (``Fill/pattern(seed:)``, a function of the seed and the tensor's name), for content fingerprints. Tensor layout: `model.embed_tokens.weight`, per layer
/// `self_attn.{q,k,v,o}_proj.weight`, `self_attn.{q,k,v}_proj.bias`, `mlp.{gate,up,down}_proj.weight`,
/// `{input,post_attention}_layernorm.weight`, then `model.norm.weight`, `lm_head.weight` (unless tied),
/// `model.mm_projector.{0,2}.{weight,bias}` (mlp2x_gelu) and `model.image_newline`. The vision tower's own
/// weights are left out (no signature covers them).
public struct ModelDirectoryBuilder: Sendable {
    /// How tensor data is written.
    public enum Fill: Sendable, Equatable {
        /// A hole: the bytes read as zeros and take no disk space.
        case sparse
        /// Pseudo-random bytes from a SplitMix64 stream seeded with `seed` (same seed, same bytes).
        case pattern(seed: UInt64)
    }

    /// `config.json` fields.
    public var config: [String: JSONValue]
    /// Dtype of every tensor.
    public var dtype: DType
    /// Number of shards (1 writes `model.safetensors` without an index).
    public var shardCount: Int
    /// Shard file name for shard `i` (1-based) of `n`.
    public var shardName: @Sendable (Int, Int) -> String
    public var fill: Fill
    /// Tensors in file order; default: ``llavaQwen2Tensors(config:dtype:)``.
    public var tensors: [(name: String, dtype: DType, shape: [Int])]

    /// A builder for `config` (which must hold the Qwen2 and LLaVA fields ``BaseArchitecture`` reads).
    public init(config: [String: JSONValue], dtype: DType = .bf16, shardCount: Int = 1, fill: Fill = .sparse) throws(BaseSignatureError) {
        self.config = config; self.dtype = dtype; self.shardCount = max(1, shardCount); self.fill = fill
        shardName = { i, n in String(format: "model-%05d-of-%05d.safetensors", i, n) }
        tensors = try Self.llavaQwen2Tensors(config: config, dtype: dtype)
    }

    /// The tensor list of a LLaVA-Qwen2 checkpoint for `config`.
    public static func llavaQwen2Tensors(config: [String: JSONValue], dtype: DType) throws(BaseSignatureError) -> [(name: String, dtype: DType, shape: [Int])] {
        let a = try BaseArchitecture(config: .object(config), path: "(builder config)")
        let h = a.hiddenSize, q = a.numAttentionHeads * a.headDim, kv = a.numKeyValueHeads * a.headDim, inter = a.intermediateSize
        var t: [(name: String, dtype: DType, shape: [Int])] = [("model.embed_tokens.weight", dtype, [a.vocabSize, h])]
        for l in 0..<a.numHiddenLayers {
            let p = "model.layers.\(l)."
            t += [
                (p + "self_attn.q_proj.weight", dtype, [q, h]), (p + "self_attn.q_proj.bias", dtype, [q]),
                (p + "self_attn.k_proj.weight", dtype, [kv, h]), (p + "self_attn.k_proj.bias", dtype, [kv]),
                (p + "self_attn.v_proj.weight", dtype, [kv, h]), (p + "self_attn.v_proj.bias", dtype, [kv]),
                (p + "self_attn.o_proj.weight", dtype, [h, q]),
                (p + "mlp.gate_proj.weight", dtype, [inter, h]), (p + "mlp.up_proj.weight", dtype, [inter, h]),
                (p + "mlp.down_proj.weight", dtype, [h, inter]),
                (p + "input_layernorm.weight", dtype, [h]), (p + "post_attention_layernorm.weight", dtype, [h]),
            ]
        }
        t.append(("model.norm.weight", dtype, [h]))
        if a.tieWordEmbeddings != true { t.append(("lm_head.weight", dtype, [a.vocabSize, h])) }
        if let mm = a.mmHiddenSize {
            t += [
                ("model.mm_projector.0.weight", dtype, [h, mm]), ("model.mm_projector.0.bias", dtype, [h]),
                ("model.mm_projector.2.weight", dtype, [h, h]), ("model.mm_projector.2.bias", dtype, [h]),
                ("model.image_newline", dtype, [h]),
            ]
        }
        return t
    }

    /// Writes the directory's files into `directory` (created if needed). Returns the shard file names.
    @discardableResult
    public func write(to directory: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configData = JSONValue.object(config).prettyData()
        configData.append(0x0A)
        try AtomicFileWriter.write(configData, to: directory.appendingPathComponent("config.json"))

        // Split into shards of about equal byte size, keeping the order.
        let sizes = tensors.map { $0.dtype.byteCount(elementCount: Shape.elementCount($0.shape) ?? 0) ?? 0 }
        let total = sizes.reduce(0, +)
        var groups: [[Int]] = Array(repeating: [], count: shardCount)
        var running = 0
        for (i, size) in sizes.enumerated() {
            let g = total == 0 ? 0 : min(shardCount - 1, running * shardCount / total)
            groups[g].append(i)
            running += size
        }
        groups.removeAll { $0.isEmpty }
        var names: [String] = []
        var weightMap: [String: JSONValue] = [:]
        for (k, group) in groups.enumerated() {
            let name = groups.count == 1 ? "model.safetensors" : shardName(k + 1, groups.count)
            names.append(name)
            let list = group.map { tensors[$0] }
            let header = try SafetensorsWriter.header(for: list, metadata: ["format": "pt"])
            let dataSize = group.reduce(0) { $0 + sizes[$1] }
            let url = directory.appendingPathComponent(name)
            try writeShard(url: url, header: header, tensors: list, dataSize: dataSize)
            for t in list { weightMap[t.name] = .string(name) }
        }
        if groups.count > 1 {
            let index: JSONValue = .object(["metadata": .object(["total_size": .int(Int64(total))]), "weight_map": .object(weightMap)])
            var data = index.prettyData()
            data.append(0x0A)
            try AtomicFileWriter.write(data, to: directory.appendingPathComponent("model.safetensors.index.json"))
        }
        return names
    }

    private func writeShard(url: URL, header: [UInt8], tensors list: [(name: String, dtype: DType, shape: [Int])], dataSize: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: Data(header)) else {
            throw BaseSignatureError.io(path: url.path, reason: "cannot create file")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        switch fill {
        case .sparse:
            try handle.truncate(atOffset: UInt64(header.count + dataSize))
        case let .pattern(seed):
            try handle.seekToEnd()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            for t in list {
                // Each tensor's bytes depend only on the seed and its name, so re-sharding keeps them.
                var stream = SplitMix64(seed: seed ^ Self.fnv1a(t.name))
                var left = t.dtype.byteCount(elementCount: Shape.elementCount(t.shape) ?? 0) ?? 0
                while left > 0 {
                    let n = min(left, buffer.count)
                    var i = 0
                    while i < n {
                        var word = stream.next()
                        for _ in 0..<8 where i < n { buffer[i] = UInt8(truncatingIfNeeded: word); word >>= 8; i += 1 }
                    }
                    try handle.write(contentsOf: buffer[0..<n])
                    left -= n
                }
            }
        }
    }

    /// 64-bit FNV-1a of a name's UTF-8 bytes.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// `config.json` fields of the published LLaVA-OneVision checkpoints (`BASE_MODELS.md`).
    public enum Preset: String, CaseIterable, Sendable {
        case llavaOneVisionQwen2_0_5b = "llava-onevision-qwen2-0.5b-ov"
        case llavaOneVisionQwen2_7b = "llava-onevision-qwen2-7b-ov"

        /// Hub id.
        public var hubID: String { "lmms-lab/" + rawValue }

        /// The config fields.
        public var config: [String: JSONValue] {
            let small = self == .llavaOneVisionQwen2_0_5b
            return [
                "architectures": ["LlavaQwenForCausalLM"], "model_type": "llava",
                "hidden_size": small ? 896 : 3584, "intermediate_size": small ? 4864 : 18944,
                "num_hidden_layers": small ? 24 : 28, "num_attention_heads": small ? 14 : 28,
                "num_key_value_heads": small ? 2 : 4, "vocab_size": small ? 151936 : 152064,
                "tie_word_embeddings": .bool(small), "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
                "rope_theta": 1_000_000.0, "hidden_act": "silu", "torch_dtype": "bfloat16",
                "mm_hidden_size": 1152, "mm_projector_type": "mlp2x_gelu",
                "mm_vision_tower": "google/siglip-so400m-patch14-384", "mm_vision_select_layer": -2,
                "mm_vision_select_feature": "patch", "mm_patch_merge_type": "spatial_unpad",
                "mm_spatial_pool_mode": "bilinear", "image_aspect_ratio": "anyres_max_9",
            ]
        }
    }
}
