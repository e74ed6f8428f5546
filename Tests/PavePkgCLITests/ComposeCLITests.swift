import Foundation
import PaveKit
import Testing

/// `pavepkg compose` / stacked `run` / `verify` / `inspect` of composed files, through the built binary.
@Suite
struct ComposeCLITests {
    static let q = "model.layers.0.self_attn.q_proj"

    /// Packs a small PAVE patch (fusion 48 → 16, LoRA on one q_proj) named `name`.
    static func pack(_ name: String, seed: UInt64, inputDim: Int, rank: Int, in dir: TempDir) throws -> String {
        var state = seed
        func values(_ n: Int, _ scale: Float) -> [Float] {
            (0..<n).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
        }
        let arch = FusionArchitecture(inputDim: inputDim, embedDim: 8, queryDim: 12, hiddenDim: 8, outputDim: 16, heads: 2, layers: 1)
        var tensors: [(name: String, tensor: TensorData)] = []
        for p in arch.parameters {
            var v = values(p.shape.reduce(1, *), 0.5)
            if p.name.hasSuffix("norm.weight") || p.name.hasSuffix("ffn.0.weight") { v = v.map { 1 + $0 * 0.2 } }
            tensors.append((arch.tensorPrefix + p.name, try TensorData.f32(shape: p.shape, v)))
        }
        let lora = LoRAConfig(r: rank, alpha: Double(2 * rank), targetModules: [q])
        let (a, b) = lora.tensorNames(module: q)
        tensors.append((a, try TensorData.f32(shape: [rank, 16], values(rank * 16, 1))))
        tensors.append((b, try TensorData.f32(shape: [16, rank], values(16 * rank, 1))))
        try SafetensorsWriter.write(tensors, to: URL(fileURLWithPath: dir.path("\(name).safetensors")))
        var m = Manifest(fields: [:])
        try m.encode(arch, forKey: ManifestKey.fusion)
        try m.encode(lora, forKey: ManifestKey.lora)
        try m.canonicalData().write(to: URL(fileURLWithPath: dir.path("\(name).json")))
        let r = try CLI.run(["pack", dir.path("\(name).safetensors"), "--manifest", dir.path("\(name).json"), "--name", name,
                             "--created", "2026-01-01T00:00:00Z", "-o", dir.path("\(name).pave")])
        #expect(r.status == 0, "\(r.stderr)")
        return dir.path("\(name).pave")
    }

    @Test func composeRefusesAPatchNameTheRegistryWouldRefuse() throws {
        let dir = try TempDir()
        let video = try Self.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try Self.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        let r = try CLI.run(["compose", video, audio, "--name", "video+audio", "-o", dir.path("av.pave")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("invalid patch name \"video+audio\": byte 5 is not allowed"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("av.pave")))
        #expect(try CLI.run(["compose", video, audio, "--name", "video-audio", "-o", dir.path("av.pave")]).status == 0)
    }

    static func inputs(_ sides: [(String, Int)], in dir: TempDir) throws -> String {
        var t: [(name: String, tensor: TensorData)] = [("visual", try TensorData.f32(shape: [2, 3, 12], (0..<72).map { Float($0 % 7) * 0.1 - 0.3 }))]
        for (n, c) in sides { t.append((n, try TensorData.f32(shape: [4, 1, 1, c], (0..<(4 * c)).map { Float($0 % 5) * 0.2 - 0.4 }))) }
        t.append(("lora_x", try TensorData.f32(shape: [3, 16], (0..<48).map { Float($0 % 9) * 0.1 - 0.4 })))
        try SafetensorsWriter.write(t, to: URL(fileURLWithPath: dir.path("in.safetensors")))
        return dir.path("in.safetensors")
    }

    @Test func composedFileRunsBitIdenticallyToTheLoadTimeStack() throws {
        let dir = try TempDir()
        let video = try Self.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try Self.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        let inputs = try Self.inputs([("side.video", 6), ("side.audio", 5)], in: dir)
        let stacked = try CLI.run(["run", video, audio, "--weight", "audio=0.5", "--inputs", inputs, "--lora", Self.q, "-o", dir.path("a.safetensors")])
        #expect(stacked.status == 0, "\(stacked.stderr)")
        #expect(stacked.stdout.contains("stack of 2: video w=1, audio w=0.5"))

        let compose = try CLI.run(["compose", video, audio, "--weight", "audio=0.5", "--name", "av", "-o", dir.path("av.pave")])
        #expect(compose.status == 0, "\(compose.stderr)")
        let single = try CLI.run(["run", dir.path("av.pave"), "--inputs", inputs, "--lora", Self.q, "-o", dir.path("b.safetensors")])
        #expect(single.status == 0, "\(single.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.path("a.safetensors")))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir.path("b.safetensors")))
        #expect(a == b && !a.isEmpty)

        let verify = try CLI.run(["verify", dir.path("av.pave")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("ok   member video") && verify.stdout.contains("ok   stack reference self-check"))
        let inspect = try CLI.run(["inspect", dir.path("av.pave")])
        #expect(inspect.stdout.contains("members (2, lora: kept)"))
        #expect(inspect.stdout.contains("audio  w=0.5"))

        // Compose of compose: flattened, weights multiplied, provenance kept.
        let depth = try Self.pack("depth", seed: 3, inputDim: 4, rank: 1, in: dir)
        let outer = try CLI.run(["compose", dir.path("av.pave"), depth, "--weight", "av=2", "--name", "avd", "-o", dir.path("avd.pave")])
        #expect(outer.status == 0, "\(outer.stderr)")
        let tree = try CLI.run(["inspect", dir.path("avd.pave")]).stdout
        #expect(tree.contains("members (3, lora: kept)") && tree.contains("video  w=2") && tree.contains("audio  w=1 ") && tree.contains("via av sha256:"))
    }

    @Test func refusalsExitWithStatusOneAndNameTheReason() throws {
        let dir = try TempDir()
        let video = try Self.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let dup = try CLI.run(["compose", video, video, "-o", dir.path("x.pave")])
        #expect(dup.status == 1)
        #expect(dup.stderr.contains("two members are named 'video'"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.pave")))
        let renamed = try CLI.run(["compose", video, video, "--rename", "#2=video2", "-o", dir.path("x.pave")])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        let badWeight = try CLI.run(["compose", video, "--weight", "video=nan", "-o", dir.path("y.pave")])
        #expect(badWeight.status == 1 && badWeight.stderr.contains("must be finite"))
        let usage = try CLI.run(["compose", video, "--merge-lora", "svd:0", "-o", dir.path("y.pave")])
        #expect(usage.status == 2)
    }

    @Test func mergeLoRAReportsTheError() throws {
        let dir = try TempDir()
        let video = try Self.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try Self.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        let svd = try CLI.run(["compose", video, audio, "--merge-lora", "svd:2", "-o", dir.path("m.pave")])
        #expect(svd.status == 0, "\(svd.stderr)")
        #expect(svd.stdout.contains("lora merged (svd): rank 2") && svd.stdout.contains("relative Frobenius error"))
        let verify = try CLI.run(["verify", dir.path("m.pave")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let cat = try CLI.run(["compose", video, audio, "--merge-lora", "cat", "-o", dir.path("c.pave"), "--json"])
        let parsed = try JSONValue.parse(Array(cat.stdout.utf8))
        #expect(parsed["lora_merge"]?["rank"] == 5)
    }
}

extension ComposeCLITests {
    @Test func mergedAdapterExportsAsPEFT() throws {
        let dir = try TempDir()
        let video = try Self.pack("video", seed: 1, inputDim: 6, rank: 2, in: dir)
        let audio = try Self.pack("audio", seed: 2, inputDim: 5, rank: 3, in: dir)
        #expect(try CLI.run(["compose", video, audio, "--merge-lora", "cat", "-o", dir.path("c.pave")]).status == 0)
        let export = try CLI.run(["export", dir.path("c.pave"), "--format", "peft", "-o", dir.path("peft")])
        #expect(export.status == 0, "\(export.stderr)")
        let config = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("peft/adapter_config.json")))))
        #expect(config["r"] == 5 && config["lora_alpha"]?.doubleValue == 5)
        #expect(config["target_modules"] == [.string(Self.q)])
        let st = try SafetensorsFile(URL(fileURLWithPath: dir.path("peft/adapter_model.safetensors")))
        #expect(st.entries.map(\.name).sorted() == ["base_model.model.\(Self.q).lora_A.weight", "base_model.model.\(Self.q).lora_B.weight"])
    }
}
