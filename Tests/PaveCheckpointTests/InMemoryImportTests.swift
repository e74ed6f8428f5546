import Foundation
import PaveTestSupport
import Testing
@testable import PaveCheckpoint
import PaveFormat
import PaveModel
@testable import PaveTorch

/// ``PaveCheckpointImporter/load(zipBytes:name:options:)``: the in-memory import `pack` performs on a zip,
/// and the fuzz crashers through the importer.
@Suite struct InMemoryImportTests {
    static let crashers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/crashers")
    static let options = CheckpointImportOptions(heads: 2, rope: RoPEMode.none, created: "2026-01-01T00:00:00Z", tool: "t")

    @Test func zipBytesImportEqualsZipFileImport() throws {
        let url = TorchFixtures.url("pave_tiny_lora.zip")
        let fromFile = try PaveCheckpointImporter.load(url, options: Self.options)
        let fromBytes = try PaveCheckpointImporter.load(zipBytes: try [UInt8](Data(contentsOf: url)), name: url.lastPathComponent, options: Self.options)
        #expect(fromBytes.manifest.canonicalData() == fromFile.manifest.canonicalData())
        #expect(fromBytes.tensors.map(\.name) == fromFile.tensors.map(\.name))
        for (a, b) in zip(fromFile.tensors, fromBytes.tensors) { #expect(try a.load() == b.load(), "\(a.name)") }
    }

    @Test func deflatedTorchArchiveInsideTheZipIsInflatedOnce() throws {
        // The tiny checkpoint re-zipped with every entry DEFLATE-compressed (as released zips are).
        let src = TorchFixtures.url("pave_tiny_lora")
        let names = ["config.json", "adapter_config.json", "adapter_model.safetensors", "non_lora_trainables.bin"]
        let zipped = try DeflateZipBuilder.make(try names.map { ("pave_tiny_lora/" + $0, try [UInt8](Data(contentsOf: src.appendingPathComponent($0)))) })
        let c = try PaveCheckpointImporter.load(zipBytes: zipped, name: "pave_tiny_lora.zip", options: Self.options)
        let d = try PaveCheckpointImporter.load(src, options: Self.options)
        #expect(c.tensors.map(\.name) == d.tensors.map(\.name))
        for (a, b) in zip(c.tensors, d.tensors) { #expect(try a.load() == b.load(), "\(a.name)") }
        #expect(c.manifest[ManifestKey.provenance]?["files"] == d.manifest[ManifestKey.provenance]?["files"])
    }

    /// The adapter inflates on the calling thread while the other entries inflate on a second core; a damaged
    /// entry is still reported, and when several are damaged, the first in the importer's file order (config.json,
    /// adapter_config.json, adapter_model.safetensors, non_lora_trainables.bin) is the one named.
    @Test(arguments: [
        (["non_lora_trainables.bin"], "non_lora_trainables.bin"),
        (["adapter_model.safetensors"], "adapter_model.safetensors"),
        (["adapter_model.safetensors", "non_lora_trainables.bin"], "adapter_model.safetensors"),
        (["config.json", "adapter_model.safetensors"], "config.json"),
    ])
    func damagedEntriesInflatedConcurrentlyAreReportedInFileOrder(damaged: [String], named: String) throws {
        let src = TorchFixtures.url("pave_tiny_lora")
        let names = ["config.json", "adapter_config.json", "adapter_model.safetensors", "non_lora_trainables.bin"]
        let zipped = try DeflateZipBuilder.make(try names.map { ("pave_tiny_lora/" + $0, try [UInt8](Data(contentsOf: src.appendingPathComponent($0)))) },
                                                wrongCRC: Set(damaged.map { "pave_tiny_lora/" + $0 }))
        #expect { try PaveCheckpointImporter.load(zipBytes: zipped, name: "pave_tiny_lora.zip", options: Self.options) } throws: { error in
            guard case let .crcMismatch(_, entry, _, _)? = error as? ZipError else { return false }
            return entry == "pave_tiny_lora/" + named
        }
    }

    @Test(arguments: ["long1_sign_extension", "zip64_locator_underflow"])
    func fuzzCrashersAreRefusedByTheImporter(name: String) throws {
        let dir = Self.crashers.appendingPathComponent(name)
        #expect { try PaveCheckpointImporter.load(dir, options: Self.options) } throws: { ($0 as? any PaveError)?.category == .invalidInput }
        let files = ["config.json", "non_lora_trainables.bin"]
        let zip = try DeflateZipBuilder.make(try files.map { ($0, try [UInt8](Data(contentsOf: dir.appendingPathComponent($0)))) })
        #expect { try PaveCheckpointImporter.load(zipBytes: zip, options: Self.options) } throws: { ($0 as? any PaveError)?.category == .invalidInput }
    }
}

/// Zips whose entries are all DEFLATE-compressed (zlib, raw), for importer tests.
enum DeflateZipBuilder {
    /// `wrongCRC`: entry names whose recorded CRC-32 is made wrong (the entry fails its check once inflated).
    static func make(_ entries: [(String, [UInt8])], wrongCRC: Set<String> = []) throws -> [UInt8] {
        var w = ByteWriter()
        var central = ByteWriter()
        for (nameString, data) in entries {
            let name = Array(nameString.utf8)
            let packed = try #require(Zlib.deflateRaw(data))
            let crc = CRC32.checksum(data) ^ (wrongCRC.contains(nameString) ? 1 : 0)
            let offset = w.bytes.count
            w.u32(0x0403_4B50); w.u16(20); w.u16(0); w.u16(8); w.u16(0); w.u16(0)
            w.u32(crc); w.u32(UInt32(packed.count)); w.u32(UInt32(data.count)); w.u16(UInt16(name.count)); w.u16(0)
            w.append(name); w.append(packed)
            central.u32(0x0201_4B50); central.u16(20); central.u16(20); central.u16(0); central.u16(8)
            central.u16(0); central.u16(0); central.u32(crc); central.u32(UInt32(packed.count)); central.u32(UInt32(data.count))
            central.u16(UInt16(name.count)); central.u16(0); central.u16(0); central.u16(0); central.u16(0); central.u32(0)
            central.u32(UInt32(offset)); central.append(name)
        }
        let cdOffset = w.bytes.count
        w.append(central.bytes)
        w.u32(0x0605_4B50); w.u16(0); w.u16(0); w.u16(UInt16(entries.count)); w.u16(UInt16(entries.count))
        w.u32(UInt32(central.bytes.count)); w.u32(UInt32(cdOffset)); w.u16(0)
        return w.bytes
    }
}
