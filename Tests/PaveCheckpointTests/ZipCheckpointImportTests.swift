import Foundation
import PaveTestSupport
import Testing
@testable import PaveCheckpoint
import PaveFormat
import PaveModel
@testable import PaveTorch

/// Importing PAVE checkpoints packed in zips of different shapes.
@Suite struct ZipCheckpointImportTests {
    @Test func zipWithFilesAtTheRootImports() throws {
        // No top folder: the files sit at the archive root (stored entries, written here).
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = TorchFixtures.url("pave_tiny_lora")
        let names = ["config.json", "adapter_config.json", "adapter_model.safetensors", "non_lora_trainables.bin"]
        let url = dir.appendingPathComponent("flat.zip")
        try TorchFixtures.zip(try names.map { ($0, try [UInt8](Data(contentsOf: src.appendingPathComponent($0)))) }, to: url)
        let c = try PaveCheckpointImporter.load(url, options: CheckpointImportOptions(heads: 2, rope: RoPEMode.none, tool: "t"))
        #expect(c.manifest.name == "flat" && c.tensors.count == 58)
        // Nested: outputs/pave_nested_lora/<files> — the importer descends through single folders.
        let nested = dir.appendingPathComponent("nested.zip")
        try TorchFixtures.zip(try names.map { ("outputs/pave_nested_lora/" + $0, try [UInt8](Data(contentsOf: src.appendingPathComponent($0)))) }, to: nested)
        let n = try PaveCheckpointImporter.load(nested, options: CheckpointImportOptions(heads: 2, rope: RoPEMode.none, tool: "t"))
        #expect(n.manifest.name == "pave_nested_lora")
        #expect(n.manifest[ManifestKey.provenance]?["source"]?["folder"] == "outputs/pave_nested_lora/")
    }

}
