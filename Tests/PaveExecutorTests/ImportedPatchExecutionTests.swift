import Foundation
import Testing
import PaveCheckpoint
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// An imported PAVE checkpoint (real torch.save + real PEFT files, Tests/Fixtures/torch) runs exactly like
/// the source tensors: the executor's outputs on the imported patch equal, bit for bit, its outputs on the
/// same tensors read from an independent safetensors copy made by Python.
@Suite struct ImportedPatchExecutionTests {
    static let torchFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch")
    static let options = CheckpointImportOptions(heads: 2, rope: RoPEMode.none, created: "2026-01-01T00:00:00Z", tool: "pavepkg test")

    /// Deterministic inputs in [-1, 1).
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    @Test(arguments: ["pave_tiny_lora", "pave_tiny_lora.zip"])
    func importedPatchRunsLikeTheSourceTensors(input: String) throws {
        let imported = try PaveCheckpointImporter.load(Self.torchFixtures.appendingPathComponent(input), options: Self.options)
        let spec = try PatchSpec(manifest: imported.manifest)
        let arch = try #require(spec.fusion)
        let exec = try PatchExecutor(spec: spec, tensors: imported, threads: 1)
        let source = try SafetensorsFile(Self.torchFixtures.appendingPathComponent("pave_tiny_fusion_source.safetensors"))
        let reference = try FusionModule(architecture: arch, tensors: source, threads: 1)
        // T_q = 2 query frames of 2×2 tokens, T_k = 5 side frames (uneven chunks) of 1×1.
        let visual = try #require(FloatTensor(shape: [2, 4, arch.queryDim], values: Self.values(2 * 4 * arch.queryDim, seed: 1)))
        let side = try #require(FloatTensor(shape: [5, 1, 1, arch.inputDim], values: Self.values(5 * arch.inputDim, seed: 2)))
        let got = try exec.forward(visual: visual, side: side)
        let expected = try reference.forward(visual: visual, side: side)
        #expect(got.shape == [8, 32])
        #expect(got.values.map(\.bitPattern) == expected.values.map(\.bitPattern))
        #expect(got.values.contains { $0 != 0 })
        // LoRA: every module's delta equals the delta computed from PEFT's adapter file directly.
        let lora = try #require(spec.lora)
        let adapterFile = try SafetensorsFile(Self.torchFixtures.appendingPathComponent("pave_tiny_lora/adapter_model.safetensors"))
        for m in lora.targetModules {
            let direct = try LoRAAdapter(config: lora, module: m, tensors: adapterFile)
            let x = try #require(FloatTensor(shape: [3, direct.inFeatures], values: Self.values(3 * direct.inFeatures, seed: 3)))
            #expect(try exec.loraDelta(module: m, x: x).values.map(\.bitPattern) == direct.delta(x).values.map(\.bitPattern), "\(m)")
        }
    }

    @Test func exportedAndReimportedPatchRunsIdentically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try PaveCheckpointImporter.load(Self.torchFixtures.appendingPathComponent("pave_tiny_lora"), options: Self.options)
        let out = dir.appendingPathComponent("pave_tiny_lora")
        try PaveCheckpointExporter.export(manifest: first.manifest, tensors: first.tensors, to: out, format: .paveCheckpoint)
        let second = try PaveCheckpointImporter.load(out, options: CheckpointImportOptions(tool: "pavepkg test"))
        let a = try PatchExecutor(spec: PatchSpec(manifest: first.manifest), tensors: first, threads: 1)
        let b = try PatchExecutor(spec: PatchSpec(manifest: second.manifest), tensors: second, threads: 1)
        let arch = try #require(a.spec.fusion)
        let visual = try #require(FloatTensor(shape: [2, 4, arch.queryDim], values: Self.values(2 * 4 * arch.queryDim, seed: 4)))
        let side = try #require(FloatTensor(shape: [6, 1, 1, arch.inputDim], values: Self.values(6 * arch.inputDim, seed: 5)))
        #expect(try a.forward(visual: visual, side: side).values.map(\.bitPattern) == b.forward(visual: visual, side: side).values.map(\.bitPattern))
    }
}
