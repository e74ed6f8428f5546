import Foundation
import PaveKit

#if canImport(Glibc)
import Glibc
#endif

/// `pavepkg-bench import [DIR]`: builds a synthetic PAVE checkpoint of the real 7B sizes
/// (`VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B` fusion, 8,996,352 params, and r = 64 LoRA on all
/// 196 projections of Qwen2-7B, 161,480,704 params, all bf16) in DIR (default: a temporary directory), then
/// times importing it and streaming every tensor once (what `pack` does), and reports the peak RSS.
enum ImportBenchmark {
    static func run(arguments: [String]) throws {
        let dir = arguments.first.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-bench-import-\(getpid())")
        let ckpt = dir.appendingPathComponent("pave_v5_1_3_lora_avsd_7B_imagebind")
        if !FileManager.default.fileExists(atPath: ckpt.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let t0 = Date()
            try makeCheckpoint(at: ckpt)
            print(String(format: "wrote synthetic 7B checkpoint in %.1f s: %@", Date().timeIntervalSince(t0), ckpt.path))
        }
        let t0 = Date()
        let imported = try PaveCheckpointImporter.load(ckpt, options: CheckpointImportOptions(
            preset: "VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B", created: "2026-01-01T00:00:00Z", tool: "pavepkg-bench"))
        let tImport = Date().timeIntervalSince(t0)
        var bytes = 0
        var params = 0
        for t in imported.tensors {
            var offset = 0
            while offset < t.byteCount {
                let n = min(8 << 20, t.byteCount - offset)
                bytes += try t.read(offset: offset, count: n).count
                offset += n
            }
            params += Shape.elementCount(t.shape) ?? 0
        }
        let tAll = Date().timeIntervalSince(t0)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "import (hash 4 files, parse, validate): %.2f s; + stream all %d tensors (%d params, %.0f MiB): %.2f s total; peak RSS %.0f MiB",
                     tImport, imported.tensors.count, params, Double(bytes) / 1_048_576, tAll, Double(usage.ru_maxrss) / 1024))
    }

    static func makeCheckpoint(at url: URL) throws {
        guard let preset = FusionPreset.named("VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B") else {
            throw CheckpointImportError.unknownPreset(name: "VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B", known: FusionPreset.all.map(\.name))
        }
        var fusion = preset.fusion
        fusion.tensorPrefix = PaveCheckpointExporter.paveFusionPrefix
        var tensors: [ImportedTensor] = []
        func synthetic(_ name: String, _ shape: [Int]) -> ImportedTensor {
            let n = Shape.elementCount(shape) ?? 0
            let seed = UInt64(truncatingIfNeeded: name.hashValue)
            return ImportedTensor(name: name, dtype: .bf16, shape: shape, byteCount: 2 * n) { offset, count in
                // Small bf16 values (exponent bits fixed) from a cheap deterministic generator.
                var out = [UInt8](repeating: 0, count: count)
                var s = seed &+ UInt64(offset)
                for i in 0..<count {
                    s = s &* 6364136223846793005 &+ 1442695040888963407
                    out[i] = (offset + i) % 2 == 1 ? 0x3C : UInt8(truncatingIfNeeded: s >> 33)
                }
                return out
            }
        }
        for p in fusion.parameters { tensors.append(synthetic(fusion.tensorPrefix + p.name, p.shape)) }
        let widths: [(String, Int, Int)] = [("self_attn.q_proj", 3584, 3584), ("self_attn.k_proj", 3584, 512), ("self_attn.v_proj", 3584, 512),
                                            ("self_attn.o_proj", 3584, 3584), ("mlp.gate_proj", 3584, 18944), ("mlp.up_proj", 3584, 18944),
                                            ("mlp.down_proj", 18944, 3584)]
        var modules: [String] = []
        for layer in 0..<28 {
            for (m, inF, outF) in widths {
                let name = "model.layers.\(layer).\(m)"
                modules.append(name)
                tensors.append(synthetic("base_model.model.\(name).lora_A.weight", [64, inF]))
                tensors.append(synthetic("base_model.model.\(name).lora_B.weight", [outF, 64]))
            }
        }
        var manifest = Manifest(name: "pave_v5_1_3_lora_avsd_7B_imagebind", version: "0.1.0")
        try manifest.encode(fusion, forKey: ManifestKey.fusion)
        try manifest.encode(LoRAConfig(r: 64, alpha: 16, targetModules: modules.sorted()), forKey: ManifestKey.lora)
        manifest[ManifestKey.provenance] = .object(["base_model": .object(["name": "lmms-lab/llava-onevision-qwen2-7b-ov"])])
        try PaveCheckpointExporter.export(manifest: manifest, tensors: tensors, to: url, format: .paveCheckpoint)
        // A released checkpoint's config.json has no temporal_aggregator_config: drop it so the preset is needed.
        let configURL = url.appendingPathComponent("config.json")
        var config = try JSONValue.parse(Data(contentsOf: configURL)).objectValue ?? [:]
        config["temporal_aggregator_config"] = nil
        // The LLaVA-OneVision-7B fields PAVE's config.json carries (BASE_MODELS.md).
        let base: [String: JSONValue] = [
            "_name_or_path": "lmms-lab/llava-onevision-qwen2-7b-ov", "architectures": ["LlavaQwenForCausalLM"], "model_type": "pave_qwen2",
            "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28, "num_attention_heads": 28,
            "num_key_value_heads": 4, "vocab_size": 152064, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
            "mm_hidden_size": 1152, "mm_projector_type": "mlp2x_gelu", "mm_video_tower": "opensora", "temporal_aggregator_type": "pmv5",
        ]
        for (k, v) in base { config[k] = v }
        try AtomicFileWriter.write(JSONValue.object(config).prettyData(), to: configURL)
    }
}
