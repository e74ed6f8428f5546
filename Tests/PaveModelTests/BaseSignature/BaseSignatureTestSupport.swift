import Foundation
import PaveFormat
@testable import PaveModel
import PaveTestSupport

/// Temporary directories and tiny LLaVA-Qwen2 model directories for the signature tests.
enum SigFixtures {
    /// A fresh temporary directory, removed by `cleanup`.
    static func tempDir(_ label: String = "sig") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func cleanup(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    /// A tiny config: 2 layers, hidden 64, 4 heads (2 KV) of 16, intermediate 96, vocab 128, vision width 48.
    static func tinyConfig(layers: Int = 2, intermediate: Int = 96, extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var c: [String: JSONValue] = [
            "architectures": ["LlavaQwenForCausalLM"], "model_type": "llava", "hidden_size": 64,
            "intermediate_size": .int(Int64(intermediate)), "num_hidden_layers": .int(Int64(layers)),
            "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 128, "tie_word_embeddings": false,
            "mm_hidden_size": 48, "mm_projector_type": "mlp2x_gelu", "mm_vision_tower": "google/siglip-so400m-patch14-384",
            "rope_theta": 1_000_000.0, "torch_dtype": "bfloat16",
        ]
        for (k, v) in extra { c[k] = v }
        return c
    }

    /// Writes a tiny model directory and returns its URL (inside `root`).
    @discardableResult
    static func tinyModel(
        in root: URL, name: String = "model", config: [String: JSONValue] = tinyConfig(), dtype: DType = .bf16,
        shards: Int = 1, fill: ModelDirectoryBuilder.Fill = .pattern(seed: 7), reverse: Bool = false,
        shardName: (@Sendable (Int, Int) -> String)? = nil
    ) throws -> URL {
        var b = try ModelDirectoryBuilder(config: config, dtype: dtype, shardCount: shards, fill: fill)
        if reverse { b.tensors.reverse() }
        if let shardName { b.shardName = shardName }
        let dir = root.appendingPathComponent(name)
        try b.write(to: dir)
        return dir
    }

    /// The byte offset (absolute, in its shard) of tensor `name` of a model directory.
    static func location(of name: String, in dir: URL) throws -> (URL, Int) {
        let model = try ModelDirectory(dir)
        if let loc = model.locations[name] { return (loc.file.url, loc.file.dataStart + loc.entry.begin) }
        // Not covered: search the shards.
        for shard in model.shards {
            let f = try SafetensorsFile(dir.appendingPathComponent(shard))
            if let e = f.entry(name) { return (f.url, f.dataStart + e.begin) }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    /// Flips the bits of one byte of a file in place.
    static func flipByte(at offset: Int, of url: URL) throws {
        let h = try FileHandle(forUpdating: url)
        defer { try? h.close() }
        try h.seek(toOffset: UInt64(offset))
        let b = try h.read(upToCount: 1) ?? Data([0])
        try h.seek(toOffset: UInt64(offset))
        try h.write(contentsOf: Data([b[0] ^ 0xFF]))
    }

    /// A manifest with a LoRA section over every projection of `layers` layers and (optionally) a fusion section,
    /// plus the tensor shapes a patch for `arch` would have.
    static func patch(for arch: BaseArchitecture, layers: Int? = nil, r: Int = 64, fusion: Bool = true, name: String = "p")
        throws -> (Manifest, [String: [Int]])
    {
        var m = Manifest(name: name, version: "1.0.0")
        var shapes: [String: [Int]] = [:]
        var targets: [String] = []
        for l in 0..<(layers ?? arch.numHiddenLayers) {
            for proj in ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"] {
                let module = "model.layers.\(l).\(proj)"
                // A patch for `arch` follows arch's layout, whatever the layer count asked for.
                let wide = BaseArchitecture(hiddenSize: arch.hiddenSize, intermediateSize: arch.intermediateSize, numHiddenLayers: 1 << 20,
                    numAttentionHeads: arch.numAttentionHeads, numKeyValueHeads: arch.numKeyValueHeads, headDim: arch.headDim, vocabSize: arch.vocabSize)
                guard let (out, inn) = wide.derivedLinearShape(module: module) else { continue }
                targets.append(module)
                shapes["base_model.model." + module + ".lora_A.weight"] = [r, inn]
                shapes["base_model.model." + module + ".lora_B.weight"] = [out, r]
            }
        }
        try m.encode(LoRAConfig(r: r, alpha: 16, targetModules: targets), forKey: ManifestKey.lora)
        if fusion {
            let f = FusionArchitecture(inputDim: 1024, queryDim: arch.mmHiddenSize ?? 1152, outputDim: arch.hiddenSize)
            try m.encode(f, forKey: ManifestKey.fusion)
            shapes["fusion.query_input_mapping.weight"] = [512, f.queryDim]
            shapes["fusion.output_mapping.2.weight"] = [f.outputDim, 1024]
            shapes["fusion.output_mapping.2.bias"] = [f.outputDim]
            shapes["fusion.output_norm.weight"] = [f.outputDim]
            shapes["fusion.output_norm.bias"] = [f.outputDim]
        }
        return (m, shapes)
    }
}
