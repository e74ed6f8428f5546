import Foundation
import PaveFormat
import PaveRegistry
@testable import PaveRemote
import Testing

/// Push and pull against a real, open CNCF registry on 127.0.0.1.
@Suite(.serialized) struct RegistryRoundTripTests {
    @Test func pushPullRoundTripIsByteIdenticalAndInstallsTheSamePatch() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "speech", version: "1.0.0",
                                  tensors: [("lora.a", 20_000, 1), ("lora.b", 30_000, 2), ("bias", 7, 3)])
        let client = try testClient(registry)
        let ref = try RemoteReference(parsing: "\(registry.host)/team/speech")
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        let report = try PatchPusher(client: client, hints: nil).push(source, to: ref)
        #expect(report.reference == "\(registry.host)/team/speech:1.0.0")
        #expect(report.uploaded == report.blobs && report.existing == 0)
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        #expect(report.size == size && report.bytesSent >= size)
        #expect(try client.tags("team/speech") == ["1.0.0"])

        // The manifest as stored: our exact bytes, the artifact type, the config and one layer per piece.
        let fetched = try client.manifest("team/speech", reference: "1.0.0")
        #expect(fetched.digest.description == report.digest)
        let manifest = try OCIManifest.decode(fetched.bytes)
        #expect(manifest.artifactType == PaveArtifactType.artifactType)
        #expect(manifest.annotations?["org.opencontainers.image.version"] == "1.0.0")
        #expect(manifest.layers.filter { $0.mediaType == PaveArtifactType.tensor }.compactMap { $0.annotations?[PaveArtifactType.tensorAnnotation] }
                .sorted() == ["lora.a", "lora.b"])

        // Concatenating the layers in order gives the file (the "any OCI tool" recipe).
        var rebuilt: [UInt8] = []
        for layer in manifest.layers { rebuilt += try client.smallBlob("team/speech", layer, limit: 1 << 24) }
        #expect(rebuilt == Array(try Data(contentsOf: URL(fileURLWithPath: file))))

        // Pull into a fresh store: installed, same patch digest; a second pull downloads nothing.
        let store = try localRegistry(dir.path("home"))
        let pulled = try PatchPuller(client: client).pull(ref.with(tag: "1.0.0"), into: store, base: nil)
        #expect(pulled.installed?.status == .installed)
        // Everything but zero padding (made locally) came over the network.
        #expect(pulled.patchDigest == source.patch.digest)
        #expect(pulled.bytesDownloaded + pulled.bytesReused == size && pulled.bytesDownloaded > size - 4096)
        #expect(try store.list().map(\.digest) == [source.patch.digest])
        let again = try PatchPuller(client: client).pull(ref.with(tag: "1.0.0"), into: store, base: nil)
        #expect(again.bytesDownloaded == 0 && again.installed?.status == .alreadyInstalled)
        // Downloads were cleaned up once installed.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.path("home/downloads/sha256").path)) ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")

        // By digest, and to a file.
        let byDigest = try RemoteReference(parsing: "\(registry.host)/team/speech@\(report.digest)")
        let out = dir.path("out.pave").path
        let written = try PatchPuller(client: client).pull(byDigest, into: store, base: nil, output: out)
        #expect(written.output == out && written.bytesDownloaded == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: file)))

        // Pushing the installed patch (served from the local store) gives the same manifest digest, and with a
        // location hint the blobs are mounted from the first repository instead of uploaded.
        let hints = BlobLocationHints(home: dir.path("home"))
        let installed = try PushSource.installed(try store.resolve("speech:1.0.0"), registry: store)
        let copy = try PatchPusher(client: client, hints: hints).push(installed, to: try RemoteReference(parsing: "\(registry.host)/other/speech:v1"))
        #expect(copy.digest == report.digest)
        #expect(copy.mounted == copy.blobs && copy.bytesSent == 0)
    }

    @Test func aSecondVersionAndAStackUploadOnlyWhatTheyAdd() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let client = try testClient(registry)
        let tensors: [(String, Int, UInt64)] = (0..<8).map { ("lora.t\($0)", 40_000, UInt64($0 + 10)) }
        let v1 = try writePatch(dir.path("v1.pave"), name: "video", version: "1.0.0", tensors: tensors)
        var changed = tensors
        changed[3].2 = 999
        let v2 = try writePatch(dir.path("v2.pave"), name: "video", version: "1.1.0", tensors: changed)
        let pusher = PatchPusher(client: client, hints: nil)
        let ref = try RemoteReference(parsing: "\(registry.host)/team/video")
        let r1 = try pusher.push(try PushSource.file(v1, reader: PaveFileReader(threads: 1)), to: ref)
        let r2 = try pusher.push(try PushSource.file(v2, reader: PaveFileReader(threads: 1)), to: ref)
        // v2 sends its changed tensor, its head, its config and the small pieces around the changed region
        // (padding whose length follows the compressed size); the 7 unchanged tensors are not sent again.
        #expect(r2.existing >= 7 && r2.uploaded <= 6, "\(r2)")
        #expect(r2.bytesSent < r2.size / 8 + 20_000, "\(r2.bytesSent) of \(r2.size)")
        #expect(try Set(client.tags("team/video")) == ["1.0.0", "1.1.0"])

        // Pulling v2 after v1 downloads only what v1 lacks.
        let store = try localRegistry(dir.path("home"))
        let p1 = try PatchPuller(client: client).pull(ref.with(tag: "1.0.0"), into: store, base: nil)
        let p2 = try PatchPuller(client: client).pull(ref.with(tag: "1.1.0"), into: store, base: nil)
        #expect(p1.bytesDownloaded > r1.size - 4096)
        #expect(p2.bytesDownloaded < p2.size / 5 && p2.bytesReused > 0, "\(p2)")

        // A stack whose tensors are its members' regions byte for byte, pushed to another repository: the
        // shared blobs are mounted across repositories (the push recorded where they live), only the rest is sent.
        let hints = BlobLocationHints(home: dir.path("hints"))
        hints.record(r1.blobs > 0 ? try PushSource.file(v1, reader: PaveFileReader(threads: 1)).layers.map(\.digest) : [],
                     registry: registry.host, repository: "team/video")
        let stack = try writePatch(dir.path("stack.pave"), name: "stack", version: "1.0.0", tensors: tensors + [("extra", 5_000, 77)])
        let r3 = try PatchPusher(client: client, hints: hints).push(try PushSource.file(stack, reader: PaveFileReader(threads: 1)),
                                                                    to: try RemoteReference(parsing: "\(registry.host)/team/stack"))
        #expect(r3.mounted >= 8 && r3.existing == 0, "\(r3)")
        #expect(r3.bytesSent < r3.size / 10, "\(r3.bytesSent) of \(r3.size)")
    }
}
