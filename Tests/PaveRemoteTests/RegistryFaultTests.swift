import Foundation
import PaveFormat
import PaveRegistry
@testable import PaveRemote
import Testing

/// The registry killed in the middle of a transfer, a blob corrupted on its disk, a patch for the wrong base.
@Suite(.serialized) struct RegistryFaultTests {
    @Test func aPushInterruptedByTheRegistryStoppingResumesAfterARestart() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "big", version: "1.0.0",
                                  tensors: (0..<6).map { ("t\($0)", 300_000, UInt64(60 + $0)) })
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        let ref = try RemoteReference(parsing: "\(registry.host)/team/big")
        final class Once: @unchecked Sendable { var fired = false }
        let once = Once()
        // The registry dies once the first tensor blob has been sent.
        #expect(throws: RemoteError.self) {
            try PatchPusher(client: try testClient(registry, attempts: 2), hints: nil, parallelism: 1).push(source, to: ref) { sent, _ in
                if sent > 100_000, !once.fired { once.fired = true; registry.stop() }
            }
        }
        #expect(once.fired)
        try registry.start()
        let report = try PatchPusher(client: try testClient(registry), hints: nil, parallelism: 1).push(source, to: ref)
        #expect(report.existing >= 1, "the blobs sent before the crash are not sent again: \(report)")
        #expect(report.bytesSent < report.size)
        let pulled = try PatchPuller(client: try testClient(registry)).pull(ref.with(tag: "1.0.0"), into: try localRegistry(dir.path("home")), base: nil)
        #expect(pulled.patchDigest == source.patch.digest)
    }

    @Test func aPullInterruptedByTheRegistryStoppingResumesWithRange() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        // One large tensor (≈ 24 MB) so that the kill lands in the middle of its download.
        let file = try writePatch(dir.path("a.pave"), name: "large", version: "1.0.0", tensors: [("w", 6_000_000, 71), ("b", 100, 72)])
        let ref = try RemoteReference(parsing: "\(registry.host)/team/large:1.0.0")
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        _ = try PatchPusher(client: try testClient(registry), hints: nil).push(source, to: ref)
        let home = dir.path("home")
        let store = try localRegistry(home)
        final class Once: @unchecked Sendable { var fired = false }
        let once = Once()
        #expect(throws: RemoteError.self) {
            try PatchPuller(client: try testClient(registry, attempts: 2), parallelism: 1).pull(ref, into: store, base: nil) { received, _ in
                if received > 4_000_000, !once.fired { once.fired = true; registry.stop() }
            }
        }
        #expect(try store.list().isEmpty, "nothing is installed by a failed pull")
        let downloads = BlobDownloads(home: home)
        let big = source.layers.max { $0.piece.length < $1.piece.length }!
        let kept = downloads.bytesOnDisk(big.digest)
        #expect(kept > 0 && kept < big.piece.length, "a partial download is kept: \(kept) of \(big.piece.length)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.hasSuffix(".pave") }
        #expect(leftovers.isEmpty)

        try registry.start()
        let report = try PatchPuller(client: try testClient(registry)).pull(ref, into: store, base: nil)
        #expect(report.installed?.status == .installed && report.patchDigest == source.patch.digest)
        #expect(report.bytesDownloaded <= report.size - kept + 4096, "resumed: \(report.bytesDownloaded) of \(report.size), \(kept) kept")
    }

    @Test func aBlobCorruptedOnTheRegistrysDiskIsRefused() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "rot", version: "1.0.0", tensors: [("w", 50_000, 81), ("v", 50_000, 82)])
        let ref = try RemoteReference(parsing: "\(registry.host)/team/rot:1.0.0")
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        _ = try PatchPusher(client: try testClient(registry), hints: nil).push(source, to: ref)
        let victim = try #require(source.layers.first { if case .tensor = $0.piece.kind { return true } else { return false } })
        let data = registry.blobDataFile(victim.digest)
        var bytes = [UInt8](try Data(contentsOf: data))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: data)
        let store = try localRegistry(dir.path("home"))
        #expect {
            try PatchPuller(client: try testClient(registry)).pull(ref, into: store, base: nil)
        } throws: { error in
            guard let e = error as? RemoteError, case let .digestMismatch(_, repo, what, expected, _) = e else { return false }
            return repo == "team/rot" && what.contains(victim.digest.description) && expected == victim.digest.description && e.category == .checkFailed
        }
        #expect(try store.list().isEmpty)
        #expect(BlobDownloads(home: dir.path("home")).bytesOnDisk(victim.digest) == 0, "the damaged bytes are not kept")
    }

    @Test func aPatchForAnotherBaseIsRefusedFromTheConfigBeforeAnyTensorData() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "based", version: "1.0.0", tensors: [("w", 200_000, 91)], baseModel: "llava-onevision-qwen2-7b-ov")
        let ref = try RemoteReference(parsing: "\(registry.host)/team/based:1.0.0")
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        _ = try PatchPusher(client: try testClient(registry), hints: nil).push(source, to: ref)
        let home = dir.path("home")
        let store = try localRegistry(home)
        final class Seen: @unchecked Sendable { var bytes = 0 }
        let seen = Seen()
        #expect {
            try PatchPuller(client: try testClient(registry)).pull(ref, into: store, base: .named("lmms-lab/llava-onevision-qwen2-0.5b-ov")) { n, _ in seen.bytes = n }
        } throws: { error in
            guard let e = error as? RemoteError, case let .baseMismatch(_, _, _, wanted, patchBase) = e else { return false }
            return wanted == "lmms-lab/llava-onevision-qwen2-0.5b-ov" && patchBase.contains("7b") && e.category == .checkFailed
        }
        #expect(seen.bytes == 0)
        for layer in source.layers { #expect(BlobDownloads(home: home).bytesOnDisk(layer.digest) == 0) }
        // The right base passes.
        let ok = try PatchPuller(client: try testClient(registry)).pull(ref, into: store, base: .named("lmms-lab/llava-onevision-qwen2-7b-ov"))
        #expect(ok.installed?.status == .installed)
    }

    @Test func aManifestThatIsNotAPatchIsRefused() throws {
        let registry = try TestRegistry()
        let client = try testClient(registry)
        let empty = Array("{}".utf8)
        _ = try client.uploadBlob("team/other", .emptyConfig, read: { o, n in Array(empty[o..<(o + n)]) })
        let layer = Array("hello".utf8)
        let d = OCIDescriptor(mediaType: "text/plain", digest: Digest(of: layer), size: layer.count)
        _ = try client.uploadBlob("team/other", d, read: { o, n in Array(layer[o..<(o + n)]) })
        let m = OCIManifest(artifactType: "application/vnd.example", config: .emptyConfig, layers: [d])
        try client.putManifest("team/other", reference: "v1", bytes: try m.encoded(), mediaType: OCIMediaType.imageManifest)
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        #expect {
            try PatchPuller(client: client).pull(try RemoteReference(parsing: "\(registry.host)/team/other:v1"), into: try localRegistry(dir.url), base: nil)
        } throws: { error in
            guard case .notAPatch? = error as? RemoteError else { return false }
            return true
        }
        // A missing tag lists the ones that exist.
        #expect {
            try PatchPuller(client: client).pull(try RemoteReference(parsing: "\(registry.host)/team/other:v2"), into: try localRegistry(dir.url), base: nil)
        } throws: { error in
            guard case let .manifestUnknown(_, _, reference, tags)? = error as? RemoteError else { return false }
            return reference == "v2" && tags == ["v1"]
        }
    }
}
