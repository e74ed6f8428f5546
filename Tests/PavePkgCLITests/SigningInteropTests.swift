import Foundation
import PaveKit
import Testing

/// `pavepkg key/sign/verify` against the real OpenSSF Model Signing tool (PyPI model-signing 1.1.1 in
/// .venv-oms, made by scripts/oms-venv.sh) with keys made by openssl, in both directions.
struct SigningInteropTests {
    /// The `model_signing` executable; a missing venv FAILS the test with what to run.
    static func modelSigning() throws -> String {
        let path = ProcessInfo.processInfo.environment["PAVE_OMS_VENV"].map { $0 + "/bin/model_signing" }
            ?? CLI.root.appendingPathComponent(".venv-oms/bin/model_signing").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIError("model_signing not found at \(path): run scripts/oms-venv.sh (pip install model-signing==1.1.1 pyopenssl into .venv-oms)")
        }
        return path
    }

    static func external(_ executable: String, _ args: [String]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        p.arguments = executable.hasPrefix("/") ? args : [executable] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// An openssl key pair (SEC1 private key, SPKI public key).
    static func opensslKey(_ dir: TempDir, _ name: String, curve: String = "prime256v1") throws -> (priv: String, pub: String) {
        let priv = dir.path(name + ".pem"), pub = dir.path(name + ".pub")
        for args in [["ecparam", "-name", curve, "-genkey", "-noout", "-out", priv], ["ec", "-in", priv, "-pubout", "-out", pub]] {
            let r = try external("openssl", args)
            guard r.status == 0 else { throw CLIError("openssl \(args.joined(separator: " ")): \(r.stderr)") }
        }
        return (priv, pub)
    }

    /// samples/tiny.pave copied into `dir` as `name`.
    static func patch(_ dir: TempDir, _ name: String = "p.pave") throws -> String {
        let path = dir.path(name)
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("samples/tiny.pave").path, toPath: path)
        return path
    }

    /// The `code`s of the problems `pavepkg verify --json` reports.
    static func problemCodes(_ r: CLI.Result) throws -> [String] {
        try JSONValue.parse(Data(r.stdout.utf8))["problems"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
    }

    @Test(arguments: ["p256", "p384", "p521"])
    func modelSigningVerifiesPavepkgSignatures(curve: String) throws {
        let tool = try Self.modelSigning()
        let dir = try TempDir()
        let patch = try Self.patch(dir)
        let gen = try CLI.run(["key", "generate", "-o", dir.path("k"), "--curve", curve])
        #expect(gen.status == 0, "\(gen.stderr)")
        let sign = try CLI.run(["sign", patch, "--key", dir.path("k.pem")])
        #expect(sign.status == 0, "\(sign.stderr)")
        #expect(FileManager.default.fileExists(atPath: patch + ".sig"))
        let v = try Self.external(tool, ["verify", "key", "--signature", patch + ".sig", "--public_key", dir.path("k.pub"), patch])
        #expect(v.status == 0 && v.stdout.contains("Verification succeeded"), "\(v.stdout)\(v.stderr)")
        // A key made by openssl signs too, and -o puts the signature elsewhere.
        let (priv, pub) = try Self.opensslKey(dir, "ossl", curve: ["p256": "prime256v1", "p384": "secp384r1", "p521": "secp521r1"][curve] ?? "")
        #expect(try CLI.run(["sign", patch, "--key", priv, "-o", dir.path("other.sig")]).status == 0)
        let v2 = try Self.external(tool, ["verify", "key", "--signature", dir.path("other.sig"), "--public_key", pub, patch])
        #expect(v2.status == 0, "\(v2.stdout)\(v2.stderr)")
        // model_signing refuses a pavepkg signature of a changed file, as pavepkg does.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: patch)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: patch))
        let v3 = try Self.external(tool, ["verify", "key", "--signature", patch + ".sig", "--public_key", dir.path("k.pub"), patch])
        #expect(v3.status != 0)
    }

    @Test func pavepkgVerifiesModelSigningSignatures() throws {
        let tool = try Self.modelSigning()
        let dir = try TempDir()
        let patch = try Self.patch(dir)
        let (priv, pub) = try Self.opensslKey(dir, "alice")
        let s = try Self.external(tool, ["sign", "key", "--private_key", priv, "--signature", dir.path("ms.sig"), patch])
        #expect(s.status == 0, "\(s.stdout)\(s.stderr)")
        let v = try CLI.run(["verify", patch, "--signature", dir.path("ms.sig"), "--key", pub, "--json"])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let checks = try JSONValue.parse(Data(v.stdout.utf8))["checks"]?.arrayValue ?? []
        #expect(checks.contains { $0["name"]?.stringValue == "signature.oms" && $0["passed"]?.boolValue == true })
        // The FILE.sig beside the file is the default.
        try FileManager.default.copyItem(atPath: dir.path("ms.sig"), toPath: patch + ".sig")
        #expect(try CLI.run(["verify", patch, "--key", pub]).status == 0)
    }

    @Test func verifyRefusesEachTamperingWithItsOwnCode() throws {
        let tool = try Self.modelSigning()
        let dir = try TempDir()
        let patch = try Self.patch(dir)
        let (priv, pub) = try Self.opensslKey(dir, "alice")
        let (_, wrongPub) = try Self.opensslKey(dir, "mallory")
        #expect(try Self.external(tool, ["sign", "key", "--private_key", priv, "--signature", dir.path("good.sig"), patch]).status == 0)

        // Wrong key.
        let wrong = try CLI.run(["verify", patch, "--signature", dir.path("good.sig"), "--key", wrongPub, "--json"])
        #expect(try wrong.status == 1 && Self.problemCodes(wrong) == ["signing.key_mismatch"])

        // Extra field: refused by pavepkg by name, and by model_signing too.
        var bundle = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("good.sig")))) as? [String: Any] ?? [:]
        var envelope = bundle["dsseEnvelope"] as? [String: Any] ?? [:]
        envelope["note"] = "unsigned"
        bundle["dsseEnvelope"] = envelope
        try JSONSerialization.data(withJSONObject: bundle).write(to: URL(fileURLWithPath: dir.path("extra.sig")))
        let extra = try CLI.run(["verify", patch, "--signature", dir.path("extra.sig"), "--key", pub, "--json"])
        #expect(try extra.status == 1 && Self.problemCodes(extra) == ["signing.unknown_field"])
        #expect(extra.stdout.contains("dsseEnvelope.note"))
        #expect(try Self.external(tool, ["verify", "key", "--signature", dir.path("extra.sig"), "--public_key", pub, patch]).status != 0)

        // Swapped signature: the sig of a signature over another file, pasted in.
        let other = try Self.patch(dir, "other.pave")
        var otherBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: other)))
        otherBytes.append(0)  // another file: the same patch plus a trailing byte
        try Data(otherBytes).write(to: URL(fileURLWithPath: other))
        #expect(try Self.external(tool, ["sign", "key", "--private_key", priv, "--signature", dir.path("other.sig"), other]).status == 0)
        let otherBundle = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("other.sig")))) as? [String: Any] ?? [:]
        bundle = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("good.sig")))) as? [String: Any] ?? [:]
        envelope = bundle["dsseEnvelope"] as? [String: Any] ?? [:]
        envelope["signatures"] = (otherBundle["dsseEnvelope"] as? [String: Any])?["signatures"]
        bundle["dsseEnvelope"] = envelope
        try JSONSerialization.data(withJSONObject: bundle).write(to: URL(fileURLWithPath: dir.path("swapped.sig")))
        let swapped = try CLI.run(["verify", patch, "--signature", dir.path("swapped.sig"), "--key", pub, "--json"])
        #expect(try swapped.status == 1 && Self.problemCodes(swapped) == ["signing.bad_signature"])

        // A signature over another file.
        let otherFile = try CLI.run(["verify", patch, "--signature", dir.path("other.sig"), "--key", pub, "--json"])
        #expect(try otherFile.status == 1 && Self.problemCodes(otherFile) == ["signing.other_file"])

        // A changed file (a flipped byte in the last tensor's data).
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: patch)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: patch))
        let changed = try CLI.run(["verify", patch, "--signature", dir.path("good.sig"), "--key", pub, "--json"])
        #expect(try changed.status == 1 && Self.problemCodes(changed).contains("signing.digest_mismatch"), "\(changed.stdout)\(changed.stderr)")
    }
}
