import Foundation
import PaveFormat
import Testing
@testable import PaveModel
import PaveTestSupport

@Suite struct BaseCompatibilityTests {
    /// Sparse signatures of the two published bases (headers only; a few hundred KB on disk).
    static func presetSignatures() throws -> (small: BaseSignature, large: BaseSignature) {
        let root = SigFixtures.tempDir("compat")
        defer { SigFixtures.cleanup(root) }
        var out: [BaseSignature] = []
        for preset in [ModelDirectoryBuilder.Preset.llavaOneVisionQwen2_0_5b, .llavaOneVisionQwen2_7b] {
            let dir = root.appendingPathComponent(preset.rawValue)
            try ModelDirectoryBuilder(config: preset.config, shardCount: preset == .llavaOneVisionQwen2_7b ? 4 : 1, fill: .sparse).write(to: dir)
            out.append(try BaseSignature.compute(model: dir, name: preset.hubID))
        }
        return (out[0], out[1])
    }

    @Test func patchForItsOwnBaseFits() throws {
        let (small, large) = try Self.presetSignatures()
        for base in [small, large] {
            var (manifest, shapes) = try SigFixtures.patch(for: base.description.architecture)
            try manifest.setBaseReference(BaseReference(signature: base))
            #expect(BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: base) == [])
            try BaseCompatibility.require(manifest: manifest, tensorShapes: shapes, against: base)
        }
    }

    @Test func halfBillionPatchIsRefusedAgainstSevenBillionNamingModulesAndBothShapes() throws {
        let (small, large) = try Self.presetSignatures()
        var (manifest, shapes) = try SigFixtures.patch(for: small.description.architecture, name: "audio-0.5b")
        try manifest.setBaseReference(BaseReference(signature: small))
        let mismatches = BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: large)
        // Every one of the 24×7 modules has both tensors wrong, except k/v/o/… whose one side happens to fit: count them.
        let q = mismatches.first { $0.subject == "model.layers.0.self_attn.q_proj.lora_A" }
        #expect(q?.patch == "[64, 896]")
        #expect(q?.base == "[64, 3584]")
        #expect(q?.message.contains("model.layers.0.self_attn.q_proj") == true)
        let kB = mismatches.first { $0.subject == "model.layers.23.self_attn.k_proj.lora_B" }
        #expect(kB?.patch == "[128, 64]" && kB?.base == "[512, 64]")
        let down = mismatches.first { $0.subject == "model.layers.5.mlp.down_proj.lora_A" }
        #expect(down?.patch == "[64, 4864]" && down?.base == "[64, 18944]")
        #expect(mismatches.filter { $0.kind == .loraShape }.count == 24 * 7 * 2)
        #expect(mismatches.contains { $0.kind == .structuralSignature })
        #expect(mismatches.contains { $0.kind == .fusionOutputWidth && $0.subject == "fusion.output_dim" && $0.patch == "896" && $0.base == "3584" })
        #expect(mismatches.contains { $0.kind == .fusionOutputWidth && $0.subject == "fusion.output_mapping.2.weight" && $0.patch == "[896, 1024]" && $0.base == "[3584, 1024]" })
        #expect(mismatches.contains { $0.kind == .architecture && $0.subject == "base.architecture.hidden_size" })
        // The guard refuses with the whole list and the hint.
        #expect {
            try BaseCompatibility.require(manifest: manifest, tensorShapes: shapes, against: large)
        } throws: { error in
            guard let e = error as? BaseCompatibilityError else { return false }
            return e.code == "base.incompatible" && e.category == .checkFailed && e.mismatches == mismatches
                && e.description.contains("hint: maybe wrong base model? the patch was made for \"lmms-lab/llava-onevision-qwen2-0.5b-ov\"")
                && e.description.contains("model.layers.23.mlp.up_proj: lora_B is [4864, 64]")
        }
    }

    @Test func sevenBillionPatchAgainstHalfBillionNamesTheMissingLayers() throws {
        let (small, large) = try Self.presetSignatures()
        let (manifest, shapes) = try SigFixtures.patch(for: large.description.architecture, fusion: false)
        let mismatches = BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: small)
        let missing = mismatches.filter { $0.kind == .missingModule }.map(\.subject)
        #expect(missing.count == 4 * 7)
        #expect(missing.contains("model.layers.27.mlp.down_proj"))
        let first = mismatches.first { $0.kind == .missingModule }
        #expect(first?.subject == "model.layers.24.mlp.down_proj")
        #expect(first?.message.contains("patch has lora_A [64, 18944], lora_B [3584, 64]); the base has 24 decoder layers") == true)
    }

    @Test func rankAndAlphaAreChecked() throws {
        let (small, _) = try Self.presetSignatures()
        var (manifest, shapes) = try SigFixtures.patch(for: small.description.architecture, layers: 1, r: 8, fusion: false)
        var lora = try #require(try manifest.decode(LoRAConfig.self, forKey: ManifestKey.lora))
        lora.alpha = 0
        lora.r = 16
        try manifest.encode(lora, forKey: ManifestKey.lora)
        shapes["base_model.model.model.layers.0.mlp.up_proj.lora_B.weight"] = [4864, 4]
        let m = BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: small)
        #expect(m.contains { $0.kind == .alpha })
        #expect(m.contains { $0.kind == .rank && $0.subject == "model.layers.0.mlp.up_proj" && $0.message.contains("rank 8 but lora_B has rank 4") })
        #expect(m.contains { $0.kind == .rank && $0.subject == "model.layers.0.self_attn.q_proj" && $0.message.contains("lora.r is 16") })
    }

    @Test func contentPinNeedsAFingerprintAndMustMatch() throws {
        let root = SigFixtures.tempDir("pin")
        defer { SigFixtures.cleanup(root) }
        let dir = try SigFixtures.tinyModel(in: root)
        let withContent = try BaseSignature.compute(model: dir, content: true)
        var (manifest, shapes) = try SigFixtures.patch(for: withContent.description.architecture, r: 8)
        try manifest.setBaseReference(BaseReference(signature: withContent))
        #expect(BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: withContent) == [])
        // Structure only: the pin cannot be confirmed.
        let structural = try BaseSignature.compute(model: dir)
        #expect(BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: structural).map(\.kind) == [.contentFingerprint])
        // A fine-tune of the same architecture: same structure, other weights.
        let (file, offset) = try SigFixtures.location(of: "model.layers.0.self_attn.q_proj.weight", in: dir)
        try SigFixtures.flipByte(at: offset, of: file)
        let tuned = try BaseSignature.compute(model: dir, content: true)
        let m = BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: tuned)
        #expect(m.map(\.kind) == [.contentFingerprint])
        #expect(m.first?.patch == withContent.contentFingerprint && m.first?.base == tuned.contentFingerprint)
    }

    @Test func referenceFromAPaveConfigChecksWidthsWithoutTheModel() throws {
        // A PAVE checkpoint's config.json: the base's fields with model_type pave_qwen2 (PAVE_FORWARD.md §8).
        var config = ModelDirectoryBuilder.Preset.llavaOneVisionQwen2_7b.config
        config["model_type"] = "pave_qwen2"
        config["_name_or_path"] = "lmms-lab/llava-onevision-qwen2-7b-ov"
        config["temporal_aggregator_type"] = "pmv5"
        let ref = try BaseReference(fromPaveConfig: .object(config), path: "config.json")
        #expect(ref.name == "lmms-lab/llava-onevision-qwen2-7b-ov")
        #expect(ref.structuralSignature == nil && ref.source == .paveConfig)
        let arch = try #require(ref.architecture)
        #expect(arch.derivedLinearShape(module: "model.layers.3.self_attn.v_proj")! == (512, 3584))
        #expect(arch.derivedLinearShape(module: "model.layers.28.self_attn.v_proj") == nil)
        let (manifest, shapes) = try SigFixtures.patch(for: arch)
        #expect(BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: ref) == [])
        // A 0.5B patch against it.
        let (small, _) = try Self.presetSignatures()
        let (m05, s05) = try SigFixtures.patch(for: small.description.architecture)
        #expect(BaseCompatibility.check(manifest: m05, tensorShapes: s05, against: ref).filter { $0.kind == .loraShape }.count == 24 * 7 * 2)
        // The derived architecture agrees with the real one on every fit field: the manifest can keep it.
        let (_, real) = try Self.presetSignatures()
        #expect(BaseCompatibility.compare(ref, BaseReference(signature: real)) == [])
        #expect(BaseCompatibility.compare(BaseReference(signature: small), BaseReference(signature: real)).map(\.kind) == [.structuralSignature])
        let diff = BaseCompatibility.compare(ref, BaseReference(name: "x", architecture: small.description.architecture, source: .paveConfig))
        #expect(diff.contains { $0.subject == "base.architecture.hidden_size" })
    }

    @Test func baseSectionRoundTripsThroughTheManifest() throws {
        let (small, _) = try Self.presetSignatures()
        var m = Manifest(name: "p", version: "1.0.0")
        let ref = BaseReference(signature: small)
        try m.setBaseReference(ref)
        let back = try Manifest(jsonBytes: [UInt8](m.canonicalData()))
        #expect(try back.baseReference() == ref)
        #expect(back["base"]?["structural_signature"]?.stringValue == small.structuralSignature)
        #expect(back["base"]?["architecture"]?["mm_hidden_size"]?.intValue == 1152)
        #expect(ref.problems.isEmpty)
        #expect(BaseReference(name: "", structuralSignature: "sha256:XYZ", architecture: nil, source: .signature).problems.count == 2)
    }

    @Test func importerHelperNamesTheBaseAndToleratesThinConfigs() {
        var config = ModelDirectoryBuilder.Preset.llavaOneVisionQwen2_0_5b.config
        config["_name_or_path"] = "/mnt/bn/checkpoints/llavanext-siglip-qwen2-0.5b"
        let adapter: [String: JSONValue] = ["base_model_name_or_path": "lmms-lab/llava-onevision-qwen2-0.5b-ov"]
        let (ref, note) = BaseReference.fromPaveCheckpoint(config: config, adapterConfig: adapter)
        #expect(note == nil)
        #expect(ref?.name == "lmms-lab/llava-onevision-qwen2-0.5b-ov")
        #expect(ref?.architecture?.hiddenSize == 896 && ref?.source == .paveConfig)
        let (none, why) = BaseReference.fromPaveCheckpoint(config: ["hidden_size": 896], adapterConfig: nil)
        #expect(none == nil)
        #expect(why?.contains("num_attention_heads") == true)
    }

    @Test func hostileNumbersInAManifestDoNotTrap() throws {
        let huge = Int(Int64.max / 2)
        let arch = BaseArchitecture(hiddenSize: huge, intermediateSize: huge, numHiddenLayers: huge, numAttentionHeads: huge,
                                    numKeyValueHeads: huge, headDim: huge, vocabSize: huge, mmHiddenSize: huge)
        #expect(arch.derivedLinearShape(module: "model.layers.0.self_attn.q_proj") == nil)
        var m = Manifest(name: "evil", version: "1.0.0")
        try m.encode(LoRAConfig(r: huge, alpha: -1, targetModules: ["model.layers.0.self_attn.q_proj", "model.layers.999999.mlp.up_proj"]), forKey: ManifestKey.lora)
        try m.encode(FusionArchitecture(inputDim: huge, outputDim: huge, mlpDepth: Int.max), forKey: ManifestKey.fusion)
        try m.setBaseReference(BaseReference(name: "x", architecture: arch, source: .paveConfig))
        let ref = BaseReference(name: "base", architecture: arch, source: .paveConfig)
        let mismatches = BaseCompatibility.check(manifest: m, tensorShapes: ["fusion.output_mapping.2.weight": [huge, huge]], against: ref)
        #expect(mismatches.contains { $0.kind == .alpha })
        let (small, _) = try Self.presetSignatures()
        #expect(!BaseCompatibility.check(manifest: m, tensorShapes: [:], against: small).isEmpty)
    }

    @Test func composedStacksAreCheckedMemberByMember() throws {
        let (small, large) = try Self.presetSignatures()
        let (made, memberShapes) = try SigFixtures.patch(for: small.description.architecture, layers: 2, r: 8, name: "audio")
        var member = made
        try member.setBaseReference(BaseReference(signature: small))
        var stack = Manifest(name: "stack", version: "1.0.0")
        try stack.setBaseReference(BaseReference(signature: small))
        var shapes: [String: [Int]] = [:]
        var records: [JSONValue] = []
        for name in ["a", "b"] {
            for (t, shape) in memberShapes { shapes["m.\(name)/" + t] = shape }
            var record: [String: JSONValue] = ["name": .string(name), "tensor_prefix": .string("m.\(name)/"), "manifest": .object(member.fields), "weight": 1]
            if name == "b" { record["lora"] = "merged" }
            records.append(.object(record))
        }
        stack["members"] = .array(records)
        #expect(BaseCompatibility.check(manifest: stack, tensorShapes: shapes, against: small) == [])
        let m = BaseCompatibility.check(manifest: stack, tensorShapes: shapes, against: large)
        #expect(m.contains { $0.subject == "member a: model.layers.1.mlp.up_proj.lora_B" && $0.patch == "[4864, 8]" && $0.base == "[18944, 8]" })
        // Member b's LoRA was merged into the stack: only its fusion module is checked.
        #expect(!m.contains { $0.subject.hasPrefix("member b: model.layers.") })
        #expect(m.contains { $0.subject == "member b: fusion.output_dim" })
        // A member's tensor missing from the stack is named.
        shapes["m.a/base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"] = nil
        #expect(BaseCompatibility.check(manifest: stack, tensorShapes: shapes, against: small).map(\.subject)
            == ["member a: base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"])
    }
}
