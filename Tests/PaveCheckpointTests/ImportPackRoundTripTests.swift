import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveCheckpoint
import PaveModel
@testable import PaveTorch

/// checkpoint → `.pave` (through the container's PackPlan, as `pavepkg pack` does) → export → import.
@Suite struct ImportPackRoundTripTests {
    static let options = CheckpointImportOptions(heads: 2, rope: RoPEMode.none, created: "2026-01-01T00:00:00Z", tool: "pavepkg test")

    static func hashes(_ tensors: [ImportedTensor]) throws -> [String: String] {
        var out: [String: String] = [:]
        for t in tensors { out[t.name] = "\(t.dtype.rawValue)\(t.shape):" + TorchFixtures.hash(try t.load()) }
        return out
    }

    @Test func packedCheckpointExportsAndReimportsIdentically() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let imported = try PaveCheckpointImporter.load(TorchFixtures.url("pave_tiny_lora.zip"), options: Self.options)
        let pave = dir.appendingPathComponent("tiny.pave")
        _ = try PackPlan(manifest: imported.manifest, tensors: imported.tensors, options: PackOptions(threads: 1)).write(to: pave)
        let (manifest, tensors) = try PaveCheckpointExporter.openPave(pave)
        #expect(manifest == imported.manifest)
        #expect(try Self.hashes(tensors) == Self.hashes(imported.tensors))
        let out = dir.appendingPathComponent("pave_tiny_lora")
        try PaveCheckpointExporter.export(manifest: manifest, tensors: tensors, to: out, format: .paveCheckpoint)
        let again = try PaveCheckpointImporter.load(out, options: CheckpointImportOptions(created: "2026-01-01T00:00:00Z", tool: "pavepkg test"))
        #expect(try Self.hashes(again.tensors) == Self.hashes(imported.tensors))
        #expect(again.manifest[ManifestKey.fusion] == imported.manifest[ManifestKey.fusion])
        #expect(again.manifest[ManifestKey.lora] == imported.manifest[ManifestKey.lora])
        // Packing the re-import gives a patch with the same tensors (same per-tensor hashes in the index).
        let pave2 = dir.appendingPathComponent("again.pave")
        _ = try PackPlan(manifest: again.manifest, tensors: again.tensors, options: PackOptions(threads: 1)).write(to: pave2)
        let a = try PaveFile.open(pave), b = try PaveFile.open(pave2)
        #expect(a.entries.map(\.sha256Hex) == b.entries.map(\.sha256Hex))
    }

    @Test func tensorsNotMatchingTheirRecordedHashAbortTheExport() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let imported = try PaveCheckpointImporter.load(TorchFixtures.url("pave_tiny_lora"), options: Self.options)
        // Claim a wrong SHA-256 for the last LoRA tensor, as a damaged .pave would deliver.
        var tensors = imported.tensors
        let last = tensors.removeLast()
        tensors.append(ImportedTensor(name: last.name, dtype: last.dtype, shape: last.shape, byteCount: last.byteCount,
                                      sha256: [UInt8](repeating: 0, count: 32)) { try last.read(offset: $0, count: $1) })
        for format in PaveCheckpointExporter.Format.allCases {
            let out = dir.appendingPathComponent(format.rawValue)
            #expect(throws: CheckpointExportError.hashMismatch(tensor: last.name)) {
                try PaveCheckpointExporter.export(manifest: imported.manifest, tensors: tensors, to: out, format: format)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
