import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveTorch

/// The inputs coverage-guided fuzzing found (Fixtures/crashers, issue 13), fed through the byte-based entry
/// points: each must be refused with a named error, never trap. Plus the limits added with them.
@Suite struct FuzzRegressionTests {
    static let crashers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/crashers")

    static func bytes(_ name: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: crashers.appendingPathComponent(name))) }

    @Test func long1OnASliceSignExtendsInsteadOfTrapping() throws {
        // The 4-byte payload: LONG1 of one byte 0xFF, STOP. The argument is a slice starting at index 2.
        let raw = try Self.bytes("long1_sign_extension.pkl")
        #expect(raw == [0x8A, 0x01, 0xFF, 0x2E])
        #expect(throws: TorchFormatError.malformedPickle(path: "p", offset: 0, reason: "the top-level object is a int, expected a dict of tensors")) {
            try TorchPickleReader.tensors(in: raw, path: "p")
        }
        // And the values are right: -1, -32768, 255 (positive with a zero high byte), 0 (empty).
        for (payload, value) in [([0xFF], -1), ([0x00, 0x80], -32768), ([0xFF, 0x00], 255), ([], 0)] as [([UInt8], Int64)] {
            var reader = TorchPickleReader(bytes: [0x80, 0x02, 0x8A, UInt8(payload.count)] + payload + [0x2E], path: "p")
            guard case let .int(v) = try reader.run() else { Issue.record("not an int"); continue }
            #expect(v == value, "\(payload)")
        }
    }

    @Test func long1CrasherInATorchArchiveIsRefused() throws {
        let bytes = try Self.bytes("long1_sign_extension/non_lora_trainables.bin")
        #expect(throws: TorchFormatError.self) { try TorchCheckpointFile(bytes: bytes, name: "n") }
    }

    @Test func zip64LocatorNearTheStartIsRefused() throws {
        for name in ["zip64_locator_underflow.zip", "zip64_locator_underflow/non_lora_trainables.bin"] {
            let bytes = try Self.bytes(name)
            #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes, name: name) }
            #expect(throws: (any Error).self) { try TorchCheckpointFile(bytes: bytes, name: name) }
        }
        // Every shorter prefix of the locator placement: never a trap.
        let z = try Self.bytes("zip64_locator_underflow.zip")
        for cut in 0..<z.count { _ = try? ZipArchive(bytes: Array(z.suffix(from: cut)), name: "cut") }
    }

    @Test func emptyViewFarOutsideItsStorageIsRefused() throws {
        let pickle = TorchPickleWriter.pickle([.init(name: "e", type: .float, storageKey: "0", shape: [0], offset: Int.max / 2, storageElements: 1)])
        let zip = try DeflateZip.make([("t/data.pkl", pickle, false), ("t/data/0", [0, 0, 0, 0], false)])
        // offset × 4 bytes would overflow when the (empty) view is read: refused at open.
        #expect {
            try TorchCheckpointFile(bytes: zip, name: "e")
        } throws: { error in
            guard case let TorchFormatError.invalidTensor(_, tensor, reason) = error else { return false }
            return tensor == "e" && reason.contains("empty view")
        }
    }

    @Test func bytesAndFileEntryPointsAgree() throws {
        let url = TorchFixtures.url("deflate_cases.zip")
        let fromFile = try ZipArchive(url: url)
        let fromBytes = try ZipArchive(bytes: try [UInt8](Data(contentsOf: url)), name: url.path)
        #expect(fromFile.entries == fromBytes.entries)
        for e in fromFile.entries { #expect(try fromFile.contents(e, maxSize: 1 << 24) == fromBytes.contents(e, maxSize: 1 << 24)) }
        let torch = try TorchCheckpointFile(bytes: try [UInt8](Data(contentsOf: TorchFixtures.url("views.bin"))))
        #expect(torch.tensors.count == (try TorchCheckpointFile(url: TorchFixtures.url("views.bin"))).tensors.count)
    }

    @Test func decompressionBombRatioIsRefusedByName() throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let zip = try DeflateZip.make([("bomb", zeros, true)])
        #expect {
            try ZipArchive(bytes: zip, name: "b")
        } throws: { error in
            guard case let ZipError.compressionRatio(_, entry, _, uncompressed, limit) = error else { return false }
            return entry == "bomb" && uncompressed == zeros.count && limit == 200 && (error as? ZipError)?.code == "zip.compression_ratio"
        }
        // Under a raised limit the same entry inflates, CRC-checked, to its declared size.
        var limits = ZipArchive.Limits()
        limits.maxCompressionRatio = 10_000
        let archive = try ZipArchive(bytes: zip, name: "b", limits: limits)
        #expect(try archive.contents(try #require(archive.entry("bomb")), maxSize: 8 << 20) == zeros)
    }

    @Test func entryCountBeyondTheDirectoryIsRefusedBeforeParsing() throws {
        var zip = try DeflateZip.make([("a", [1], false)])
        // Claim 60,000 entries in the classic end record (offset 10 from its start).
        let eocd = zip.count - 22
        zip[eocd + 8] = 0x60; zip[eocd + 9] = 0xEA; zip[eocd + 10] = 0x60; zip[eocd + 11] = 0xEA
        #expect(throws: ZipError.self) { try ZipArchive(bytes: zip, name: "n") }
        var limits = ZipArchive.Limits()
        limits.maxEntries = 0
        #expect(throws: ZipError.limitExceeded(path: "n", entry: "(archive)", what: "entry count 1", limit: 0)) {
            try ZipArchive(bytes: try DeflateZip.make([("a", [1], false)]), name: "n", limits: limits)
        }
    }

    @Test func pickleMemoAndStackLimitsAreNamed() throws {
        var limits = TorchPickleReader.Limits()
        limits.maxStackDepth = 4
        let deep: [UInt8] = [0x80, 0x02] + [UInt8](repeating: 0x4E, count: 5) + [0x2E]  // five NONEs
        #expect(throws: TorchFormatError.limitExceeded(path: "p", offset: 6, what: "stack depth", limit: 4)) {
            try TorchPickleReader.tensors(in: deep, path: "p", limits: limits)
        }
        limits = TorchPickleReader.Limits()
        limits.maxMemoEntries = 2
        let memo: [UInt8] = [0x80, 0x02, 0x4E, 0x71, 0x05, 0x2E]  // NONE, BINPUT 5
        #expect(throws: TorchFormatError.limitExceeded(path: "p", offset: 3, what: "memo index 5", limit: 2)) {
            try TorchPickleReader.tensors(in: memo, path: "p", limits: limits)
        }
        limits = TorchPickleReader.Limits()
        limits.maxNesting = 2
        let nested: [UInt8] = [0x80, 0x02, 0x29, 0x85, 0x85, 0x2E]  // ((( ),),)
        #expect(throws: TorchFormatError.limitExceeded(path: "p", offset: 4, what: "nesting depth", limit: 2)) {
            try TorchPickleReader.tensors(in: nested, path: "p", limits: limits)
        }
    }
}

/// Builds small zips with stored or DEFLATE entries (zlib, raw) for tests.
enum DeflateZip {
    static func make(_ entries: [(name: String, data: [UInt8], deflate: Bool)]) throws -> [UInt8] {
        var w = ByteWriter()
        var central = ByteWriter()
        for e in entries {
            let name = Array(e.name.utf8)
            let stored = e.deflate ? try #require(Zlib.deflateRaw(e.data, level: 9)) : e.data
            let crc = CRC32.checksum(e.data)
            let offset = w.bytes.count
            w.u32(0x0403_4B50); w.u16(20); w.u16(0); w.u16(e.deflate ? 8 : 0); w.u16(0); w.u16(0)
            w.u32(crc); w.u32(UInt32(stored.count)); w.u32(UInt32(e.data.count)); w.u16(UInt16(name.count)); w.u16(0)
            w.append(name); w.append(stored)
            central.u32(0x0201_4B50); central.u16(20); central.u16(20); central.u16(0); central.u16(e.deflate ? 8 : 0)
            central.u16(0); central.u16(0); central.u32(crc); central.u32(UInt32(stored.count)); central.u32(UInt32(e.data.count))
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
