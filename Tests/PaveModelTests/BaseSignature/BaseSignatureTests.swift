import Foundation
import PaveFormat
import Testing
@testable import PaveModel
import PaveTestSupport

@Suite struct BaseSignatureTests {
    @Test func signatureIsStableUnderReshardingFileNamesAndTensorOrder() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let one = try SigFixtures.tinyModel(in: root, name: "one")
        let three = try SigFixtures.tinyModel(in: root, name: "three", shards: 3, reverse: true, shardName: { i, _ in "part-\(i).safetensors" })
        #expect(FileManager.default.fileExists(atPath: three.appendingPathComponent("model.safetensors.index.json").path))
        let a = try BaseSignature.compute(model: one, content: true)
        let b = try BaseSignature.compute(model: three, content: true)
        #expect(a.structuralSignature == b.structuralSignature)
        #expect(a.contentFingerprint == b.contentFingerprint)
        #expect(a.description.tensors.count == 2 * 10 + 4)
    }

    @Test func signatureIsStableUnderConfigKeyOrderAndSpelledOutDefaults() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let dir = try SigFixtures.tinyModel(in: root)
        let before = try BaseSignature.compute(model: dir).structuralSignature
        // Same fields, reversed key order, head_dim spelled out, num_key_value_heads kept, plus white space.
        var config = SigFixtures.tinyConfig()
        config["head_dim"] = 16
        let text = "{\n" + config.keys.sorted(by: >).map { k in
            "   \"\(k)\" :  " + String(decoding: config[k]!.canonicalData(), as: UTF8.self)
        }.joined(separator: ",\n") + "\n}\n"
        try Data(text.utf8).write(to: dir.appendingPathComponent("config.json"))
        #expect(try BaseSignature.compute(model: dir).structuralSignature == before)
    }

    @Test(arguments: ["shape", "dtype", "layers", "projector"])
    func signatureChangesWhenStructureChanges(change: String) throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let base = try BaseSignature.compute(model: SigFixtures.tinyModel(in: root, name: "base")).structuralSignature
        let other: URL
        switch change {
        case "shape": other = try SigFixtures.tinyModel(in: root, name: "x", config: SigFixtures.tinyConfig(intermediate: 128))
        case "dtype": other = try SigFixtures.tinyModel(in: root, name: "x", dtype: .f16)
        case "layers": other = try SigFixtures.tinyModel(in: root, name: "x", config: SigFixtures.tinyConfig(layers: 3))
        default: other = try SigFixtures.tinyModel(in: root, name: "x", config: SigFixtures.tinyConfig(extra: ["mm_hidden_size": 32]))
        }
        #expect(try BaseSignature.compute(model: other).structuralSignature != base)
    }

    @Test func untouchedTensorsDoNotEnterTheSignature() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let a = try SigFixtures.tinyModel(in: root, name: "a")
        // Same model with an extra vision-tower tensor and a layer-norm in another dtype: not covered.
        var b = try ModelDirectoryBuilder(config: SigFixtures.tinyConfig(), fill: .pattern(seed: 7))
        b.tensors.append(("model.vision_tower.vision_tower.vision_model.post_layernorm.weight", .f32, [48]))
        if let i = b.tensors.firstIndex(where: { $0.name == "model.layers.0.input_layernorm.weight" }) { b.tensors[i].dtype = .f32 }
        try b.write(to: root.appendingPathComponent("b"))
        #expect(try BaseSignature.compute(model: a).structuralSignature == BaseSignature.compute(model: root.appendingPathComponent("b")).structuralSignature)
    }

    @Test func contentFingerprintSeesOneByteInATouchedTensorAndIgnoresUntouchedOnes() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let dir = try SigFixtures.tinyModel(in: root, shards: 2)
        let original = try BaseSignature.compute(model: dir, content: true)
        // Untouched: the embedding.
        let (embedFile, embedOffset) = try SigFixtures.location(of: "model.embed_tokens.weight", in: dir)
        try SigFixtures.flipByte(at: embedOffset + 5, of: embedFile)
        let untouched = try BaseSignature.compute(model: dir, content: true)
        #expect(untouched.contentFingerprint == original.contentFingerprint)
        // Touched: one byte in the middle of a down_proj.
        let (file, offset) = try SigFixtures.location(of: "model.layers.1.mlp.down_proj.weight", in: dir)
        try SigFixtures.flipByte(at: offset + 1000, of: file)
        let touched = try BaseSignature.compute(model: dir, content: true)
        #expect(touched.structuralSignature == original.structuralSignature)
        #expect(touched.contentFingerprint != original.contentFingerprint)
    }

    @Test(arguments: [1, 2, 5])
    func contentFingerprintDoesNotDependOnThreadCount(threads: Int) throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let model = try ModelDirectory(SigFixtures.tinyModel(in: root, shards: 3))
        let reference = try ContentFingerprint.compute(model, threads: 1)
        let result = try ContentFingerprint.compute(model, threads: threads)
        #expect(result == reference)
        #expect(result.byteCount == model.coveredByteCount)
    }

    @Test func signatureFileRoundTripsAndRefusesEdits() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let sig = try BaseSignature.compute(model: SigFixtures.tinyModel(in: root), name: "org/tiny", content: true)
        let file = root.appendingPathComponent("SIG.json")
        try sig.write(to: file)
        #expect(try BaseSignature(contentsOf: file) == sig)
        #expect(try BaseSignature.load(signatureOrModel: file) == sig)
        // Edit one shape in the description: the recorded signature no longer matches.
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "\"hidden_size\" : 64", with: "\"hidden_size\" : 65")
        try Data(text.utf8).write(to: file)
        #expect {
            try BaseSignature(contentsOf: file)
        } throws: { ($0 as? BaseSignatureError)?.code == "signature.digest_mismatch" }
    }

    @Test func sparseSevenBillionModelIsSignedFromHeadersOnly() throws {
        let root = SigFixtures.tempDir()
        defer { SigFixtures.cleanup(root) }
        let preset = ModelDirectoryBuilder.Preset.llavaOneVisionQwen2_7b
        let dir = root.appendingPathComponent("7b")
        try ModelDirectoryBuilder(config: preset.config, shardCount: 4, fill: .sparse).write(to: dir)
        let model = try ModelDirectory(dir)
        #expect(model.shards.count == 4)
        #expect(model.description.tensors.count == 28 * 10 + 4)
        #expect(model.description.tensor("model.layers.27.mlp.down_proj.weight")?.shape == [3584, 18944])
        #expect(model.description.tensor("model.layers.0.self_attn.k_proj.weight")?.shape == [512, 3584])
        #expect(model.description.tensor("model.mm_projector.0.weight")?.shape == [3584, 1152])
        #expect(model.coveredByteCount > 13_000_000_000)
    }

    @Test func canonicalJSONFollowsRFC8785ForTheSubsetUsed() {
        let value: JSONValue = ["b": [1, -2, true, nil], "a": "x\"\\\n\t\u{1}é/", "\u{e9}": 0, "A": ["z": 1, "y": "2"]]
        let bytes = CanonicalJSON.encode(value)
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == "{\"A\":{\"y\":\"2\",\"z\":1},\"a\":\"x\\\"\\\\\\n\\t\\u0001é/\",\"b\":[1,-2,true,null],\"é\":0}")
        #expect(CanonicalJSON.encode(.double(0.5)) == nil)
    }
}

@Suite struct BaseSignatureSpecExampleTests {
    /// The worked example of spec/base-signature.md §4: both values were computed independently (Python, from
    /// a safetensors file written by the `safetensors` package) and must never change.
    @Test func workedExampleOfTheSpec() throws {
        let root = SigFixtures.tempDir("spec")
        defer { SigFixtures.cleanup(root) }
        let config: [String: JSONValue] = [
            "architectures": ["LlavaQwenForCausalLM"], "model_type": "llava", "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 32,
            "tie_word_embeddings": true, "mm_hidden_size": 4, "mm_projector_type": "mlp2x_gelu",
        ]
        let dir = try SigFixtures.tinyModel(in: root, config: config, dtype: .f16, fill: .sparse)
        let sig = try BaseSignature.compute(model: dir, content: true)
        #expect(sig.description.tensors.count == 14)
        #expect(String(decoding: sig.description.canonicalBytes, as: UTF8.self).hasPrefix(
            "{\"architecture\":{\"architectures\":[\"LlavaQwenForCausalLM\"],\"head_dim\":4,\"hidden_size\":8,"))
        #expect(sig.description.canonicalBytes.count == 1377)
        #expect(sig.structuralSignature == "sha256:c71a06abc81541ef2f1ff7df6bd17a011ff3ff9e841db16e7157827a36fdedba")
        #expect(sig.contentFingerprint == "sha256:d9fe91685a203761a41ec0ad0b71eeccbe7c424741761906be4941c10ca01508")
    }
}
