import Foundation
import PaveKit

/// The two patches the README's demo packs, installs and composes: PAVE-7B-shaped fusion modules for an audio and a
/// video side channel, each with a small LoRA on the first two decoder layers of LLaVA-OneVision-7B (r = 64,
/// alpha = 16, the released hyperparameters; the real patches target every projection of all 28 layers, ~160 M
/// parameters — too much for a demo). Random weights, fixed seeds: the same bytes on every machine.
enum DemoSamples {
    /// One demo patch: its name, side channel and which projections its LoRA targets.
    struct Patch {
        var name: String
        var description: String
        var side: SideChannel
        var inputDim: Int
        var loraProjections: [String]
        var seed: UInt64
    }

    /// Qwen2-7B linear shapes (in, out) of the projections the demo LoRAs target (BASE_MODELS.md).
    static let projectionShapes: [String: (inDim: Int, outDim: Int)] = [
        "self_attn.q_proj": (3584, 3584), "self_attn.k_proj": (3584, 512), "self_attn.v_proj": (3584, 512),
        "self_attn.o_proj": (3584, 3584),
    ]

    static let patches: [Patch] = [
        Patch(name: "pave-7b-audio", description: "Demo audio patch shaped like PAVE's AVSD patch (ImageBind audio, VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B); random weights.",
              side: SideChannel(name: "audio", kind: .audio, encoder: "ImageBind audio", layout: .init(t: nil, h: 1, w: 1, c: 1024), rateHz: 1),
              inputDim: 1024, loraProjections: ["self_attn.q_proj", "self_attn.v_proj"], seed: 7_001),
        Patch(name: "pave-7b-video", description: "Demo high-frame-rate video patch shaped like PAVE's enhanced-video-QA patch (LanguageBind video, 2×2 pooled, VideoFeatModelArgumentsV5_1_3_7B); random weights.",
              side: SideChannel(name: "video", kind: .video, encoder: "LanguageBind video", layout: .init(t: nil, h: 2, w: 2, c: 1024), rateHz: 2),
              inputDim: 1024, loraProjections: ["self_attn.q_proj", "self_attn.k_proj"], seed: 7_002),
    ]

    /// Writes `<name>.safetensors` and `<name>.manifest.json` for every demo patch into `dir`.
    static func generate(into dir: URL) throws {
        for p in patches {
            var specs = SampleGenerator.paveFusionModule(cin: p.inputDim, dout: 3584, layers: 2)
            for i in specs.indices { specs[i].name = "fusion." + specs[i].name }
            var modules: [String] = []
            for layer in 0..<2 {
                for proj in p.loraProjections {
                    guard let shape = projectionShapes[proj] else { throw BenchError("no shape for \(proj)") }
                    let module = "model.layers.\(layer).\(proj)"
                    modules.append(module)
                    specs.append(.init(name: "base_model.model.\(module).lora_A.weight", shape: [64, shape.inDim], kind: .linear(fanIn: shape.inDim)))
                    specs.append(.init(name: "base_model.model.\(module).lora_B.weight", shape: [shape.outDim, 64], kind: .linear(fanIn: 6_400)))
                }
            }
            let tensors = try SampleGenerator.tensors(specs, seed: p.seed)
            try SafetensorsWriter.write(tensors, to: dir.appendingPathComponent("\(p.name).safetensors"))

            var m = Manifest(name: p.name, version: "1.0.0")
            m.description = p.description
            m.license = "CC0-1.0"
            m.authors = ["pavepkg samples"]
            m.tags = ["sample", p.side.kind.rawValue, "7b", "llava-onevision"]
            try m.encode(FusionArchitecture(inputDim: p.inputDim, outputDim: 3584, tensorPrefix: "fusion."), forKey: ManifestKey.fusion)
            try m.encode(LoRAConfig(r: 64, alpha: 16, targetModules: modules.sorted(), tensorPrefix: "base_model.model."), forKey: ManifestKey.lora)
            try m.encode(p.side, forKey: ManifestKey.sideChannel)
            m.fields.removeValue(forKey: "format_version")
            try AtomicFileWriter.write(JSONValue.object(m.fields).prettyData(), to: dir.appendingPathComponent("\(p.name).manifest.json"))
            let params = specs.reduce(0) { $0 + (Shape.elementCount($1.shape) ?? 0) }
            print("wrote \(p.name).safetensors: \(specs.count) tensors, \(params) BF16 parameters (seed \(p.seed)), and its manifest")
        }
    }
}
