import Foundation
import PaveKit
import Testing

/// Signatures in the local registry and the trust policy, through the built `pavepkg`.
struct SignedRegistryTests {
    @Test func installKeepsSignaturesAndListShowSignSayWhoSigned() throws {
        let tool = try SigningInteropTests.modelSigning()
        let dir = try TempDir()
        let env = ["PAVE_HOME": dir.path("home")]
        let patch = try SigningInteropTests.patch(dir)
        let (alicePriv, alicePub) = try SigningInteropTests.opensslKey(dir, "alice")
        let (bobPriv, bobPub) = try SigningInteropTests.opensslKey(dir, "bob")
        let aliceID = try VerifyingKey(contentsOf: URL(fileURLWithPath: alicePub)).keyID
        let bobID = try VerifyingKey(contentsOf: URL(fileURLWithPath: bobPub)).keyID
        // FILE.sig beside the file (made by model_signing) is picked up.
        #expect(try SigningInteropTests.external(tool, ["sign", "key", "--private_key", alicePriv, "--signature", patch + ".sig", patch]).status == 0)
        let install = try CLI.run(["install", patch, "--key", alicePub], environment: env)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("signature by key \(aliceID.prefix(16))… (verified)"))
        let list = try CLI.run(["list"], environment: env)
        #expect(list.stdout.contains("SIGNED BY") && list.stdout.contains(String(aliceID.prefix(12))), "\(list.stdout)")
        let listJSON = try JSONValue.parse(Data(try CLI.run(["list", "--json"], environment: env).stdout.utf8))
        #expect(listJSON["signed_by"]?.objectValue?.values.first == .array([.string(aliceID)]))

        // sign NAME[:VERSION]: bob signs the installed patch; model_signing accepts it over the original file.
        let sign = try CLI.run(["sign", "tiny-fusion-sample:1.0.0", "--key", bobPriv, "-o", dir.path("bob.sig")], environment: env)
        #expect(sign.status == 0, "\(sign.stderr)")
        let v = try SigningInteropTests.external(tool, ["verify", "key", "--signature", dir.path("bob.sig"), "--public_key", bobPub, patch])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let show = try JSONValue.parse(Data(try CLI.run(["show", "tiny-fusion-sample", "--json"], environment: env).stdout.utf8))
        let keys = show["signatures"]?.arrayValue?.compactMap { $0["key_id"]?.stringValue } ?? []
        #expect(Set(keys) == [aliceID, bobID])
        #expect(try CLI.run(["show", "tiny-fusion-sample"], environment: env).stdout.contains("signed by"))

        // remove drops them.
        #expect(try CLI.run(["remove", "tiny-fusion-sample"], environment: env).status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.path("home/signatures/" + String(show["patch"]?["digest"]?.stringValue?.dropFirst(7) ?? ""))))
    }

    @Test func installRefusesASignatureOverAnotherFileAndAnUntrustedPatch() throws {
        let dir = try TempDir()
        let env = ["PAVE_HOME": dir.path("home")]
        let patch = try SigningInteropTests.patch(dir)
        let (alicePriv, _) = try SigningInteropTests.opensslKey(dir, "alice")
        let (_, bobPub) = try SigningInteropTests.opensslKey(dir, "bob")
        try Data("other".utf8).write(to: URL(fileURLWithPath: dir.path("other.bin")))
        #expect(try CLI.run(["sign", dir.path("other.bin"), "--key", alicePriv, "-o", dir.path("other.sig")]).status == 0)
        let other = try CLI.run(["install", patch, "--signature", dir.path("other.sig"), "--json"], environment: env)
        #expect(other.status == 1)
        #expect(try JSONValue.parse(Data(other.stdout.utf8))["error"]?["code"]?.stringValue == "signing.other_file")

        // A policy trusting only bob refuses alice's signature, naming the rule; nothing is installed.
        #expect(try CLI.run(["sign", patch, "--key", alicePriv]).status == 0)
        try Data(#"{"trusted_keys": ["bob.pub"], "require_signature": true}"#.utf8).write(to: URL(fileURLWithPath: dir.path("policy.json")))
        _ = bobPub
        let refused = try CLI.run(["install", patch, "--policy", dir.path("policy.json"), "--json"], environment: env)
        #expect(refused.status == 1)
        let error = try JSONValue.parse(Data(refused.stdout.utf8))["error"]
        #expect(error?["code"]?.stringValue == "policy.require_signature", "\(refused.stdout)")
        #expect(error?["message"]?.stringValue?.contains("require_signature") == true)
        #expect(try CLI.run(["list"], environment: env).stdout.contains("(no patches)"))
        // PAVE_HOME/policy.json is the default policy.
        try FileManager.default.createDirectory(atPath: dir.path("home"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.path("bob.pub"), toPath: dir.path("home/bob.pub"))
        try FileManager.default.copyItem(atPath: dir.path("policy.json"), toPath: dir.path("home/policy.json"))
        #expect(try CLI.run(["install", patch], environment: env).status == 1)
        #expect(try CLI.run(["verify", patch], environment: env).status == 1)
    }

    @Test func verifyAppliesEachPolicyRuleWithItsOwnCode() throws {
        let dir = try TempDir()
        let patch = try SigningInteropTests.patch(dir)
        let rules: [(String, String)] = [
            (#"{"licenses": ["MIT"]}"#, "policy.licenses"),
            (#"{"max_size": 100}"#, "policy.max_size"),
            (#"{"require_reference_vectors": true}"#, "policy.require_reference_vectors"),
            ("{\"allowed_bases\": [\"sha256:\(String(repeating: "0", count: 64))\"]}", "policy.allowed_bases"),
        ]
        for (json, code) in rules {
            try Data(json.utf8).write(to: URL(fileURLWithPath: dir.path("p.json")), options: .atomic)
            let r = try CLI.run(["verify", patch, "--policy", dir.path("p.json"), "--json"])
            #expect(r.status == 1, "\(json)")
            #expect(try SigningInteropTests.problemCodes(r) == [code], "\(r.stdout)")
        }
        // A misspelt key is an error naming it (exit 1, the policy is invalid input).
        try Data(#"{"licences": ["MIT"]}"#.utf8).write(to: URL(fileURLWithPath: dir.path("p.json")), options: .atomic)
        let typo = try CLI.run(["verify", patch, "--policy", dir.path("p.json")])
        #expect(typo.status == 1 && typo.stderr.contains("unknown key \"licences\""), "\(typo.stderr)")
        // An empty policy accepts.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir.path("p.json")), options: .atomic)
        #expect(try CLI.run(["verify", patch, "--policy", dir.path("p.json")]).status == 0)
    }
}

extension SignedRegistryTests {
    @Test func verifyOfAnInstalledPatchChecksTheSignaturesKeptInTheRegistry() throws {
        let dir = try TempDir()
        let env = ["PAVE_HOME": dir.path("home")]
        let patch = try SigningInteropTests.patch(dir)
        #expect(try CLI.run(["key", "generate", "-o", dir.path("k")]).status == 0)
        #expect(try CLI.run(["key", "generate", "-o", dir.path("other")]).status == 0)
        #expect(try CLI.run(["install", patch], environment: env).status == 0)
        // Unsigned yet: --key fails, naming the patch.
        let unsigned = try CLI.run(["verify", "tiny-fusion-sample:1.0.0", "--key", dir.path("k.pub"), "--json"], environment: env)
        #expect(try unsigned.status == 1 && SigningInteropTests.problemCodes(unsigned) == ["signing.io"])
        #expect(try CLI.run(["sign", "tiny-fusion-sample:1.0.0", "--key", dir.path("k.pem")], environment: env).status == 0)
        let ok = try CLI.run(["verify", "tiny-fusion-sample:1.0.0", "--key", dir.path("k.pub")], environment: env)
        #expect(ok.status == 0 && ok.stdout.contains("signature.oms"), "\(ok.stdout)\(ok.stderr)")
        let wrong = try CLI.run(["verify", "tiny-fusion-sample:1.0.0", "--key", dir.path("other.pub"), "--json"], environment: env)
        #expect(try wrong.status == 1 && SigningInteropTests.problemCodes(wrong) == ["signing.key_mismatch"])
    }
}
