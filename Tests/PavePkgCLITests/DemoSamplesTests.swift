import Foundation
import PaveKit
import Testing

/// The README's demo samples and its library snippet, on real bytes: the demo patches generate, pack against the
/// bundled 7B signature, and the library API of the README opens, checks and runs them.
@Suite
struct DemoSamplesTests {
    @Test func demoPatchesPackVerifyAndRunThroughTheReadmeSnippet() throws {
        let dir = try TempDir()
        let gen = try CLI.run(["generate-samples", "--out", dir.url.path], tool: "pavepkg-bench")
        #expect(gen.status == 0, "\(gen.stderr)")
        let sig = CLI.root.appendingPathComponent("samples/base-signatures/llava-onevision-qwen2-7b-ov.sig.json")
        let pack = try CLI.run(["pack", dir.path("pave-7b-audio.safetensors"), "--manifest", dir.path("pave-7b-audio.manifest.json"),
                                "--base", sig.path, "-o", dir.path("pave-7b-audio.pave")], environment: ["SOURCE_DATE_EPOCH": "1767225600"])
        #expect(pack.status == 0, "\(pack.stderr)")

        // The README's library snippet, verbatim apart from the paths.
        let patch = try PaveFile.open(URL(fileURLWithPath: dir.path("pave-7b-audio.pave")))
        #expect(patch.manifest.name == "pave-7b-audio")
        #expect(patch.digest.hasPrefix("sha256:"))
        let w = try patch.readTensor("fusion.output_norm.weight")
        #expect(w.dtype == .bf16 && w.shape == [3584])
        let spec = try PatchSpec(manifest: patch.manifest)
        let base = try BaseSignature.load(signatureOrModel: sig)
        try BaseCompatibility.require(manifest: patch.manifest, tensors: patch, against: base)

        let executor = try PatchExecutor(spec: spec, tensors: patch)
        let visual = try #require(FloatTensor(shape: [2, 4, 1152], values: Array(repeating: 0.1, count: 2 * 4 * 1152)))
        let side = try #require(FloatTensor(shape: [3, 1, 1, 1024], values: Array(repeating: 0.2, count: 3 * 1024)))
        let fused = try executor.forward(visual: visual, side: side)
        #expect(fused.shape == [8, 3584])
        #expect(fused.values.allSatisfy { $0.isFinite })

        // The README's pipeline snippet: the library pack gives the CLI's bytes, and verifies with the base.
        var request = PackRequest(input: .safetensors([URL(fileURLWithPath: dir.path("pave-7b-audio.safetensors"))]),
                                  manifestFile: URL(fileURLWithPath: dir.path("pave-7b-audio.manifest.json")), tool: "pavepkg \(PaveKitVersion.string)")
        request.base = .location(sig)
        request.environment = ["SOURCE_DATE_EPOCH": "1767225600"]
        let packed = try PatchPacker.pack(request, to: URL(fileURLWithPath: dir.path("library.pave")))
        #expect(packed.summary.digest == patch.digest)
        let verifier = PatchVerifier(policy: .full.checking(base: request.base))
        let report = try verifier.verify(fileAt: URL(fileURLWithPath: dir.path("library.pave")))
        #expect(report.ok && report.digest == packed.summary.digest)
        #expect(report.checks.map(\.name).contains("base.compatibility"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("library.pave"))) == Data(contentsOf: URL(fileURLWithPath: dir.path("pave-7b-audio.pave"))))

        // The 0.5B base refuses it, naming the module and both shapes.
        let small = try BaseSignature.load(signatureOrModel: CLI.root.appendingPathComponent("samples/base-signatures/llava-onevision-qwen2-0.5b-ov.sig.json"))
        #expect(throws: BaseCompatibilityError.self) { try BaseCompatibility.require(manifest: patch.manifest, tensors: patch, against: small) }
        let wrong = try CLI.run(["verify", dir.path("pave-7b-audio.pave"), "--base", CLI.root.appendingPathComponent("samples/base-signatures/llava-onevision-qwen2-0.5b-ov.sig.json").path])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("model.layers.0.self_attn.q_proj: lora_A is [64, 3584] but the base layer takes 896 in-features"))
    }
}
