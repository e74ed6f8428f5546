import Foundation
import PaveFormat
import Testing
@testable import PaveSigning

/// The trust policy file: strict parsing, key resolution, and one named violation per rule.
struct TrustPolicyTests {
    static let base = "sha256:" + String(repeating: "ab", count: 32)
    static let otherBase = "sha256:" + String(repeating: "cd", count: 32)

    func write(_ dir: ScratchDir, _ json: String) throws -> URL {
        let url = dir.file("policy.json")
        try Data(json.utf8).write(to: url)
        return url
    }

    func policyError(_ dir: ScratchDir, _ json: String) throws -> String {
        do {
            _ = try TrustPolicy.load(contentsOf: try write(dir, json))
            Issue.record("policy accepted: \(json)")
        } catch let error as SigningError {
            #expect(error.kind == .badPolicy)
            return error.message
        }
        return ""
    }

    @Test func theFullExampleParsesAndResolvesPathsAndKeyIDs() throws {
        let dir = try ScratchDir()
        try FileManager.default.createDirectory(at: dir.file("keys"), withIntermediateDirectories: true)
        let (_, alice) = try dir.opensslKey("keys/alice")
        let (_, bob) = try dir.opensslKey("keys/bob")
        let bobID = try VerifyingKey(contentsOf: bob).keyID
        let policy = try TrustPolicy.load(contentsOf: try write(dir, """
            {"trusted_keys": ["keys/alice.pub", "\(bobID)"], "require_signature": true,
             "allowed_bases": ["\(Self.base)"], "allowed_side_channels": ["audio"],
             "licenses": ["Apache-2.0", "MIT"], "max_size": 500000000, "require_reference_vectors": true}
            """))
        #expect(policy.trustedKeys.map(\.keyID) == [try VerifyingKey(contentsOf: alice).keyID, bobID])
        #expect(policy.requireSignature && policy.requireReferenceVectors && policy.maxSize == 500_000_000)
        #expect(policy.allowedBases == [Digest(parsing: Self.base)!])
        #expect(policy.allowedSideChannels == ["audio"] && policy.licenses == ["Apache-2.0", "MIT"])
        #expect(policy.checksSignatures)
    }

    @Test func unknownKeysAndBadValuesAreErrorsNamingTheKey() throws {
        let dir = try ScratchDir()
        #expect(try policyError(dir, #"{"require_signatures": true}"#).contains("unknown key \"require_signatures\""))
        #expect(try policyError(dir, #"{"max_size": "5GB"}"#).contains("\"max_size\""))
        #expect(try policyError(dir, #"{"allowed_bases": ["abc"]}"#).contains("\"allowed_bases\"[0]"))
        #expect(try policyError(dir, #"{"require_signature": true}"#).contains("\"trusted_keys\" is empty"))
        #expect(try policyError(dir, #"{"trusted_keys": ["missing.pub"]}"#).contains("\"missing.pub\""))
        #expect(try policyError(dir, "{\"trusted_keys\": [\"\(String(repeating: "0", count: 64))\"]}").contains("has no public key"))
        #expect(try policyError(dir, "[]").contains("not a JSON object"))
    }

    @Test func aKeyPathNamingAHugeFileIsRefusedWithoutReadingIt() throws {
        let dir = try ScratchDir()
        let url = try write(dir, #"{"trusted_keys": ["/dev/zero"]}"#)
        #expect(throws: SigningError.self) { _ = try TrustPolicy.load(contentsOf: url) }
        do { _ = try TrustPolicy.load(contentsOf: url) } catch {
            #expect(error.message.contains("/dev/zero") && error.message.contains("larger than"))
        }
        #expect(throws: SigningError.self) { _ = try VerifyingKey(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
        do { _ = try OMSSignature(contentsOf: URL(fileURLWithPath: "/dev/zero")) } catch {
            #expect(error.kind == .tooLarge)
        }
    }

    @Test func theDefaultPolicyAcceptsEverything() throws {
        let subject = PolicySubject(path: "p.pave", size: 1 << 40, baseStructuralSignature: nil, sideChannel: "3d", license: nil, referenceVectorSets: 0)
        #expect(TrustPolicy.default.evaluate(subject).isEmpty)
        #expect(!TrustPolicy.default.checksSignatures)
        // No PAVE_HOME/policy.json: the default.
        let dir = try ScratchDir()
        #expect(try TrustPolicy.load(home: dir.url).source == nil)
    }

    @Test func eachRuleRefusesWithItsOwnRuleAndValue() throws {
        let dir = try ScratchDir()
        let (_, alice) = try dir.opensslKey("alice")
        let aliceID = try VerifyingKey(contentsOf: alice).keyID
        let policy = try TrustPolicy.load(contentsOf: try write(dir, """
            {"trusted_keys": ["alice.pub"], "require_signature": true, "allowed_bases": ["\(Self.base)"],
             "allowed_side_channels": ["audio"], "licenses": ["MIT"], "max_size": 1000, "require_reference_vectors": true}
            """))
        let good = PolicySubject(path: "p.pave", size: 1000, baseStructuralSignature: Self.base, sideChannel: "audio", license: "MIT",
                                 referenceVectorSets: 1, verifiedSigners: [aliceID])
        #expect(policy.evaluate(good).isEmpty)
        func broken(_ change: (inout PolicySubject) -> Void) -> [PolicyViolation] {
            var s = good
            change(&s)
            return policy.evaluate(s)
        }
        let cases: [(String, String, (inout PolicySubject) -> Void)] = [
            ("require_signature", "unsigned", { $0.verifiedSigners = [] }),
            ("allowed_bases", Self.otherBase, { $0.baseStructuralSignature = Self.otherBase }),
            ("allowed_bases", "none", { $0.baseStructuralSignature = nil }),
            ("allowed_side_channels", "3d", { $0.sideChannel = "3d" }),
            ("licenses", "GPL-3.0", { $0.license = "GPL-3.0" }),
            ("licenses", "none", { $0.license = nil }),
            ("max_size", "1001", { $0.size = 1001 }),
            ("require_reference_vectors", "0", { $0.referenceVectorSets = 0 }),
        ]
        for (rule, value, change) in cases {
            let v = broken(change)
            #expect(v.count == 1 && v.first?.rule == rule && v.first?.value == value, "\(rule): \(v)")
            #expect(v.first?.code == "policy." + rule)
            #expect(v.first?.message.contains(rule + ":") == true && v.first?.message.contains("p.pave") == true)
        }
        // A signer that is not trusted does not count.
        #expect(broken { $0.verifiedSigners = [String(repeating: "e", count: 64)] }.first?.rule == "require_signature")
    }

    @Test func trustCheckVerifiesTheAdjacentSignatureWithTrustedKeys() throws {
        let dir = try ScratchDir()
        let (priv, _) = try dir.opensslKey("alice")
        let (_, malloryPub) = try dir.opensslKey("mallory")
        let file = try dir.bytes("p.pave", count: 5000)
        let manifest = Manifest(name: "p", version: "1")
        let policy = try TrustPolicy.load(contentsOf: try write(dir, #"{"trusted_keys": ["alice.pub"], "require_signature": true}"#))
        // Unsigned: the rule is broken, no signature problem.
        var r = TrustCheck.run(fileAt: file, manifest: manifest, policy: policy)
        #expect(r.violations.map(\.rule) == ["require_signature"] && r.signatureProblems.isEmpty)
        // Signed by alice: accepted.
        try PatchSigner.write(try PatchSigner.sign(fileAt: file, key: try SigningKey(contentsOf: priv)), to: TrustCheck.adjacentSignature(of: file))
        r = TrustCheck.run(fileAt: file, manifest: manifest, policy: policy)
        #expect(r.ok && r.signers.count == 1)
        // --key with another key: the signature does not verify with it, and the policy still accepts alice's.
        r = TrustCheck.run(fileAt: file, manifest: manifest, policy: .default, keys: [try VerifyingKey(contentsOf: malloryPub)])
        #expect(r.signatureProblems.map(\.kind) == [.keyMismatch])
    }
}
