import Foundation
import Testing
@testable import PaveFormat

/// Manifest values filled in after the tensors are written give the file that writing them directly gives.
@Suite struct DeferredManifestValuesTests {
    static let tensors: [any TensorSource] = [InMemoryTensorSource(name: "w", tensor: try! TensorData.f32(shape: [3], [1, 2, 3]))]
    static let value = String(repeating: "ab", count: 32)

    static func manifest(sha: String) -> Manifest {
        var m = Manifest(name: "deferred", version: "1.0.0")
        m["provenance"] = .object(["source": .object(["sha256": .string(sha)])])
        return m
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-deferred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theFileIsByteIdenticalToWritingTheFinalManifest() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let direct = dir.appendingPathComponent("direct.pave"), later = dir.appendingPathComponent("later.pave")
        let a = try PaveWriter.write(manifest: Self.manifest(sha: Self.value), tensors: Self.tensors, to: direct)
        let deferred = DeferredManifestValues()
        let placeholder = deferred.placeholder(forHexDigest: { Self.value })
        #expect(placeholder.count == 64 && placeholder != Self.value && Digest(hex: placeholder) != nil)
        let b = try PaveWriter.write(manifest: Self.manifest(sha: placeholder), tensors: Self.tensors, to: later, deferred: deferred)
        #expect(a.digest == b.digest)
        #expect(try Data(contentsOf: direct) == Data(contentsOf: later))
    }

    @Test func aFailingValueFailsTheWriteAndLeavesNoFile() throws {
        struct Damaged: Error {}
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.pave")
        let deferred = DeferredManifestValues()
        let placeholder = deferred.placeholder(forHexDigest: { throw Damaged() })
        #expect(throws: Damaged.self) {
            try PaveWriter.write(manifest: Self.manifest(sha: placeholder), tensors: Self.tensors, to: out, deferred: deferred)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // A value that is not 64 hex digits is refused.
        let bad = DeferredManifestValues()
        let p2 = bad.placeholder(forHexDigest: { "nothex" })
        #expect(throws: PaveFormatError.self) {
            try PaveWriter.write(manifest: Self.manifest(sha: p2), tensors: Self.tensors, to: out, deferred: bad)
        }
    }

    @Test func aPlaceholderReplacedByOtherFieldsStillHasItsValueChecked() throws {
        // The manifest no longer holds the placeholder (fields given over it): nothing to replace, but the
        // value is still resolved, so a failure is still seen.
        final class Flag: @unchecked Sendable { var resolved = false }
        let flag = Flag()
        let deferred = DeferredManifestValues()
        _ = deferred.placeholder(forHexDigest: { flag.resolved = true; return Self.value })
        let bytes = Array(#"{"name":"x"}"#.utf8)
        #expect(try deferred.resolve(bytes) == bytes)
        #expect(flag.resolved)
    }
}
