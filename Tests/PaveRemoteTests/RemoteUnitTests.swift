import Foundation
import PaveFormat
@testable import PaveRemote
import Testing

@Suite struct RemoteReferenceTests {
    @Test func parsesRegistryRepositoryTagAndDigest() throws {
        let a = try RemoteReference(parsing: "127.0.0.1:5000/team/pave-video:1.0.0")
        #expect(a.registry == "127.0.0.1:5000" && a.repository == "team/pave-video" && a.tag == "1.0.0" && a.digest == nil)
        #expect(a.isLoopback)
        let hex = String(repeating: "ab", count: 32)
        let b = try RemoteReference(parsing: "ghcr.io/org/patch@sha256:\(hex)")
        #expect(b.digest?.hex == hex && b.tag == nil && b.reference == "sha256:\(hex)" && !b.isLoopback)
        let c = try RemoteReference(parsing: "localhost/x")
        #expect(c.registry == "localhost" && c.tag == nil && c.reference == nil)
        let hub = try RemoteReference(parsing: "docker.io/ubuntu:22.04")
        #expect(hub.repository == "library/ubuntu" && hub.apiHost == "registry-1.docker.io")
        #expect(a.with(tag: "2.0.0").description == "127.0.0.1:5000/team/pave-video:2.0.0")
    }

    @Test(arguments: ["team/patch:1.0", "127.0.0.1:5000/Team/patch", "127.0.0.1:5000/team//patch", "127.0.0.1:5000/team/patch:-bad",
                      "127.0.0.1:5000/team/patch@sha256:abc", "127.0.0.1:99999/x", "", "127.0.0.1:5000/-x"])
    func refusesMalformedReferences(_ text: String) {
        #expect(throws: RemoteError.self) { try RemoteReference(parsing: text) }
    }

    @Test func tagRule() throws {
        try RemoteReference.validate(tag: "1.0.0-rc.1")
        try RemoteReference.validate(tag: "_x")
        #expect(throws: RemoteError.self) { try RemoteReference.validate(tag: String(repeating: "a", count: 129)) }
        #expect(throws: RemoteError.self) { try RemoteReference.validate(tag: "1.0+build") }
    }
}

@Suite struct AuthChallengeTests {
    @Test func parsesBearerWithSeveralScopes() {
        let c = AuthChallenge.parse(#"Bearer realm="http://127.0.0.1:9/token",service="reg",scope="repository:a/b:pull repository:a/b:push""#)
        #expect(c.count == 1)
        #expect(c.first?.scheme == "bearer" && c.first?.realm == "http://127.0.0.1:9/token" && c.first?.service == "reg")
        #expect(c.first?.scope == "repository:a/b:pull repository:a/b:push")
    }

    @Test func parsesSeveralChallengesAndEscapes() {
        let c = AuthChallenge.parse(#"Basic realm="pave \"test\"", Bearer realm=https://auth.example/token, service=x"#)
        #expect(c.map(\.scheme) == ["basic", "bearer"])
        #expect(c.first?.realm == #"pave "test""#)
        #expect(c.last?.realm == "https://auth.example/token" && c.last?.service == "x")
        #expect(AuthChallenge.parse("").isEmpty)
    }
}

@Suite struct DockerCredentialsTests {
    @Test func storesReadsAndErasesInConfigJSONKeepingOtherSettings() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let url = dir.path("config.json")
        try Data(#"{"auths":{"other.example":{"auth":"dTpw"}},"experimental":"enabled"}"#.utf8).write(to: url)
        let store = DockerCredentials(configURL: url)
        #expect(try store.credential(for: "127.0.0.1:5000") == nil)
        try store.store(RegistryCredential(username: "alice", secret: "s3cr:et"), for: "127.0.0.1:5000")
        #expect(try store.credential(for: "127.0.0.1:5000") == RegistryCredential(username: "alice", secret: "s3cr:et"))
        #expect(try store.credential(for: "other.example") == RegistryCredential(username: "u", secret: "p"))
        let json = try JSONValue.parse(Array(try Data(contentsOf: url)))
        #expect(json["experimental"]?.stringValue == "enabled")
        #expect(json["auths"]?["127.0.0.1:5000"]?["auth"]?.stringValue == Data("alice:s3cr:et".utf8).base64EncodedString())
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try store.erase(for: "127.0.0.1:5000"))
        #expect(try store.credential(for: "127.0.0.1:5000") == nil)
        #expect(try !store.erase(for: "127.0.0.1:5000"))
    }

    @Test func credentialHelpersAreHonoured() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        // A real helper program speaking the docker-credential protocol, keeping its secrets in a file.
        let bin = dir.path("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let helper = bin.appendingPathComponent("docker-credential-pavetest")
        let secrets = dir.path("secrets").path
        try Data("""
            #!/bin/sh
            input=$(cat)
            case "$1" in
              get) if [ -f "\(secrets)" ] && grep -q "^$input " "\(secrets)"; then
                     grep "^$input " "\(secrets)" | head -1 | cut -d' ' -f2-; else echo "credentials not found in native keychain"; exit 1; fi ;;
              store) url=$(printf '%s' "$input" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ServerURL"])')
                     echo "$url $(printf '%s' "$input" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"Username":d["Username"],"Secret":d["Secret"]}))')" >> "\(secrets)" ;;
              erase) grep -v "^$input " "\(secrets)" > "\(secrets).new"; mv "\(secrets).new" "\(secrets)" ;;
            esac

            """.utf8).write(to: helper)
        chmod(helper.path, 0o755)
        let url = dir.path("config.json")
        try Data(#"{"credHelpers":{"127.0.0.1:5000":"pavetest"}}"#.utf8).write(to: url)
        let store = DockerCredentials(configURL: url, helperSearchPath: [bin.path])
        #expect(try store.credential(for: "127.0.0.1:5000") == nil)
        #expect(try store.store(RegistryCredential(username: "bob", secret: "pw"), for: "127.0.0.1:5000") == "docker-credential-pavetest")
        #expect(try store.credential(for: "127.0.0.1:5000") == RegistryCredential(username: "bob", secret: "pw"))
        // The file itself holds no secret.
        #expect(try !String(contentsOf: url, encoding: .utf8).contains("pw"))
        try store.erase(for: "127.0.0.1:5000")
        #expect(try store.credential(for: "127.0.0.1:5000") == nil)
        // credsStore applies to every registry without its own helper; a missing helper is a clear error.
        try Data(#"{"credsStore":"missing-helper"}"#.utf8).write(to: url)
        #expect(throws: RemoteError.self) { try DockerCredentials(configURL: url, helperSearchPath: [bin.path]).credential(for: "x.example") }
    }
}
