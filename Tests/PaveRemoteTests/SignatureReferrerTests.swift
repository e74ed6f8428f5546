import Foundation
import PaveFormat
import PaveRemote
import PaveSigning
import Testing

/// Signatures travel with pushed patches as OCI referrers (issue 12), against the real CNCF registry 2.8
/// (no referrers API: the `sha256-<hex>` tag fallback).
struct SignatureReferrerTests {
    @Test func pushAttachesSignaturesAndPullFetchesThem() throws {
        let registry = try TestRegistry()
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("p.pave"), name: "signed-patch", version: "1.0.0", tensors: [("w", 20_000, 5)])
        let key = SigningKey(generating: .p256)
        try key.write(base: dir.path("k"))
        try PatchSigner.write(try PatchSigner.sign(fileAt: URL(fileURLWithPath: file), key: key), to: URL(fileURLWithPath: file + ".sig"))
        let env = ["DOCKER_CONFIG": dir.path("docker").path, "PAVE_HOME": dir.path("home").path]
        let repo = "\(registry.host)/team/signed"

        let push = try RemoteCLITests.run(["push", file, repo], env: env)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains("attached 1 signature"), "\(push.stdout)")
        let digest = push.stdout.split(separator: "\n").last.map(String.init) ?? ""
        // The fallback tag lists the referrer.
        let client = try testClient(registry)
        let bundles = try client.signatures(of: try #require(Digest(parsing: digest)), in: "team/signed")
        #expect(bundles.count == 1)
        #expect(try OMSSignature(bytes: bundles[0], source: "referrer").keyHint == key.publicKey.keyID)

        // pull keeps it with the installed patch; verify by name checks it with the key.
        let pull = try RemoteCLITests.run(["pull", "\(repo):1.0.0"], env: env)
        #expect(pull.status == 0 && pull.stdout.contains("1 signature fetched"), "\(pull.stdout)\(pull.stderr)")
        let verify = try RemoteCLITests.run(["verify", "signed-patch:1.0.0", "--key", dir.path("k.pub").path], env: env)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        // sign of the pushed (and pulled) patch attaches a second signature afterwards.
        let bob = SigningKey(generating: .p384)
        try bob.write(base: dir.path("bob"))
        let late = try RemoteCLITests.run(["sign", "\(repo):1.0.0", "--key", dir.path("bob.pem").path], env: env)
        #expect(late.status == 0, "\(late.stdout)\(late.stderr)")
        let keys = try client.signatures(of: try #require(Digest(parsing: digest)), in: "team/signed").compactMap { try OMSSignature(bytes: $0, source: "r").keyHint }
        #expect(Set(keys) == [key.publicKey.keyID, bob.publicKey.keyID])

        // A policy requiring another key refuses the pull, names the rule, and leaves nothing installed.
        #expect(try RemoteCLITests.run(["remove", "signed-patch:1.0.0"], env: env).status == 0)
        let other = SigningKey(generating: .p256)
        try other.write(base: dir.path("home/other"))
        try Data(#"{"trusted_keys": ["other.pub"], "require_signature": true}"#.utf8).write(to: dir.path("home/policy.json"))
        let refused = try RemoteCLITests.run(["pull", "\(repo):1.0.0"], env: env)
        #expect(refused.status == 1 && refused.stderr.contains("require_signature"), "\(refused.stdout)\(refused.stderr)")
        #expect(try RemoteCLITests.run(["list"], env: env).stdout.contains("(no patches)"))
    }
}
