import Foundation
import PaveFormat
import PaveRegistry
@testable import PaveRemote
import Testing

/// Basic auth (htpasswd, bcrypt) and Bearer tokens (a token endpoint answering the registry's challenge).
@Suite(.serialized) struct RegistryAuthTests {
    @Test func basicAuthNeedsTheRightPassword() throws {
        let registry = try TestRegistry(auth: .htpasswd(user: "alice", password: "correct horse"))
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("a.pave"), name: "basic", version: "1.0.0", tensors: [("w", 10_000, 5)])
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        let ref = try RemoteReference(parsing: "\(registry.host)/team/basic")

        // No credentials, a wrong password: refused cleanly, naming the registry.
        for credential in [nil, RegistryCredential(username: "alice", secret: "wrong")] {
            do {
                _ = try PatchPusher(client: try testClient(registry, credential: credential), hints: nil).push(source, to: ref)
                Issue.record("push without valid credentials succeeded")
            } catch let e as RemoteError {
                guard case let .unauthorized(host, _, _) = e else { Issue.record("unexpected \(e)"); continue }
                #expect(host == registry.host)
                #expect(e.category == .io)
            }
        }
        #expect(throws: RemoteError.self) { try testClient(registry, credential: RegistryCredential(username: "alice", secret: "wrong")).ping() }

        let good = try testClient(registry, credential: RegistryCredential(username: "alice", secret: "correct horse"))
        try good.ping()
        let report = try PatchPusher(client: good, hints: nil).push(source, to: ref)
        let store = try localRegistry(dir.path("home"))
        let pulled = try PatchPuller(client: good).pull(ref.with(tag: "1.0.0"), into: store, base: nil)
        #expect(pulled.digest == report.digest && pulled.installed?.status == .installed)
        #expect(good.tokenRequests == 0)
    }

    @Test func bearerTokensAreAskedWithPushScopeAndRefreshedWhenTheyExpire() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let tokens = try TokenServer(user: "bob", password: "pw", expiresIn: 1, dir: dir.url)
        let registry = try TestRegistry(auth: .token(realm: tokens.realm))
        let file = try writePatch(dir.path("a.pave"), name: "bearer", version: "1.0.0", tensors: [("w", 10_000, 6), ("v", 10_000, 7)])
        let source = try PushSource.file(file, reader: PaveFileReader(threads: 1))
        let ref = try RemoteReference(parsing: "\(registry.host)/team/bearer")

        let wrong = try testClient(registry, credential: RegistryCredential(username: "bob", secret: "nope"))
        #expect {
            try PatchPusher(client: wrong, hints: nil).push(source, to: ref)
        } throws: { error in
            guard case let .unauthorized(_, repo, detail)? = error as? RemoteError else { return false }
            return repo == "team/bearer" && detail.contains("refused")
        }

        let client = try testClient(registry, credential: RegistryCredential(username: "bob", secret: "pw"))
        let report = try PatchPusher(client: client, hints: nil, parallelism: 1).push(source, to: ref)
        let pushScopes = tokens.requests().filter { $0["status"]?.intValue == 200 }.flatMap { $0["scopes"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        #expect(pushScopes.contains("repository:team/bearer:pull,push"), "\(pushScopes)")
        #expect(tokens.requests().allSatisfy { $0["service"]?.stringValue == "pave-test-registry" })
        let before = client.tokenRequests
        Thread.sleep(forTimeInterval: 1.5)  // the 1 s tokens expire
        let store = try localRegistry(dir.path("home"))
        let pulled = try PatchPuller(client: client).pull(ref.with(tag: "1.0.0"), into: store, base: nil)
        #expect(pulled.digest == report.digest)
        #expect(client.tokenRequests > before)
        let pullScopes = tokens.requests().suffix(client.tokenRequests - before).flatMap { $0["scopes"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        #expect(pullScopes.contains("repository:team/bearer:pull"), "\(pullScopes)")
    }
}
