import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// pack → verify → run through the calls `pavepkg pack / verify / run` make, on real `.pave` files.
@Suite struct EndToEndTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pave-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A plan like `pack r2.weights.safetensors --manifest m.json`, RoPE patch in BF16 plus a LoRA module.
    static func plan(layers: Int? = nil) throws -> PackPlan {
        let w = try Fixtures.file("r2.weights.safetensors")
        var arch = try Fixtures.architecture(w)
        if let layers { arch.layers = layers }
        var m = Manifest(name: "e2e", version: "1.0.0")
        m.created = "2026-01-01T00:00:00Z"
        try PatchSpec(fusion: arch, lora: LoRAConfig(r: 4, alpha: 8, useRSLoRA: true, targetModules: ["m.q_proj"], tensorPrefix: "lora."),
                      sideChannel: SideChannel(kind: .threeD, layout: .init(t: 32, h: 3, w: 3, c: 8))).write(into: &m)
        var plan = PackPlan(manifest: m)
        try plan.addSafetensors([Fixtures.directory.appendingPathComponent("r2.weights.safetensors")])
        let l = try Fixtures.file("lora.peft.safetensors")
        plan.tensors.append(InMemoryTensorSource(name: "lora.m.q_proj.lora_A.weight", tensor: try l.tensor("rslora.A")))
        plan.tensors.append(InMemoryTensorSource(name: "lora.m.q_proj.lora_B.weight", tensor: try l.tensor("rslora.B")))
        return plan
    }

    @Test func packVerifyRunRoundTripWithSelfCheckAndUserSet() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // User reference: the real PAVE output for one RoPE case and PEFT's rsLoRA delta.
        let c = try Fixtures.file("r2.uneven_sq_ge_sk.safetensors"), l = try Fixtures.file("lora.peft.safetensors")
        let inURL = dir.appendingPathComponent("in.safetensors"), expURL = dir.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write([("lora_x", try l.tensor("rslora.x")), ("side", try c.tensor("side")), ("visual", try c.tensor("visual"))], to: inURL)
        try SafetensorsWriter.write([("fused", try c.tensor("fused")), ("lora_delta.m.q_proj", try l.tensor("rslora.delta"))], to: expURL)

        var plan = try Self.plan()
        try PatchPacking.prepare(&plan, options: .init(inputs: inURL, expected: expURL, atol: 1e-4, rtol: 1e-4))
        let url = dir.appendingPathComponent("p.pave")
        try plan.write(to: url)

        let pave = try PaveFile.open(url)
        var report = try pave.verifyAll()
        PatchVerification.verify(manifest: pave.manifest, tensors: pave).record(into: &report)
        #expect(report.ok, "\(report.problems)")
        #expect(report.checks.map(\.name).suffix(3) == ["patch.semantics", "reference.reference.fused", "reference.reference.lora_delta.m.q_proj"])
        #expect(report.numerics?["reference_vectors"]?.arrayValue?.count == 1)

        // pack without --reference records a self-check set; verify passes; a second pack is byte-identical.
        var plan2 = try Self.plan()
        try PatchPacking.prepare(&plan2, options: .init())
        let url2 = dir.appendingPathComponent("p2.pave"), url3 = dir.appendingPathComponent("p3.pave")
        try plan2.write(to: url2)
        var plan3 = try Self.plan()
        try PatchPacking.prepare(&plan3, options: .init(threads: 1))
        try plan3.write(to: url3)
        #expect(try Data(contentsOf: url2) == Data(contentsOf: url3))
        let p2 = try PaveFile.open(url2)
        let spec2 = try PatchSpec(manifest: p2.manifest)
        #expect(spec2.referenceVectors.map(\.name) == ["self-check"])
        #expect(p2.entry("ref.self-check.side")?.shape == [3, 3, 3, 8])    // layout 3×3 from the side channel
        let v2 = PatchVerification.verify(manifest: p2.manifest, tensors: p2)
        #expect(v2.passed && v2.referenceChecks.first?.outputs.count == 2)

        // run: the same numbers as the real PAVE code.
        let exec = try PatchExecutor(spec: try PatchSpec(manifest: pave.manifest), tensors: pave)
        let out = try exec.run(inputs: try SafetensorsFile(inURL), loraModules: ["m.q_proj"])
        #expect(out.map(\.name) == ["fused", "lora_delta.m.q_proj"])
        let fused = try #require(out.first?.tensor)
        #expect(worstViolation(fused.values, try Fixtures.floats(c, "fused").values, atol: 1e-4, rtol: 1e-4) == nil)
    }

    @Test func packRefusesMismatchedTensorsAndFailingReferences() throws {
        var bad = try Self.plan(layers: 1)
        #expect(throws: PatchSemanticsError.self) { try PatchPacking.prepare(&bad, options: .init()) }
        do { try PatchPacking.prepare(&bad, options: .init()) } catch {
            #expect("\(error)".contains("unexpected tensor \"fusion.cross_attn_layers.1.attn.k_linear.bias\""))
        }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try Fixtures.file("r2.upsample.safetensors")
        let inURL = dir.appendingPathComponent("in.safetensors"), expURL = dir.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write([("side", try c.tensor("side")), ("visual", try c.tensor("visual"))], to: inURL)
        var f = try Fixtures.floats(c, "fused")
        f.values[17] = .nan
        try SafetensorsWriter.write([("fused", f.tensorData())], to: expURL)
        var plan = try Self.plan()
        let error = #expect(throws: ReferenceVectorError.self) { try PatchPacking.prepare(&plan, options: .init(inputs: inURL, expected: expURL)) }
        guard case let .mismatch(_, tensor, index, _, _, _, _, failures)? = error else { Issue.record("no mismatch"); return }
        #expect(tensor == "ref.reference.fused" && index == [1, 1] && failures == 1)
        #expect(throws: ExecutorError.invalidOption(name: "--tolerance", reason: "expected ATOL,RTOL (two non-negative numbers, e.g. 1e-4,1e-4), got \"1e-4\"")) {
            try PatchPacking.parseTolerance("1e-4")
        }
        #expect(try PatchPacking.parseTolerance("1e-3, 0").atol == 1e-3)
    }
}
