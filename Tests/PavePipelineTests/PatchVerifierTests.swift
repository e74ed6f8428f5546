import Foundation
import PaveCompose
import PaveExecutor
import PaveFormat
import PaveModel
import PavePipeline
import Testing

/// ``PatchVerifier`` on composed files: the full policy checks every member and the stack's own vectors.
@Suite struct PatchVerifierTests {
    /// The composed file `av.pave` repacked with one weight of member `video` changed (what `unpack`, an edit and
    /// `pack --manifest manifest.json` produce): its container is intact, its members are not.
    static func tamperedComposed(in dir: URL) throws -> URL {
        let file = try PaveFile.open(try PipelineFixtures.composed(in: dir))
        let victim = "m.video/fusion.output_norm.weight"
        var tensors: [any TensorSource] = []
        for e in file.entries where e.name != victim { tensors.append(try PaveTensorSource(file: file, name: e.name)) }
        var w = try FloatTensor(try file.readTensor(victim), name: victim)
        w.values[0] += 0.25
        tensors.append(InMemoryTensorSource(name: victim, tensor: w.tensorData()))
        let out = dir.appendingPathComponent("tampered.pave")
        try PackPlan(manifest: file.manifest, tensors: tensors).write(to: out)
        return out
    }

    @Test func aComposedFileVerifiesMemberByMember() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try PatchVerifier(policy: .full).verify(fileAt: try PipelineFixtures.composed(in: dir))
        #expect(report.ok, "\(report.problems)")
        #expect(report.checks.map(\.name).suffix(3) == ["member video", "member audio", "stack reference self-check"])
    }

    @Test func aWrongMemberWeightFailsTheFullPolicyOnly() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try Self.tamperedComposed(in: dir)
        #expect(try PatchVerifier(policy: .semantics).verify(fileAt: url).ok)   // no top-level fusion / lora: nothing to run
        let report = try PatchVerifier(policy: .full).verify(fileAt: url)
        #expect(!report.ok)
        #expect(report.checks.filter { !$0.passed }.map(\.name) == ["member video", "stack reference self-check"])
        #expect(report.problems.contains { $0.message.contains("reference set \"self-check\": m.video/ref.self-check.fused") || $0.message.contains("ref.self-check.fused") })
        let failure = #expect(throws: VerificationFailure.self) { try PatchVerifier().require(try PaveFile.open(url)) }
        #expect(failure?.category == .checkFailed)
    }

    @Test func composeRefusesAnInputThatFailsVerification() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try PaveFile.open(try Self.tamperedComposed(in: dir))
        let good = try PaveFile.open(try PipelineFixtures.patch("depth", seed: 3, inputDim: 4, rank: 1, in: dir))
        let out = dir.appendingPathComponent("x.pave")
        let failure = #expect(throws: VerificationFailure.self) {
            try PatchComposer.compose([good, bad], request: ComposeRequest(name: "x", tool: "t", environment: [:]), to: out)
        }
        #expect(failure?.report.path == bad.path)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(throws: PaveFormatError.self) {
            try PatchComposer.compose([good], request: ComposeRequest(name: "a b", tool: "t", environment: [:]), to: out)
        }
    }

    @Test func theBaseIsCheckedForEveryMember() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try PipelineFixtures.composed(in: dir)
        // A base whose LLM is narrower than the members' output: every member is named.
        let sig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/base-signatures/llava-onevision-qwen2-0.5b-ov.sig.json")
        let report = try PatchVerifier(policy: .full.checking(base: .location(sig))).verify(fileAt: url)
        #expect(!report.ok)
        #expect(report.checks.filter { !$0.passed }.map(\.name).contains("member video base.compatibility"))
        #expect(throws: BaseSignatureError.self) {
            try PatchVerifier(policy: .full.checking(base: .location(dir.appendingPathComponent("missing.sig.json")))).verify(fileAt: url)
        }
    }
}
