import Foundation
import Testing
@testable import PaveFormat

/// The parser differentials of issue 13 part 5: where a second reader written from the spec would naturally
/// see something else, pavepkg now refuses (or the rule is stated and checked).
struct ParserDifferentialTests {
    @Test func shapeOverflowDoesNotDependOnDimensionOrder() {
        let big = 1 << 62
        #expect(Shape.elementCount([big, big, 0]) == nil)
        #expect(Shape.elementCount([0, big, big]) == nil)
        #expect(Shape.elementCount([big, 0, big]) == nil)
        #expect(Shape.elementCount([0, big]) == 0)
        #expect(Shape.elementCount([3, 0, 5]) == 0)
        #expect(Shape.elementCount([]) == 1)
    }

    @Test func safetensorsShapeOverflowIsRefusedInAnyOrder() throws {
        for shape in ["[0,4611686018427387904,4611686018427387904]", "[4611686018427387904,4611686018427387904,0]"] {
            let header = Array("{\"t\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,0]}}".utf8)
            var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
            bytes += header
            #expect(throws: SafetensorsError.self) { try SafetensorsFile(source: MemoryByteSource(bytes), url: URL(fileURLWithPath: "/m")) }
        }
    }

    @Test func safetensorsHeaderWithDuplicateTensorIsRefused() throws {
        let header = Array(#"{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"t":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#.utf8)
        var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        bytes += header + [1, 2]
        do {
            _ = try SafetensorsFile(source: MemoryByteSource(bytes), url: URL(fileURLWithPath: "/m"))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("duplicate key \"t\""))
        }
    }

    /// A `.pave` whose stored manifest is `bytes` (the digest and header are recomputed, so only the manifest rules
    /// can refuse it).
    func pave(manifest bytes: [UInt8]) throws -> [UInt8] {
        let dir = try TempDir()
        let url = dir.file("m.pave")
        var roomy = Manifest.test()
        roomy.description = String(repeating: "d", count: 600)
        try PaveWriter.write(manifest: roomy, tensors: [try TestTensors.source("w", .u8, [4])], to: url)
        var file = try [UInt8](Data(contentsOf: url))
        let original = try PaveFile.open(url)
        let l = original.layout
        // Sections sit at exact offsets, so the new manifest keeps the old length: JSON white space pads it.
        #expect(bytes.count <= l.manifestLength)
        let padded = bytes + [UInt8](repeating: 0x20, count: l.manifestLength - bytes.count)
        file.replaceSubrange(l.manifestOffset..<l.manifestOffset + l.manifestLength, with: padded)
        let index = Array(file[l.indexOffset..<l.indexOffset + l.indexLength])
        file.replaceSubrange(88..<120, with: PaveHeader.digest(manifest: padded, index: index))
        file.replaceSubrange(120..<128, with: Digest(of: Array(file[0..<120])).bytes.prefix(8))
        return file
    }

    func verify(_ manifest: String) throws -> PaveVerificationReport {
        let file = try PaveFile(source: MemoryByteSource(try pave(manifest: Array(manifest.utf8))), path: "m.pave")
        return try file.verifyAll()
    }

    @Test func verifyChecksWhatTheSchemaRequires() throws {
        let good = try verify(#"{"format_version":"1.0","name":"ok","version":"1.0.0"}"#)
        #expect(good.ok)
        let cases = [
            "{}": "\"format_version\" is missing",
            #"{"format_version":"1.0","version":"1.0.0"}"#: "\"name\" is missing",
            #"{"format_version":"1.0","name":"\#(String(repeating: "a", count: 300))","version":"1.0.0"}"#: "300 bytes long",
            #"{"format_version":"1.0","name":"ok","version":"banana"}"#: "semantic version",
            #"{"format_version":"+1.0","name":"ok","version":"1.0.0"}"#: "major.minor",
            #"{"format_version":"1.0","name":"ok","version":"1.0.0","tags":[1]}"#: "array of strings",
        ]
        for (manifest, reason) in cases {
            let report = try verify(manifest)
            #expect(!report.ok, "\(manifest.prefix(40))")
            #expect(report.checks.contains { $0.name == "manifest.schema" && !$0.passed })
            #expect(report.problems.contains { $0.message.contains(reason) }, "\(manifest.prefix(40)): \(report.problems.map(\.message))")
        }
    }

    @Test func duplicateManifestKeysAreRefusedOnOpen() throws {
        for manifest in [#"{"format_version":"2.0","format_version":"1.0","name":"ok","version":"1.0.0"}"#,
                         #"{"format_version":"1.0","format_version":"2.0","name":"ok","version":"1.0.0"}"#] {
            let bytes = try pave(manifest: Array(manifest.utf8))
            #expect(throws: PaveFormatError.self) { try PaveFile(source: MemoryByteSource(bytes), path: "m.pave") }
            do { _ = try PaveFile(source: MemoryByteSource(bytes), path: "m.pave") } catch let e as PaveFormatError {
                #expect(e.code == "format.manifest")
                #expect(e.description.contains("duplicate key \"format_version\""))
            }
        }
    }

    @Test func byteOrderMarkBeforeTheManifestIsRefused() throws {
        let bytes = try pave(manifest: [0xEF, 0xBB, 0xBF] + Array(#"{"format_version":"1.0","name":"ok","version":"1.0.0"}"#.utf8))
        #expect(throws: PaveFormatError.self) { try PaveFile(source: MemoryByteSource(bytes), path: "m.pave") }
    }
}
