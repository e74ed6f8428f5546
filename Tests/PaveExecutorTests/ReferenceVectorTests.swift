import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

@Suite struct ReferenceVectorTests {
    /// The a2 fixture module plus the PEFT LoRA fixture as one in-memory patch.
    static func patch() throws -> (spec: PatchSpec, tensors: [String: TensorData]) {
        let w = try Fixtures.file("a2.weights.safetensors"), l = try Fixtures.file("lora.peft.safetensors")
        var t: [String: TensorData] = [:]
        for e in w.entries { t[e.name] = try w.tensor(e.name) }
        t["lora.m.q_proj.lora_A.weight"] = try l.tensor("lora.A")
        t["lora.m.q_proj.lora_B.weight"] = try l.tensor("lora.B")
        let lora = LoRAConfig(r: 4, alpha: 8, targetModules: ["m.q_proj"], tensorPrefix: "lora.")
        let side = SideChannel(kind: .audio, layout: .init(t: nil, h: 1, w: 1, c: 10))
        return (PatchSpec(fusion: try Fixtures.architecture(w), lora: lora, sideChannel: side), t)
    }

    static func manifest(_ spec: PatchSpec) throws -> Manifest {
        var m = Manifest(name: "t", version: "1.0.0")
        try spec.write(into: &m)
        return m
    }

    @Test func selfCheckIsDeterministicAndVerifies() throws {
        var (spec, t) = try Self.patch()
        let exec = try PatchExecutor(spec: spec, tensors: InMemoryTensors(t))
        let a = try ReferenceVectors.selfCheck(executor: exec)
        let b = try ReferenceVectors.selfCheck(executor: exec)
        #expect(a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.tensor) == b.tensors.map(\.tensor))
        #expect(a.tensors.map(\.name) == ["ref.self-check.fused", "ref.self-check.lora_delta.m.q_proj", "ref.self-check.lora_x.m.q_proj",
                                          "ref.self-check.side", "ref.self-check.visual"])
        #expect(a.tensors.first?.tensor.shape == [8, 24])
        #expect(a.set.loraModules == ["m.q_proj"] && a.set.seed == 0 && a.set.source == "pavepkg self-check")
        for x in a.tensors { t[x.name] = x.tensor }
        spec.referenceVectors = [a.set]
        let v = PatchVerification.verify(manifest: try Self.manifest(spec), tensors: InMemoryTensors(t))
        #expect(v.isPAVEPatch && v.passed, "\(v.errors)")
        #expect(v.referenceChecks.first?.outputs.map(\.maxAbsError) == [0, 0])
    }

    @Test func realPAVEOutputsAsAUserSetPassAndADamagedOneNamesTheWorstElement() throws {
        var (spec, t) = try Self.patch()
        let c = try Fixtures.file("a2.uneven.safetensors"), l = try Fixtures.file("lora.peft.safetensors")
        let inputs = InMemoryTensors(["visual": try c.tensor("visual"), "side": try c.tensor("side"), "lora_x": try l.tensor("lora.x")])
        var expected = ["fused": try c.tensor("fused"), "lora_delta.m.q_proj": try l.tensor("lora.delta")]
        let user = try ReferenceVectors.userSet(inputs: inputs, expected: InMemoryTensors(expected))
        #expect(user.set.name == "reference" && user.set.tensorPrefix == "ref.reference." && user.set.loraModules == ["m.q_proj"])
        for x in user.tensors { t[x.name] = x.tensor }
        spec.referenceVectors = [user.set]
        let ok = PatchVerification.verify(manifest: try Self.manifest(spec), tensors: InMemoryTensors(t))
        #expect(ok.passed, "\(ok.errors)")
        let out = try #require(ok.referenceChecks.first?.outputs.first)
        #expect(out.tensor == "ref.reference.fused" && out.maxAbsError < 1e-5 && out.failures == 0)

        // Damage one expected element: verify names it.
        var f = try FloatTensor(expected["fused"]!, name: "fused")
        f.values[3 * 24 + 5] += 0.01
        expected["fused"] = f.tensorData()
        t["ref.reference.fused"] = f.tensorData()
        let bad = PatchVerification.verify(manifest: try Self.manifest(spec), tensors: InMemoryTensors(t))
        #expect(!bad.passed)
        guard case let .mismatch(set, tensor, index, got, exp, _, _, failures)? = bad.referenceChecks.first?.error else {
            Issue.record("expected a mismatch, got \(bad.errors)"); return
        }
        #expect(set == "reference" && tensor == "ref.reference.fused" && index == [3, 5] && failures == 1)
        #expect(abs(exp - got - 0.01) < 1e-5)
    }

    @Test func semanticsMismatchAndBadUserFilesAreReported() throws {
        var (spec, t) = try Self.patch()
        t["fusion.stray"] = try .f32(shape: [1], [0])
        let v = PatchVerification.verify(manifest: try Self.manifest(spec), tensors: InMemoryTensors(t))
        #expect(v.semanticsError == .tensorMismatch(issues: [.extra(name: "fusion.stray", shape: [1])]))
        #expect(throws: ReferenceVectorError.unexpectedTensor(name: "fused", file: "inputs", allowed: "visual, side, lora_x, lora_x.<module>")) {
            try ReferenceVectors.userSet(inputs: InMemoryTensors(["fused": try .f32(shape: [1], [0])]), expected: InMemoryTensors())
        }
        spec.fusion = nil; spec.lora = nil
        #expect(!PatchVerification.verify(manifest: try Self.manifest(spec), tensors: InMemoryTensors(t)).isPAVEPatch)
    }

    @Test func loraOnlyRunAndMissingInputs() throws {
        let (spec, t) = try Self.patch()
        let exec = try PatchExecutor(spec: spec, tensors: InMemoryTensors(t))
        let l = try Fixtures.file("lora.peft.safetensors")
        let out = try exec.run(inputs: InMemoryTensors(["lora_x": try l.tensor("lora.x")]), loraModules: ["m.q_proj"])
        #expect(out.map(\.name) == ["lora_delta.m.q_proj"])
        #expect(throws: ExecutorError.missingTensor(name: "side", role: "input [T_k, H, W, 10]")) {
            try exec.run(inputs: InMemoryTensors(["visual": try .f32(shape: [1, 1, 14], [Float](repeating: 0, count: 14))]))
        }
        #expect(throws: ExecutorError.notInPatch(what: "LoRA module \"m.k_proj\"")) {
            try exec.run(inputs: InMemoryTensors(["lora_x": try l.tensor("lora.x")]), loraModules: ["m.k_proj"])
        }
        #expect(throws: ExecutorError.wrongShape(name: "lora_x", shape: [2, 3], expected: "[N, 12] (the input width of m.q_proj)")) {
            try exec.run(inputs: InMemoryTensors(["lora_x": try .f32(shape: [2, 3], [Float](repeating: 0, count: 6))]), loraModules: ["m.q_proj"])
        }
    }
}

@Suite struct CompareTests {
    @Test func toleranceRuleAndNonFiniteValues() {
        func t(_ v: [Float]) -> FloatTensor { FloatTensor(shape: [v.count], values: v)! }
        let ok = ReferenceVectors.compare(tensor: "x", got: t([1.0001, 0, .infinity]), expected: t([1, 0.00005, .infinity]), atol: 1e-4, rtol: 1e-4)
        #expect(ok.passed && ok.failures == 0)
        let bad = ReferenceVectors.compare(tensor: "x", got: t([1, .nan, 2, 5]), expected: t([1, 0, .infinity, 5.01]), atol: 1e-4, rtol: 1e-4)
        #expect(bad.failures == 3 && !bad.passed && bad.maxAbsError == .infinity)
        let close = ReferenceVectors.compare(tensor: "x", got: t([1, 2.5]), expected: t([1, 2]), atol: 0.1, rtol: 0)
        #expect(close.worstIndex == [1] && close.worstGot == 2.5 && close.worstExpected == 2 && close.maxRelError == 0.25)
    }
}
