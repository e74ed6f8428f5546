import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveTorch

/// Hostile and damaged inputs: each must be refused with the right error, and nothing executed.
@Suite struct TorchMaliciousInputTests {
    /// Pickle bytes from a compact description (protocol 2 header added).
    static func pickle(_ body: [UInt8]) -> [UInt8] { [0x80, 2] + body + [0x2E] }
    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    static func unicode(_ s: String) -> [UInt8] {
        let b = Array(s.utf8)
        return [0x58, UInt8(b.count & 0xFF), UInt8(b.count >> 8 & 0xFF), 0, 0] + b
    }

    func open(pickle: [UInt8], storages: [[UInt8]] = []) throws -> TorchCheckpointFile {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try TorchFixtures.torchFile(pickle: pickle, storages: storages, in: dir)
        return try TorchCheckpointFile(url: url)
    }

    @Test(arguments: [("os", "system"), ("builtins", "eval"), ("posix", "system"), ("torch", "load"), ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("subprocess", "Popen")])
    func foreignGlobalsAreRefused(module: String, name: String) throws {
        let body = [0x7D] + Self.unicode("x") + Self.global(module, name) + Self.unicode("echo pwned") + [0x85, 0x52, 0x73]
        do {
            _ = try open(pickle: Self.pickle(body))
            Issue.record("accepted \(module).\(name)")
        } catch let e as TorchFormatError {
            guard case let .forbiddenGlobal(_, offset, global) = e else { Issue.record("wrong error \(e)"); return }
            #expect(global == "\(module).\(name)" && offset == 9)
            #expect(e.code == "torch.forbidden_global")
        }
    }

    @Test func reduceOnAStorageClassOrAValueIsRefused() throws {
        // REDUCE(torch.FloatStorage, ()) and REDUCE("os.system", ()): only rebuild functions may be called.
        for callable in [Self.global("torch", "FloatStorage"), Self.unicode("os.system")] {
            let body = [0x7D] + Self.unicode("x") + callable + [0x29, 0x52, 0x73]
            #expect {
                _ = try open(pickle: Self.pickle(body))
            } throws: { e in
                guard case .forbiddenCall = e as? TorchFormatError else { return false }
                return true
            }
        }
    }

    @Test func unknownOpcodesAreRefused() throws {
        // STACK_GLOBAL (protocol 4 way of naming a callable), INST, and a byte that is no opcode at all.
        for (op, name) in [(UInt8(0x93), "STACK_GLOBAL"), (0x69, "INST"), (0xFF, nil)] as [(UInt8, String?)] {
            #expect(throws: TorchFormatError.unknownOpcode(path: "", offset: 2, opcode: op, name: name)) {
                do { _ = try open(pickle: Self.pickle([op])) } catch let e as TorchFormatError {
                    if case let .unknownOpcode(_, o, c, n) = e { throw TorchFormatError.unknownOpcode(path: "", offset: o, opcode: c, name: n) }
                    throw e
                }
            }
        }
    }

    @Test func oversizedLengthsAndDeepNestingAreRefused() throws {
        let cases: [[UInt8]] = [
            [0x7D, 0x58, 0xFF, 0xFF, 0xFF, 0x7F],  // BINUNICODE of 2 GiB
            [0x7D, 0x58, 0x00, 0x10, 0x00, 0x00, 0x41],  // 4 KiB string in a 10-byte pickle
            [0x7D, 0x8A, 0xC8] + [UInt8](repeating: 1, count: 200),  // LONG1 of 200 bytes
            [0x7D, 0x29] + [UInt8](repeating: 0x85, count: 40),  // 40 nested 1-tuples
            [0x7D] + [UInt8](repeating: 0x28, count: 100),  // 100 open MARKs
            [0x7D, 0x6A, 0xFF, 0xFF, 0xFF, 0x7F],  // LONG_BINGET of an absent slot
            [0x7D, 0x72, 0xFF, 0xFF, 0xFF, 0x7F],  // LONG_BINPUT far beyond the memo limit
        ]
        for body in cases {
            #expect(throws: TorchFormatError.self) { _ = try open(pickle: Self.pickle(body)) }
        }
    }

    @Test func viewsOutsideTheirStorageAreRefused() throws {
        func file(offset: Int, shape: [Int], stride: [Int]?, storageElements: Int) -> [UInt8] {
            TorchPickleWriter.pickle([.init(name: "w", type: .float, storageKey: "0", shape: shape, offset: offset, stride: stride, storageElements: storageElements)])
        }
        let storage = TorchFixtures.f32Bytes([1, 2, 3, 4])
        // size 10 on 4 elements; offset past the end; stride reaching past the end; storage size lying.
        for p in [file(offset: 0, shape: [10], stride: nil, storageElements: 4), file(offset: 3, shape: [2], stride: nil, storageElements: 4),
                  file(offset: 0, shape: [2, 2], stride: [3, 1], storageElements: 4), file(offset: 0, shape: [8], stride: nil, storageElements: 8)] {
            #expect(throws: TorchFormatError.self) { _ = try open(pickle: p, storages: [storage]) }
        }
        // And a legal non-contiguous view is gathered correctly: [[1, 3], [2, 4]] is the transpose of [[1, 2], [3, 4]].
        let ok = try open(pickle: file(offset: 0, shape: [2, 2], stride: [1, 2], storageElements: 4), storages: [storage])
        #expect(try ok.load(ok.tensors[0]).bytes == TorchFixtures.f32Bytes([1, 3, 2, 4]))
    }

    @Test func truncatedArchivesAreRefused() throws {
        let data = try [UInt8](Data(contentsOf: TorchFixtures.url("views.bin")))
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for keep in [10, data.count / 2, data.count - 30, data.count - 1] {
            let url = dir.appendingPathComponent("cut\(keep).bin")
            try Data(data.prefix(keep)).write(to: url)
            #expect(throws: (any Error).self) { _ = try TorchCheckpointFile(url: url) }
        }
    }

    @Test(arguments: ["../evil", "a/../../evil", "/etc/passwd", "C:/x", "a\\b", "a//b", "./a", "x\u{0}y"])
    func unsafeZipEntryNamesAreRefused(name: String) throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("evil.zip")
        try TorchFixtures.zip([("ok/config.json", Array("{}".utf8)), (name, [1, 2, 3])], to: url)
        #expect {
            _ = try ZipArchive(url: url)
        } throws: { e in
            guard case .unsafeName = e as? ZipError else { return false }
            return true
        }
    }

    @Test func duplicateAndOverlappingEntriesAreRefused() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dup = dir.appendingPathComponent("dup.zip")
        try TorchFixtures.zip([("a/x", [1]), ("a/x", [2])], to: dup)
        #expect(throws: ZipError.duplicateEntry(path: dup.path, entry: "a/x")) { _ = try ZipArchive(url: dup) }
        // Enlarge the first entry's sizes in the central directory so its data runs into the second entry.
        let ov = dir.appendingPathComponent("overlap.zip")
        try TorchFixtures.zip([("a/x", [UInt8](repeating: 7, count: 100)), ("a/y", [UInt8](repeating: 7, count: 100))], to: ov)
        var bytes = try [UInt8](Data(contentsOf: ov))
        let cd0 = try #require(Self.find([0x50, 0x4B, 0x01, 0x02], in: bytes, from: 0, occurrence: 0))
        for field in [20, 24] { bytes[cd0 + field] = 0x00; bytes[cd0 + field + 1] = 0x01 }  // 100 → 256 bytes
        try Data(bytes).write(to: ov)
        #expect(throws: ZipError.overlappingEntries(path: ov.path, first: "a/x", second: "a/y")) { _ = try ZipArchive(url: ov) }
    }

    @Test func decompressionBombIsStoppedAtTheDeclaredSize() throws {
        // A DEFLATE entry that inflates to more than its declared size is refused without producing it all.
        let zipURL = TorchFixtures.url("pave_tiny_lora.zip")
        let original = try [UInt8](Data(contentsOf: zipURL))
        let archive = try ZipArchive(url: zipURL)
        let entry = try #require(archive.entry("pave_tiny_lora/non_lora_trainables.bin"))
        #expect(entry.method == 8)
        // Lower the declared uncompressed size in the central directory entry.
        var bytes = original
        var p = try #require(Self.find([0x50, 0x4B, 0x01, 0x02], in: bytes, from: 0, occurrence: 0))
        while String(decoding: bytes[(p + 46)..<(p + 46 + Int(bytes[p + 28]) + Int(bytes[p + 29]) * 256)], as: UTF8.self) != entry.name {
            p = try #require(Self.find([0x50, 0x4B, 0x01, 0x02], in: bytes, from: p + 4, occurrence: 0))
        }
        bytes[p + 24] = 100; bytes[p + 25] = 0; bytes[p + 26] = 0; bytes[p + 27] = 0
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bomb = dir.appendingPathComponent("bomb.zip")
        try Data(bytes).write(to: bomb)
        let b = try ZipArchive(url: bomb)
        var produced = 0
        #expect(throws: ZipError.self) { try b.stream(try #require(b.entry(entry.name))) { produced += $0.count } }
        #expect(produced <= 100)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, occurrence: Int) -> Int? {
        var seen = 0
        var i = from
        while i + needle.count <= hay.count {
            if Array(hay[i..<(i + needle.count)]) == needle {
                if seen == occurrence { return i }
                seen += 1
            }
            i += 1
        }
        return nil
    }
}
