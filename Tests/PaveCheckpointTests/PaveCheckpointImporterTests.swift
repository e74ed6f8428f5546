import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveCheckpoint
import PaveModel
@testable import PaveTorch

/// Import of PAVE training output directories and zips (real torch.save + real PEFT fixture), fusion
/// settings from flags / presets / temporal_aggregator_config, and the export round trip.
@Suite struct PaveCheckpointImporterTests {
    static let tiny = TorchFixtures.url("pave_tiny_lora")
    static func options(heads: Int? = 2, rope: RoPEMode? = RoPEMode.none, preset: String? = nil) -> CheckpointImportOptions {
        CheckpointImportOptions(preset: preset, heads: heads, rope: rope, created: "2026-01-01T00:00:00Z", tool: "pavepkg test")
    }

    static func hashes(_ c: ImportedCheckpoint) throws -> [String: String] {
        var out: [String: String] = [:]
        for t in c.tensors { out[t.name] = "\(t.dtype.rawValue)\(t.shape):" + TorchFixtures.hash(try t.load()) }
        return out
    }

    @Test func directoryImportInfersWidthsAndKeepsPEFTFields() throws {
        let c = try PaveCheckpointImporter.load(Self.tiny, options: Self.options())
        let fusion = try #require(try c.manifest.decode(FusionArchitecture.self, forKey: ManifestKey.fusion))
        #expect(fusion == FusionArchitecture(inputDim: 24, embedDim: 16, queryDim: 20, hiddenDim: 16, outputDim: 32, heads: 2, layers: 2,
                                             rope: .none, tensorPrefix: "base_model.model.model.temporal_aggregator."))
        let lora = try #require(try c.manifest.decode(LoRAConfig.self, forKey: ManifestKey.lora))
        #expect(lora.r == 4 && lora.alpha == 8 && lora.targetModules.count == 14 && lora.tensorPrefix == "base_model.model.")
        let peft = try JSONValue.parse(Data(contentsOf: Self.tiny.appendingPathComponent("adapter_config.json")))
        #expect(lora.peftConfig == peft)
        #expect(c.tensors.count == 30 + 28)
        // Fusion tensors keep their names and bytes (checked against torch's own reading).
        let expected = try TorchFixtures.expected("pave_tiny_lora/non_lora_trainables.bin")
        let h = try Self.hashes(c)
        for (name, e) in expected { #expect(h[name]?.hasSuffix(e["sha256"]?.stringValue ?? "-") == true, "\(name)") }
        let prov = try #require(c.manifest[ManifestKey.provenance])
        #expect(prov["base_model"]?["name"] == "tiny/qwen2-test")
        let base = try #require(try c.manifest.baseReference())
        #expect(base.name == "tiny/qwen2-test" && base.source == .paveConfig && base.structuralSignature == nil)
        #expect(base.architecture?.hiddenSize == 32)
        #expect(prov["files"]?["non_lora_trainables.bin"]?["sha256"]?.stringValue
                == (try ContentDigest.sha256Hex(fileAt: Self.tiny.appendingPathComponent("non_lora_trainables.bin"))))
        #expect(prov["importer"]?.stringValue == PaveCheckpointImporter.importerVersion)
        #expect(c.manifest.created == "2026-01-01T00:00:00Z" && c.manifest.name == "pave_tiny_lora")
    }

    @Test func missingHeadsAndRopeAreNamed() throws {
        #expect(throws: CheckpointImportError.self) { _ = try PaveCheckpointImporter.load(Self.tiny, options: Self.options(heads: nil, rope: nil)) }
        do {
            _ = try PaveCheckpointImporter.load(Self.tiny, options: Self.options(heads: 2, rope: nil))
            Issue.record("imported without a RoPE mode")
        } catch let CheckpointImportError.missingFusionSettings(missing, hint) {
            #expect(missing == ["RoPE mode (use_3d_rope)"])
            #expect(hint.contains("preset") && hint.contains("RoPE mode (none or 3d)") && !hint.contains("attention heads"))
        }
        // Heads that do not divide the width, and 3D RoPE with head dim ≠ 128, are refused.
        #expect(throws: CheckpointImportError.self) { _ = try PaveCheckpointImporter.load(Self.tiny, options: Self.options(heads: 3)) }
        #expect(throws: CheckpointImportError.self) { _ = try PaveCheckpointImporter.load(Self.tiny, options: Self.options(rope: .threeD)) }
    }

    @Test func zipImportEqualsDirectoryImportAndPrefersTopLevelFiles() throws {
        let z = try PaveCheckpointImporter.load(TorchFixtures.url("pave_tiny_lora.zip"), options: Self.options())
        let d = try PaveCheckpointImporter.load(Self.tiny, options: Self.options())
        #expect(try Self.hashes(z) == Self.hashes(d))
        #expect(z.manifest[ManifestKey.fusion] == d.manifest[ManifestKey.fusion])
        #expect(z.manifest[ManifestKey.lora] == d.manifest[ManifestKey.lora])
        #expect(z.manifest.name == "pave_tiny_lora")
        #expect(z.notes.contains { $0.contains("top-level") && $0.contains("checkpoint-2") })
        #expect(z.manifest[ManifestKey.provenance]?["source"]?["kind"] == "zip")
        #expect(z.manifest[ManifestKey.provenance]?["files"] == d.manifest[ManifestKey.provenance]?["files"])
        // The intermediate checkpoint on request.
        var o = Self.options()
        o.checkpoint = "checkpoint-2"
        let c2 = try PaveCheckpointImporter.load(TorchFixtures.url("pave_tiny_lora.zip"), options: o)
        #expect(c2.manifest.name == "pave_tiny_lora_checkpoint-2")
        #expect(try Self.hashes(c2) == Self.hashes(d))
    }

    /// A synthetic checkpoint folder with real-sized fusion shapes (zero bf16 values), no adapter.
    static func syntheticCheckpoint(_ arch: FusionArchitecture, config: [String: JSONValue] = ["model_type": "pave_qwen2"], in dir: URL) throws -> URL {
        let folder = dir.appendingPathComponent("pave_synthetic_lora")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tensors = FusionTensorLayout.expectedShapes(arch).map { p, shape in
            let n = Shape.elementCount(shape) ?? 0
            return ImportedTensor(name: PaveCheckpointExporter.paveFusionPrefix + p, dtype: .bf16, shape: shape, byteCount: 2 * n) { _, count in
                [UInt8](repeating: 0, count: count)
            }
        }
        try TorchCheckpointWriter.write(tensors.map(\.torchWriterTensor), to: folder.appendingPathComponent("non_lora_trainables.bin"))
        try JSONValue.object(config).canonicalData().write(to: folder.appendingPathComponent("config.json"))
        return folder
    }

    @Test func presetsGiveHeadsRopeAndSideChannelAndMustFitTheShapes() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let preset = try #require(FusionPreset.named("VideoFeatModelArgumentsV5_1_3_audio"))
        let folder = try Self.syntheticCheckpoint(preset.fusion, in: dir)
        let c = try PaveCheckpointImporter.load(folder, options: Self.options(heads: nil, rope: nil, preset: preset.name))
        var expectedFusion = preset.fusion
        expectedFusion.tensorPrefix = PaveCheckpointExporter.paveFusionPrefix
        #expect(try c.manifest.decode(FusionArchitecture.self, forKey: ManifestKey.fusion) == expectedFusion)
        let side = try #require(try c.manifest.decode(SideChannel.self, forKey: ManifestKey.sideChannel))
        #expect(side.kind == .audio && side.layout.c == 768)
        #expect(c.manifest[ManifestKey.provenance]?["fusion_settings"]?["preset"]?.stringValue == preset.name)
        #expect(c.manifest[ManifestKey.lora] == nil)
        // A preset whose widths disagree with the tensors, a conflicting flag, an unknown name.
        #expect(throws: CheckpointImportError.self) {
            _ = try PaveCheckpointImporter.load(folder, options: Self.options(heads: nil, rope: nil, preset: "VideoFeatModelArgumentsV5_1_3_7B"))
        }
        #expect(throws: CheckpointImportError.self) {
            _ = try PaveCheckpointImporter.load(folder, options: Self.options(heads: 8, rope: nil, preset: preset.name))
        }
        #expect(throws: CheckpointImportError.self) {
            _ = try PaveCheckpointImporter.load(folder, options: Self.options(heads: nil, rope: nil, preset: "VideoFeatModelArgumentsV9"))
        }
        #expect(FusionPreset.all.count == 10)
    }

    @Test func temporalAggregatorConfigInConfigJSONIsHonoured() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arch = FusionArchitecture(inputDim: 1024, outputDim: 896, heads: 4, layers: 2, rope: .threeD)
        let folder = try Self.syntheticCheckpoint(arch, config: ["model_type": "pave_qwen2", "temporal_aggregator_config": arch.temporalAggregatorConfig()], in: dir)
        let c = try PaveCheckpointImporter.load(folder, options: Self.options(heads: nil, rope: nil))
        let f = try #require(try c.manifest.decode(FusionArchitecture.self, forKey: ManifestKey.fusion))
        #expect(f.heads == 4 && f.rope == .threeD && f.layers == 2)
        #expect(throws: CheckpointImportError.self) { _ = try PaveCheckpointImporter.load(folder, options: Self.options(heads: 2, rope: nil)) }
    }

    @Test func importExportImportKeepsTensorsAndSettings() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try PaveCheckpointImporter.load(Self.tiny, options: Self.options())
        let out = dir.appendingPathComponent("pave_tiny_lora")
        let files = try PaveCheckpointExporter.export(manifest: first.manifest, tensors: first.tensors, to: out, format: .paveCheckpoint)
        #expect(files == ["adapter_config.json", "adapter_model.safetensors", "config.json", "non_lora_trainables.bin"])
        // The exported config.json carries temporal_aggregator_config: no flags needed the second time.
        let second = try PaveCheckpointImporter.load(out, options: Self.options(heads: nil, rope: nil))
        #expect(try Self.hashes(second) == Self.hashes(first))
        #expect(second.manifest[ManifestKey.fusion] == first.manifest[ManifestKey.fusion])
        #expect(second.manifest[ManifestKey.lora] == first.manifest[ManifestKey.lora])
        // The adapter safetensors is byte-identical to PEFT's original.
        #expect(try Data(contentsOf: out.appendingPathComponent("adapter_model.safetensors")).count > 0)
        let original = try SafetensorsFile(Self.tiny.appendingPathComponent("adapter_model.safetensors"))
        let exported = try SafetensorsFile(out.appendingPathComponent("adapter_model.safetensors"))
        #expect(Set(original.entries.map(\.name)) == Set(exported.entries.map(\.name)))
        for e in original.entries { #expect(try original.tensor(e.name) == exported.tensor(e.name)) }
        // Exporting again into an existing directory is refused; nothing is half-written.
        #expect(throws: CheckpointExportError.outputExists(path: out.path)) {
            try PaveCheckpointExporter.export(manifest: first.manifest, tensors: first.tensors, to: out, format: .paveCheckpoint)
        }
    }

    @Test func safetensorsAndPEFTExports() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try PaveCheckpointImporter.load(Self.tiny, options: Self.options())
        let st = dir.appendingPathComponent("st")
        #expect(try PaveCheckpointExporter.export(manifest: c.manifest, tensors: c.tensors, to: st, format: .safetensors) == ["pave_tiny_lora.safetensors"])
        let file = try SafetensorsFile(st.appendingPathComponent("pave_tiny_lora.safetensors"))
        let m = try Manifest(jsonBytes: Array(try #require(file.metadata[PaveCheckpointExporter.manifestMetadataKey]).utf8))
        #expect(m == c.manifest)
        #expect(file.entries.count == c.tensors.count)
        let peft = dir.appendingPathComponent("peft")
        #expect(try PaveCheckpointExporter.export(manifest: c.manifest, tensors: c.tensors, to: peft, format: .peft) == ["adapter_config.json", "adapter_model.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: peft.path).sorted() == ["adapter_config.json", "adapter_model.safetensors"])
        // A failing export leaves no directory and no temporary behind.
        var broken = c.manifest
        broken[ManifestKey.fusion] = nil
        let bad = dir.appendingPathComponent("bad")
        #expect(throws: CheckpointExportError.self) { try PaveCheckpointExporter.export(manifest: broken, tensors: c.tensors, to: bad, format: .paveCheckpoint) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["peft", "st"])
    }
}
