import Foundation
import PaveFormat
import PaveRegistry
@testable import PaveRemote
import Testing

/// Other clients and concurrent use: skopeo copies the artifact unchanged; two pulls at once; referrers.
@Suite(.serialized) struct RegistryInteropTests {
    @Test func skopeoCopyKeepsTheDigestAndTheCopyInstallsTheSamePatch() throws {
        guard let skopeo = which("skopeo") else { throw TestFailure("skopeo is not installed: run scripts/install-deps.sh") }
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "interop", version: "2.0.0", tensors: [("w", 30_000, 8), ("b", 50, 9)])
        let client = try testClient(registry)
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        let report = try PatchPusher(client: client, hints: nil).push(source, to: try RemoteReference(parsing: "\(registry.host)/team/interop"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: skopeo)
        p.arguments = ["copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                       "docker://\(registry.host)/team/interop:2.0.0", "docker://\(registry.host)/mirror/interop:copied"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(errText)")
        let copied = try RemoteReference(parsing: "\(registry.host)/mirror/interop:copied")
        #expect(try client.manifest("mirror/interop", reference: "copied").digest.description == report.digest)
        let pulled = try PatchPuller(client: client).pull(copied, into: try localRegistry(dir.path("home")), base: nil)
        #expect(pulled.patchDigest == source.patch.digest && pulled.installed?.status == .installed)
    }

    @Test func twoPullsOfTheSamePatchAtOnceBothSucceed() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "twice", version: "1.0.0",
                                  tensors: (0..<6).map { ("t\($0)", 200_000, UInt64(40 + $0)) })
        let ref = try RemoteReference(parsing: "\(registry.host)/team/twice:1.0.0")
        _ = try PatchPusher(client: try testClient(registry), hints: nil).push(try PushSource.file(file, reader: PaveFileReader(threads: 1)), to: ref)
        let home = dir.path("home")
        _ = try localRegistry(home)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var errors: [String] = []
            var reports: [PullReport] = []
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let store = try localRegistry(home)
                let r = try PatchPuller(client: try testClient(registry), parallelism: 3).pull(ref, into: store, base: nil)
                results.lock.lock(); results.reports.append(r); results.lock.unlock()
            } catch {
                results.lock.lock(); results.errors.append("\(error)"); results.lock.unlock()
            }
        }
        #expect(results.errors.isEmpty, "\(results.errors)")
        #expect(results.reports.count == 2)
        // Shared downloads: together they fetched the patch about once, not twice.
        let total = results.reports.reduce(0) { $0 + $1.bytesDownloaded }
        #expect(total < results.reports[0].size * 3 / 2, "\(total)")
        #expect(try localRegistry(home).list().count == 1)
    }

    @Test func referrersAreAttachedAndListedThroughTheTagFallback() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "signed", version: "1.0.0", tensors: [("w", 10_000, 11)])
        let client = try testClient(registry)
        let report = try PatchPusher(client: client, hints: nil).push(try PushSource.file(file, reader: PaveFileReader(threads: 1)),
                                                                      to: try RemoteReference(parsing: "\(registry.host)/team/signed"))
        let fetched = try client.manifest("team/signed", reference: "1.0.0")
        let subject = OCIDescriptor(mediaType: OCIMediaType.imageManifest, digest: fetched.digest, size: fetched.bytes.count)
        #expect(try client.referrers("team/signed", subject: subject.digest).isEmpty)
        let sig = Array(#"{"signature":"test","subject":"\#(report.digest)"}"#.utf8)
        let a = try client.attach(sig, mediaType: "application/vnd.test.signature+json", artifactType: "application/vnd.test.signature",
                                  annotations: ["who": "alice"], to: subject, in: "team/signed")
        let b = try client.attach(Array(#"{"other":1}"#.utf8), mediaType: "application/json", artifactType: "application/vnd.test.other",
                                  to: subject, in: "team/signed")
        let all = try client.referrers("team/signed", subject: subject.digest)
        #expect(Set(all.map(\.digest)) == [a.digest, b.digest])
        let sigs = try client.referrers("team/signed", subject: subject.digest, artifactType: "application/vnd.test.signature")
        #expect(sigs.map(\.digest) == [a.digest] && sigs.first?.annotations?["who"] == "alice")
        // distribution 2.8.2 has no referrers API: the index lives under the sha256-<hex> tag.
        #expect(try client.tags("team/signed").contains(RegistryClient.fallbackTag(subject.digest)))
        // The referrer manifest names its subject and carries the JSON blob.
        let referrer = try OCIManifest.decode(try client.manifest("team/signed", reference: a.digest.description).bytes)
        #expect(referrer.subject?.digest == subject.digest)
        #expect(try client.smallBlob("team/signed", referrer.layers[0]) == sig)
        // Attaching the same artifact again does not duplicate it.
        _ = try client.attach(sig, mediaType: "application/vnd.test.signature+json", artifactType: "application/vnd.test.signature",
                              annotations: ["who": "alice"], to: subject, in: "team/signed")
        #expect(try client.referrers("team/signed", subject: subject.digest).count == 2)
    }
}
