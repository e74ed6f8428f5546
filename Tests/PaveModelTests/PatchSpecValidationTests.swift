import Testing
import PaveFormat
@testable import PaveModel

@Suite struct PatchSpecValidationTests {
    static let arch = FusionArchitecture(inputDim: 10, embedDim: 12, queryDim: 14, hiddenDim: 16, outputDim: 24, heads: 2, layers: 2)

    static func infos(_ a: FusionArchitecture = arch, dtype: DType = .bf16) -> [TensorInfo] {
        a.parameters.map { TensorInfo(name: a.tensorPrefix + $0.name, dtype: dtype, shape: $0.shape) }
    }

    @Test func releasedConfigsHaveThePublishedTensorAndParameterCounts() {
        let cases: [(Int, Int, Int, Int, Int)] = [(1024, 896, 2, 30, 6_235_776), (1024, 3584, 2, 30, 8_996_352), (768, 896, 2, 30, 6_104_704),
                                                  (768, 3584, 3, 40, 10_702_848), (1024, 3584, 3, 40, 10_833_920)]
        for (cin, out, layers, count, params) in cases {
            let a = FusionArchitecture(inputDim: cin, outputDim: out, layers: layers)
            #expect(a.parameters.count == count)
            #expect(a.parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } == params)
        }
    }

    @Test func matchingTensorsPass() throws {
        let spec = PatchSpec(fusion: Self.arch)
        try spec.validate(Self.infos())
        #expect(spec.tensorIssues(Self.infos()).isEmpty)
    }

    @Test func everyMismatchIsNamed() {
        var t = Self.infos()
        t.removeAll { $0.name == "fusion.cross_attn_layers.1.attn.v_linear.bias" }             // missing (stored-but-unused still required)
        t.append(TensorInfo(name: "fusion.cross_attn_layers.2.attn.q_linear.weight", dtype: .f32, shape: [16, 16]))   // a third layer: extra
        if let i = t.firstIndex(where: { $0.name == "fusion.output_norm.weight" }) { t[i].shape = [896] }
        if let i = t.firstIndex(where: { $0.name == "fusion.input_mapping.bias" }) { t[i].dtype = .i64 }
        let issues = PatchSpec(fusion: Self.arch).tensorIssues(t)
        #expect(issues.count == 4)
        #expect(issues.contains(.missing(name: "fusion.cross_attn_layers.1.attn.v_linear.bias", role: "fusion parameter, stored but unused", expected: "[16]")))
        #expect(issues.contains(.extra(name: "fusion.cross_attn_layers.2.attn.q_linear.weight", shape: [16, 16])))
        #expect(issues.contains(.wrongShape(name: "fusion.output_norm.weight", role: "fusion parameter", shape: [896], expected: "[24]")))
        #expect(issues.contains(.wrongDType(name: "fusion.input_mapping.bias", role: "fusion parameter", dtype: .i64, allowed: [.f32, .f16, .bf16])))
        #expect(throws: PatchSemanticsError.tensorMismatch(issues: issues)) { try PatchSpec(fusion: Self.arch).validate(t) }
    }

    @Test func hyperparametersAreChecked() {
        var a = Self.arch; a.rope = .threeD
        #expect(throws: PatchSemanticsError.self) { try a.checkHyperparameters() }          // head dim 8, RoPE needs 128
        a.hiddenDim = 256; a.heads = 2
        #expect(throws: Never.self) { try a.checkHyperparameters() }
        var b = Self.arch; b.heads = 3
        #expect(throws: PatchSemanticsError.self) { try b.checkHyperparameters() }
        var c = Self.arch; c.mlpDepth = 1
        #expect(throws: PatchSemanticsError.self) { try c.checkHyperparameters() }            // norm over 24 but MLP gives 32
        c.outputNorm = false
        #expect(c.effectiveOutputDim == 32 && c.parameters.last?.name == "output_mapping.0.bias")
        var d = Self.arch; d.rope = .none; d.outputNorm = false; d.layers = 0
        #expect(d.parameters.count == 8)
        // Hostile numbers are refused before any shape is derived from them.
        var e = Self.arch; e.hiddenDim = Int.max / 2 + 1; e.mlpDepth = Int.max
        #expect(throws: PatchSemanticsError.self) { try PatchSpec(fusion: e).validate(Self.infos()) }
        #expect(PatchSpec(fusion: e).tensorIssues([]).isEmpty)
    }

    @Test func loraAndReferenceTensors() throws {
        let lora = LoRAConfig(r: 4, alpha: 8, targetModules: ["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj"])
        let ref = ReferenceVectorSet(name: "s", tensorPrefix: "ref.s.", loraModules: ["model.layers.0.mlp.down_proj"], source: "user")
        let spec = PatchSpec(fusion: Self.arch, lora: lora, referenceVectors: [ref])
        var t = Self.infos()
        t += [TensorInfo(name: "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", dtype: .f32, shape: [4, 32]),
              TensorInfo(name: "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", dtype: .f32, shape: [32, 4]),
              TensorInfo(name: "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", dtype: .f32, shape: [4, 64]),
              TensorInfo(name: "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight", dtype: .f32, shape: [32, 4]),
              TensorInfo(name: "ref.s.visual", dtype: .f32, shape: [2, 3, 14]), TensorInfo(name: "ref.s.side", dtype: .f32, shape: [5, 1, 1, 10]),
              TensorInfo(name: "ref.s.fused", dtype: .f32, shape: [6, 24]),
              TensorInfo(name: "ref.s.lora_x", dtype: .f32, shape: [7, 64]),
              TensorInfo(name: "ref.s.lora_delta.model.layers.0.mlp.down_proj", dtype: .f32, shape: [7, 32])]
        try spec.validate(t)
        var bad = t
        bad[bad.count - 3].shape = [5, 24]                                                            // fused rows ≠ T_q·S_q
        bad[bad.count - 8] = TensorInfo(name: "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", dtype: .f32, shape: [32, 8])
        bad.append(TensorInfo(name: "ref.s.unknown", dtype: .f32, shape: [1]))
        let issues = spec.tensorIssues(bad).map(\.tensorName)
        #expect(issues == ["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", "ref.s.fused", "ref.s.unknown"])
    }

    @Test func manifestRoundTripAndSectionErrors() throws {
        var m = Manifest(name: "p", version: "1.0.0")
        let spec = PatchSpec(fusion: Self.arch, lora: LoRAConfig(r: 64, alpha: 16, targetModules: ["a"], peftConfig: ["r": 64, "use_rslora": false]),
                             sideChannel: SideChannel(kind: .audio, encoder: "ImageBind audio", layout: .init(t: nil, h: 1, w: 1, c: 10), rateHz: 2),
                             referenceVectors: [ReferenceVectorSet(name: "self-check", tensorPrefix: "ref.self-check.", source: "pavepkg self-check", seed: 1)])
        try spec.write(into: &m)
        #expect(try PatchSpec(manifest: Manifest(jsonBytes: [UInt8](m.canonicalData()))) == spec)
        m["fusion"] = ["type": "pave-v5"]
        let error = #expect(throws: PatchSemanticsError.self) { try PatchSpec(manifest: m) }
        #expect(error?.description.hasPrefix("manifest section \"fusion\" is invalid: missing field") == true)
        var n = Manifest(name: "p", version: "1.0.0")
        try n.encode(LoRAConfig(r: 4, alpha: 8, targetModules: ["a"], peftConfig: ["rank_pattern": ["a": 8]]), forKey: "lora")
        #expect(throws: PatchSemanticsError.self) { try PatchSpec(manifest: n) }
        #expect(!PatchSpec().isPAVEPatch && PatchSpec().tensorIssues([TensorInfo(name: "x", dtype: .u8, shape: [1])]).isEmpty)
    }
}
