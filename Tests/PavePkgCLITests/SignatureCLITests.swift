import Foundation
import PaveKit
import Testing
import PaveTestSupport

/// End-to-end runs of the built `pavepkg` executable: `signature`, `pack --base`, `verify --base`.
@Suite
struct SignatureCLITests {
    /// Runs pavepkg through the shared CLI helper; returns (exit status, stdout, stderr).
    static func run(_ args: [String]) throws -> (Int32, String, String) {
        let r = try CLI.run(args)
        return (r.status, r.stdout, r.stderr)
    }

    static func tinyConfig(intermediate: Int = 96) -> [String: JSONValue] {
        ["architectures": ["LlavaQwenForCausalLM"], "model_type": "llava", "hidden_size": 64, "intermediate_size": .int(Int64(intermediate)),
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 128, "mm_hidden_size": 48]
    }

    @Test func signatureWritesTheFileAndReportsErrorsWithTheirExitStatus() throws {
        let tmp = try TempDir()
        let root = tmp.url
        let model = root.appendingPathComponent("m")
        try ModelDirectoryBuilder(config: Self.tinyConfig(), shardCount: 2, fill: .pattern(seed: 1)).write(to: model)
        let sigPath = root.appendingPathComponent("SIG.json").path
        let (status, out, _) = try Self.run(["signature", model.path, "-o", sigPath, "--content", "--name", "org/tiny"])
        #expect(status == 0)
        let sig = try BaseSignature(contentsOf: URL(fileURLWithPath: sigPath))
        #expect(out.contains(sig.structuralSignature))
        #expect(sig.name == "org/tiny" && sig.contentFingerprint != nil)
        // --json without -o prints the signature file itself.
        let (_, json, _) = try Self.run(["signature", model.path, "--json"])
        #expect(try BaseSignature(json: JSONValue.parse(Data(json.utf8)), path: "stdout").structuralSignature == sig.structuralSignature)
        // A missing shard: invalid input, exit 1, the code in --json.
        try FileManager.default.removeItem(at: model.appendingPathComponent("model-00002-of-00002.safetensors"))
        let (s1, errJSON, _) = try Self.run(["signature", model.path, "--json"])
        #expect(s1 == 1)
        #expect(try JSONValue.parse(Data(errJSON.utf8))["error"]?["code"]?.stringValue == "signature.missing_shard")
        // Not there at all: exit 2.
        let (s2, _, stderr) = try Self.run(["signature", root.appendingPathComponent("nope").path])
        #expect(s2 == 2 && stderr.contains("not a model directory"))
    }

    @Test func packRecordsTheBaseAndVerifyRefusesAnotherOne() throws {
        let tmp = try TempDir()
        let root = tmp.url
        // Two bases that differ only in intermediate_size, and a LoRA patch made for the first.
        for (name, inter) in [("a", 96), ("b", 128)] {
            try ModelDirectoryBuilder(config: Self.tinyConfig(intermediate: inter), fill: .sparse).write(to: root.appendingPathComponent(name))
            let (s, _, _) = try Self.run(["signature", root.appendingPathComponent(name).path, "-o", root.appendingPathComponent("\(name).sig.json").path])
            #expect(s == 0)
        }
        var tensors: [(name: String, tensor: TensorData)] = []
        var targets: [String] = []
        for (proj, out, inn) in [("self_attn.q_proj", 64, 64), ("mlp.down_proj", 64, 96)] {
            let m = "model.layers.1.\(proj)"
            targets.append(m)
            tensors.append(("base_model.model.\(m).lora_A.weight", try .f32(shape: [4, inn], Array(repeating: 0.5, count: 4 * inn))))
            tensors.append(("base_model.model.\(m).lora_B.weight", try .f32(shape: [out, 4], Array(repeating: 0, count: out * 4))))
        }
        let weights = root.appendingPathComponent("lora.safetensors")
        try SafetensorsWriter.write(tensors, to: weights)
        var manifest = Manifest(name: "tiny-lora", version: "1.0.0")
        try manifest.encode(LoRAConfig(r: 4, alpha: 8, targetModules: targets), forKey: ManifestKey.lora)
        let manifestURL = root.appendingPathComponent("manifest.json")
        try manifest.canonicalData().write(to: manifestURL)
        let pave = root.appendingPathComponent("p.pave").path
        let (ps, _, perr) = try Self.run(["pack", weights.path, "--manifest", manifestURL.path, "--base", root.appendingPathComponent("a.sig.json").path,
                                          "--created", "2026-01-01T00:00:00Z", "-o", pave])
        #expect(ps == 0, "\(perr)")
        let packed = try PaveFile.open(URL(fileURLWithPath: pave))
        let a = try BaseSignature(contentsOf: root.appendingPathComponent("a.sig.json"))
        #expect(try packed.manifest.baseReference()?.structuralSignature == a.structuralSignature)

        let (ok, okOut, _) = try Self.run(["verify", pave, "--base", root.appendingPathComponent("a").path])
        #expect(ok == 0 && okOut.contains("base.compatibility") && okOut.contains("fits"))
        let (bad, badOut, badErr) = try Self.run(["verify", pave, "--base", root.appendingPathComponent("b.sig.json").path])
        #expect(bad == 1)
        #expect(badOut.contains("hint: maybe wrong base model?"))
        #expect(badErr.contains("model.layers.1.mlp.down_proj: lora_A is [4, 96] but the base layer takes 128 in-features, so it must be [4, 128]"))
        #expect(badErr.contains("structural signature: the patch pins \(a.structuralSignature)"))
        // Packing against the wrong base is refused and writes nothing.
        let wrong = root.appendingPathComponent("wrong.pave").path
        let (ws, _, wErr) = try Self.run(["pack", weights.path, "--manifest", manifestURL.path, "--base", root.appendingPathComponent("b").path, "-o", wrong])
        #expect(ws == 1 && wErr.contains("does not fit base model"))
        #expect(!FileManager.default.fileExists(atPath: wrong))
    }
}
