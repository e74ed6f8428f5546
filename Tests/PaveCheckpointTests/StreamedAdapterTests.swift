import Foundation
import PaveTestSupport
import Testing
@testable import PaveCheckpoint
@testable import PaveFormat
import PaveModel
@testable import PaveTorch

/// A zipped adapter streamed while it inflates (`CheckpointImportOptions.streamAdapter`, as `pack` imports):
/// the same `.pave` byte for byte as an import that extracts first; damage is the zip's own error.
@Suite struct StreamedAdapterTests {
    static func options(stream: Bool) -> CheckpointImportOptions {
        var o = CheckpointImportOptions(heads: 2, rope: RoPEMode.none, created: "2026-01-01T00:00:00Z", tool: "pavepkg test")
        o.streamAdapter = stream
        return o
    }

    static func pack(_ imported: ImportedCheckpoint, to url: URL, threads: Int) throws {
        var plan = PackPlan(manifest: imported.manifest, tensors: imported.tensors, options: PackOptions(threads: threads))
        plan.deferred = imported.deferred
        try plan.write(to: url)
    }

    @Test func streamedAdapterGivesTheSameFileAsExtractingFirst() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = TorchFixtures.url("pave_tiny_lora.zip")
        let extracted = try PaveCheckpointImporter.load(zip, options: Self.options(stream: false))
        #expect(extracted.deferred == nil)
        let plain = dir.appendingPathComponent("plain.pave")
        try Self.pack(extracted, to: plain, threads: 1)
        for threads in [1, 2] {
            let streamed = try PaveCheckpointImporter.load(zip, options: Self.options(stream: true))
            // Until written, the adapter's and the zip's SHA-256 are placeholders.
            let deferred = try #require(streamed.deferred)
            #expect(!deferred.isEmpty)
            let files = streamed.manifest[ManifestKey.provenance]?["files"]
            #expect(files != extracted.manifest[ManifestKey.provenance]?["files"])
            let out = dir.appendingPathComponent("streamed-\(threads).pave")
            try Self.pack(streamed, to: out, threads: threads)
            #expect(try Data(contentsOf: out) == Data(contentsOf: plain), "threads \(threads)")
        }
        let reopened = try PaveFile.open(plain)
        #expect(reopened.manifest[ManifestKey.provenance]?["files"]?["adapter_model.safetensors"]?["sha256"]
                == extracted.manifest[ManifestKey.provenance]?["files"]?["adapter_model.safetensors"]?["sha256"])
    }

    /// The fixture zip with the adapter's recorded CRC-32 changed (local headers and central directory).
    static func zipWithWrongAdapterCRC(in dir: URL) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: TorchFixtures.url("pave_tiny_lora.zip")))
        let archive = try ZipArchive(bytes: bytes, name: "fixture")
        let entry = try #require(archive.entry("pave_tiny_lora/adapter_model.safetensors"))
        let crc = withUnsafeBytes(of: entry.crc32.littleEndian) { Array($0) }
        var replaced = 0
        for i in 0..<(bytes.count - 3) where Array(bytes[i..<(i + 4)]) == crc {
            bytes[i] ^= 0xFF
            replaced += 1
        }
        #expect(replaced >= 2)
        let url = dir.appendingPathComponent("damaged.zip")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func aDamagedStreamedAdapterFailsWithTheZipErrorAndWritesNothing() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let damaged = try Self.zipWithWrongAdapterCRC(in: dir)
        let out = dir.appendingPathComponent("out.pave")
        let streamed = try PaveCheckpointImporter.load(damaged, options: Self.options(stream: true))
        #expect {
            try Self.pack(streamed, to: out, threads: 2)
        } throws: { error in
            guard case let ZipError.crcMismatch(_, entry, _, _) = error else { return false }
            return entry.hasSuffix("adapter_model.safetensors")
        }
        #expect(streamed.extractionError is ZipError)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Extracting first reports the same error at import.
        #expect(throws: ZipError.self) { _ = try PaveCheckpointImporter.load(damaged, options: Self.options(stream: false)) }
    }

    @Test func readsWaitForTheBytesAndSeeExactlyTheEntry() throws {
        let zipURL = TorchFixtures.url("pave_tiny_lora.zip")
        let archive = try ZipArchive(url: zipURL)
        let entry = try #require(archive.entry("pave_tiny_lora/adapter_model.safetensors"))
        var whole: [UInt8] = []
        try archive.stream(entry) { whole += $0 }
        let source = InflatingEntrySource(archive: archive, entry: entry)
        #expect(try source.read(at: whole.count - 100, count: 100) == Array(whole.suffix(100)))
        #expect(try source.read(at: 0, count: whole.count) == whole)
        #expect(try source.sha256Hex() == Digest(of: whole).hex)
        #expect(throws: RandomAccessFileError.self) { _ = try source.read(at: whole.count - 1, count: 2) }
    }
}
