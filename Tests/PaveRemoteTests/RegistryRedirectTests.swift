import Foundation
import PaveFormat
import PaveRegistry
@testable import PaveRemote
import Testing

/// Blob downloads redirected to storage on another origin (as S3-backed registries do): followed, and the
/// registry's `Authorization` is never sent there.
@Suite(.serialized) struct RegistryRedirectTests {
    @Test func redirectsAreFollowedWithoutForwardingAuthorization() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/remote/redirecting_front.py")
        let portFile = dir.path("front.port"), log = dir.path("front.log")
        let front = Process()
        front.executableURL = URL(fileURLWithPath: which("python3") ?? "/usr/bin/python3")
        front.arguments = [script.path, portFile.path, String(registry.port), "dave", "pw", log.path]
        try front.run()
        defer { kill(front.processIdentifier, SIGKILL); front.waitUntilExit() }
        var port = 0
        let deadline = Date().addingTimeInterval(10)
        while port == 0 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let p = Int(text) { port = p; break }
            guard front.isRunning, Date() < deadline else { throw TestFailure("redirecting front did not start") }
            usleep(20_000)
        }
        let file = try writePatch(dir.path("a.pave"), name: "redirected", version: "1.0.0", tensors: [("w", 40_000, 5), ("v", 40_000, 6)])
        let client = try RegistryClient(registry: "127.0.0.1:\(port)", credential: RegistryCredential(username: "dave", secret: "pw"),
                                        retry: RetryPolicy(attempts: 2, initialDelay: 0.05))
        let ref = try RemoteReference(parsing: "127.0.0.1:\(port)/team/redirected:1.0.0")
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        _ = try PatchPusher(client: client, hints: nil).push(source, to: ref)
        let pulled = try PatchPuller(client: client).pull(ref, into: try localRegistry(dir.path("home")), base: nil)
        #expect(pulled.patchDigest == source.patch.digest && pulled.installed?.status == .installed)
        let entries = (try String(contentsOf: log, encoding: .utf8)).split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) }
        let storage = entries.filter { $0["path"]?.stringValue?.hasPrefix("/storage/") == true }
        #expect(storage.count >= 3, "blob downloads went through the redirect: \(storage.count)")
        #expect(storage.allSatisfy { $0["authorization"]?.boolValue == false }, "Authorization leaked to blob storage")
        #expect(storage.allSatisfy { $0["host"]?.stringValue?.hasPrefix("localhost:") == true })
        #expect(entries.contains { $0["path"]?.stringValue?.contains("/manifests/") == true && $0["authorization"]?.boolValue == true })
    }
}
