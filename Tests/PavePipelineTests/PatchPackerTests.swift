import Foundation
import PaveExecutor
import PaveFormat
import PaveModel
import PavePipeline
import Testing

/// pack → verify → run through the library calls `pavepkg pack / verify / run` make, on real `.pave` files.
@Suite struct PatchPackerTests {
    @Test func packVerifyRunRoundTripWithSelfCheckAndUserSet() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // User reference: the real PAVE output for one RoPE case and PEFT's rsLoRA delta.
        let c = try PipelineFixtures.file("r2.uneven_sq_ge_sk.safetensors"), l = try PipelineFixtures.file("lora.peft.safetensors")
        let inURL = dir.appendingPathComponent("in.safetensors"), expURL = dir.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write([("lora_x", try l.tensor("rslora.x")), ("side", try c.tensor("side")), ("visual", try c.tensor("visual"))], to: inURL)
        try SafetensorsWriter.write([("fused", try c.tensor("fused")), ("lora_delta.m.q_proj", try l.tensor("rslora.delta"))], to: expURL)

        var request = try PipelineFixtures.request(in: dir)
        request.referenceVectors = ReferenceVectorFiles(inputs: inURL, expected: expURL, tolerance: try #require(Tolerance("1e-4,1e-4")))
        let url = dir.appendingPathComponent("p.pave")
        let result = try PatchPacker.pack(request, to: url)
        #expect(result.summary.path == url.path)

        let report = try PatchVerifier(policy: .full).verify(fileAt: url)
        #expect(report.ok, "\(report.problems)")
        #expect(report.digest == result.summary.digest)
        #expect(report.checks.map(\.name).suffix(3) == ["patch.semantics", "reference.reference.fused", "reference.reference.lora_delta.m.q_proj"])
        #expect(report.numerics?["reference_vectors"]?.arrayValue?.count == 1)
        // The container policy stops after the container.
        #expect(try PatchVerifier(policy: .container).verify(fileAt: url).checks.map(\.name)
                == ["container.structure", "container.digest", "manifest.schema", "container.hashes", "container.padding"])

        // Without reference vectors a self-check set is recorded; a second pack on one thread is byte-identical.
        let url2 = dir.appendingPathComponent("p2.pave"), url3 = dir.appendingPathComponent("p3.pave")
        try PatchPacker.pack(try PipelineFixtures.request(in: dir), to: url2)
        var oneThread = try PipelineFixtures.request(in: dir)
        oneThread.options.threads = 1
        try PatchPacker.pack(oneThread, to: url3)
        #expect(try Data(contentsOf: url2) == Data(contentsOf: url3))
        let p2 = try PaveFile.open(url2)
        #expect(try PatchSpec(manifest: p2.manifest).referenceVectors.map(\.name) == ["self-check"])
        #expect(p2.entry("ref.self-check.side")?.shape == [3, 3, 3, 8])    // layout 3×3 from the side channel
        #expect(try PatchVerifier().verify(p2).ok)

        // run: the same numbers as the real PAVE code.
        let pave = try PaveFile.open(url)
        let exec = try PatchExecutor(spec: try PatchSpec(manifest: pave.manifest), tensors: pave)
        let out = try exec.run(inputs: try SafetensorsFile(inURL), loraModules: ["m.q_proj"])
        #expect(out.map(\.name) == ["fused", "lora_delta.m.q_proj"])
        let fused = try #require(out.first?.tensor).values
        let want = try FloatTensor(try c.tensor("fused"), name: "fused").values
        #expect(zip(fused, want).allSatisfy { abs($0 - $1) <= 1e-4 + 1e-4 * abs($1) })
    }

    @Test func packRefusesMismatchedTensorsAndFailingReferencesWritingNothing() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.pave")
        let e = #expect(throws: PatchSemanticsError.self) { try PatchPacker.pack(try PipelineFixtures.request(in: dir, layers: 1), to: out) }
        #expect(e.map { "\($0)" }?.contains("unexpected tensor \"fusion.cross_attn_layers.1.attn.k_linear.bias\"") == true)

        let c = try PipelineFixtures.file("r2.upsample.safetensors")
        let inURL = dir.appendingPathComponent("in.safetensors"), expURL = dir.appendingPathComponent("expected.safetensors")
        try SafetensorsWriter.write([("side", try c.tensor("side")), ("visual", try c.tensor("visual"))], to: inURL)
        var f = try FloatTensor(try c.tensor("fused"), name: "fused")
        f.values[17] = .nan
        try SafetensorsWriter.write([("fused", f.tensorData())], to: expURL)
        var request = try PipelineFixtures.request(in: dir)
        request.referenceVectors = ReferenceVectorFiles(inputs: inURL, expected: expURL)
        let error = #expect(throws: ReferenceVectorError.self) { try PatchPacker.pack(request, to: out) }
        guard case let .mismatch(_, tensor, index, _, _, _, _, failures)? = error else { Issue.record("no mismatch"); return }
        #expect(tensor == "ref.reference.fused" && index == [1, 1] && failures == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func referenceVectorsNeedAPAVEPatchAndMissingInputsAreNamed() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = PipelineFixtures.directory.appendingPathComponent("a2.even.safetensors")
        let plain = PackRequest(input: .safetensors([weights]), name: "plain", tool: "t", environment: [:])
        var withSet = plain
        withSet.referenceVectors = ReferenceVectorFiles(inputs: weights, expected: weights)
        #expect(throws: PatchPackError.referenceVectorsWithoutPatch) { try PatchPacker.pack(withSet, to: dir.appendingPathComponent("a.pave")) }
        let missing = PackRequest(input: .safetensors([dir.appendingPathComponent("nothere.safetensors")]), tool: "t", environment: [:])
        let e = #expect(throws: SafetensorsError.self) { try PatchPacker.pack(missing, to: dir.appendingPathComponent("b.pave")) }
        #expect(e.map { "\($0)" }?.contains("nothere.safetensors") == true)
        #expect(e.map { "\($0)" }?.contains("No such file or directory") == true)
        #expect(try PatchPacker.pack(plain, to: dir.appendingPathComponent("c.pave")).summary.tensorCount > 0)
    }

    @Test func tolerancesParseFromTheirTextForm() throws {
        #expect(Tolerance("1e-3, 0") == Tolerance(atol: 1e-3, rtol: 0))
        #expect(Tolerance.default.description == "0.0001,0.0001")
        for bad in ["1e-4", "a,b", "-1,0", "inf,0", "1,2,3", ""] { #expect(Tolerance(bad) == nil, "\(bad)") }
    }
}
