import Foundation
import PaveFormat
import Testing
@testable import PaveRegistry

@Suite struct RegistryRoundTripTests {
    let reader = SyntheticPatchReader()

    func makePatch(_ dir: TemporaryDirectory, _ file: String, _ manifest: Manifest, _ tensors: [(String, [UInt8])]) throws -> String {
        let url = dir.file(file)
        try SyntheticPatchFormat.write(manifest: manifest, tensors: tensors, to: url)
        return url.path
    }

    @Test func installListSearchShowRemoveGC() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let home = StoreLayout(home: dir.file("home"))
        let registry = try Registry(layout: home, reader: reader)
        let a = try makePatch(dir, "a.pave", testManifest("audio-lora", "1.0.0", description: "Audio side channel for LLaVA",
                                                               tags: ["speech", "music"], side: "audio", base: ["name": "llava-onevision-7b"], loraRank: 8),
                              [("fusion.w", pseudoRandomBytes(20_000, seed: 1)), ("lora.a", pseudoRandomBytes(17_000, seed: 2))])
        let b = try makePatch(dir, "b.pave", testManifest("depth3d", "0.2.0", description: "3D point features", side: "3d"),
                              [("fusion.w", pseudoRandomBytes(120_000, seed: 3))])
        let results = try registry.install(paths: [a, b])
        #expect(results.map(\.status) == [.installed, .installed])
        #expect(results[0].newBlobs == 3)  // head + two tensors; padding is not stored
        #expect(results[0].paddingBytes > 0)

        #expect(try registry.list().map(\.reference) == ["audio-lora:1.0.0", "depth3d:0.2.0"])
        #expect(try registry.list(sideChannel: "audio").map(\.name) == ["audio-lora"])
        #expect(try registry.list(base: "LLaVA-OneVision-7B").map(\.name) == ["audio-lora"])
        #expect(try registry.search("music").map(\.name) == ["audio-lora"])
        #expect(try registry.search("llava").map(\.name) == ["audio-lora"])
        #expect(try registry.search("3d point").map(\.name) == ["depth3d"])
        #expect(try registry.search("\"unbalanced ( NEAR").isEmpty)

        let shown = try registry.show("audio-lora")
        #expect(shown.patch.loraRank == 8)
        #expect(shown.patch.loraModules == ["model.layers.0.self_attn.q_proj"])
        #expect(shown.segments.compactMap(\.tensor) == ["fusion.w", "lora.a"])
        #expect(shown.manifest["description"]?.stringValue == "Audio side channel for LLaVA")

        // Served back from blobs: identical bytes, so the reader yields the same digest.
        let source = try registry.source(for: shown.patch)
        let original = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(Data(try source.read(at: 0, count: source.size)) == original)
        #expect(Data(try source.read(at: 4090, count: 20)) == original[4090..<4110])
        #expect(Data(try source.read(at: 24_090, count: 100)) == original[24_090..<24_190])  // across padding
        #expect(try reader.verifiedImage(of: source, path: "audio-lora").digest == results[0].digest)

        // Re-installing is a no-op.
        #expect(try registry.install(paths: [a]).map(\.status) == [.alreadyInstalled])

        let removed = try registry.remove("depth3d:0.2.0")
        #expect(removed.freedBlobs == 2)
        #expect(try registry.list().map(\.name) == ["audio-lora"])
        #expect(throws: RegistryError.self) { try registry.show("depth3d") }
        let gc = try registry.gc()
        #expect(gc.blobs == 0)
        #expect(try registry.doctor().ok)
    }

    @Test func sharedTensorIsStoredOnceAndCountedOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: reader)
        let shared = pseudoRandomBytes(64_000, seed: 7)
        let v1 = try makePatch(dir, "v1.pave", testManifest("p", "1.0.0"), [("fusion.w", pseudoRandomBytes(20_000, seed: 8)), ("lora.a", shared)])
        let v2 = try makePatch(dir, "v2.pave", testManifest("p", "1.1.0"), [("fusion.w", pseudoRandomBytes(20_000, seed: 9)), ("lora.a", shared)])
        try registry.install(paths: [v1])
        let r2 = try registry.install(paths: [v2])[0]
        #expect(r2.reusedBytes == shared.count)
        let usage = try registry.usage()
        #expect(usage.patches == 2)
        let sizes = try [v1, v2].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int ?? 0 }
        #expect(usage.logicalBytes == sizes.reduce(0, +))
        let heads = try registry.show("p:1.0.0").segments.first?.length ?? 0
        let heads2 = try registry.show("p:1.1.0").segments.first?.length ?? 0
        #expect(usage.storedBytes == shared.count + 2 * 20_000 + heads + heads2)
        let detail = try registry.show("p")  // newest version
        #expect(detail.patch.version == "1.1.0")
        #expect(detail.sharedBytes == shared.count)
        #expect(detail.segments.first { $0.tensor == "lora.a" }?.sharedBy == 2)

        // `remove p` is ambiguous with two versions installed.
        #expect(throws: RegistryError.self) { try registry.remove("p") }
        let removed = try registry.remove("p:1.0.0")
        #expect(removed.freedBytes == 20_000 + heads)
        #expect(try registry.show("p:1.1.0").segments.first { $0.tensor == "lora.a" }?.sharedBy == 1)
        let after = try registry.usage()
        #expect(after.storedBytes == shared.count + 20_000 + heads2)
        #expect(try registry.doctor().ok)
    }

    @Test func smallTensorsShareABlobWithTheHeadLargeOnesGetTheirOwn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: reader)
        var tensors = (0..<10).map { ("bias.\($0)", pseudoRandomBytes(40 + $0, seed: UInt64($0))) }
        tensors.append(("weight", pseudoRandomBytes(Registry.minimumTensorBlob, seed: 77)))
        let p = try makePatch(dir, "small.pave", testManifest("small", "1.0.0"), tensors)
        let r = try registry.install(paths: [p])[0]
        #expect(r.newBlobs == 2)
        let d = try registry.show("small")
        #expect(d.segments.compactMap(\.tensor) == ["weight"])
        #expect(d.segments.first?.offset == 0 && d.segments.first?.blob != nil)
        let source = try registry.source(for: d.patch)
        #expect(Data(try source.read(at: 0, count: source.size)) == (try Data(contentsOf: URL(fileURLWithPath: p))))
    }

    @Test func referencesResolveByNameVersionAndDigestPrefix() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: reader)
        let p = try makePatch(dir, "x.pave", testManifest("x", "2.0.0"), [("t", [1, 2, 3])])
        let digest = try registry.install(paths: [p])[0].digest
        let hex = String(digest.dropFirst(7))
        #expect(try registry.resolve(String(hex.prefix(8))).name == "x")
        #expect(try registry.resolve("sha256:" + hex.prefix(12)).name == "x")
        #expect(try registry.resolve("x:2.0.0").digest == digest)
        #expect(throws: RegistryError.notInstalled("x:9.9.9")) { try registry.resolve("x:9.9.9") }
        #expect(throws: RegistryError.self) { try registry.resolve(String(hex.prefix(7))) }  // too short: neither a name nor a prefix match
        // Two digests sharing a prefix (rows added by hand: real collisions of 8 hex digits are rare).
        for (i, suffix) in ["aa", "bb"].enumerated() {
            try registry.db.run("INSERT INTO patches (name, version, digest, size, installed_at) VALUES (?, '1.0.0', ?, 1, 'now')",
                                [.text("collide\(i)"), .text("sha256:0123456789" + suffix + String(repeating: "0", count: 52))])
        }
        #expect(throws: RegistryError.ambiguousReference("0123456789", candidates: [
            "collide0:1.0.0 (sha256:0123456789aa)", "collide1:1.0.0 (sha256:0123456789bb)",
        ])) { try registry.resolve("0123456789") }
        #expect(try registry.resolve("0123456789b").name == "collide1")
    }

    @Test func versionConflictAndBaseMismatchAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: reader)
        let sig = "sha256:" + String(repeating: "ab", count: 32)
        let a = try makePatch(dir, "a.pave", testManifest("n", "1.0.0", base: ["structural_signature": .string(sig), "name": "qwen2-7b"]), [("t", [1])])
        let b = try makePatch(dir, "b.pave", testManifest("n", "1.0.0", description: "different"), [("t", [2])])
        #expect(throws: RegistryError.self) { try registry.install(paths: [a], base: .named("llava-7b")) }
        #expect(try registry.list().isEmpty)
        #expect(try registry.install(paths: [a], base: .named("abababab"))[0].status == .installed)
        #expect(try registry.list(base: sig).count == 1)
        #expect(try registry.list(base: "sha256:abababababab").count == 1)
        #expect(try registry.list(base: "cdcdcdcd").isEmpty)
        do {
            try registry.install(paths: [b])
            Issue.record("expected a version conflict")
        } catch let e as RegistryError {
            #expect(e.code == "registry.version_conflict")
        }
    }
}
