import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg sign PATCH --key KEY.pem [-o PATCH.sig]`: an OpenSSF Model Signing signature (Sigstore bundle v0.3)
/// that `model_signing verify key` accepts.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a patch in the OpenSSF Model Signing format (Sigstore bundle, DSSE, in-toto).",
        discussion: """
            PATCH is a .pave file (the signature goes to PATCH.sig unless -o says otherwise), an installed \
            NAME[:VERSION] (the signature is kept in the registry, and written to -o when given), or a pushed \
            REGISTRY/REPO:TAG that is installed here (the signature is also attached to it as an OCI referrer). \
            Verify with `pavepkg verify PATCH --key KEY.pub` or `model_signing verify key --signature PATCH.sig \
            --public_key KEY.pub PATCH`.
            """)

    @Argument(help: "The .pave file, or an installed NAME[:VERSION] or digest prefix.")
    var patch: String

    @Option(help: "The private key (PEM: EC PRIVATE KEY or PRIVATE KEY, P-256/P-384/P-521).")
    var key: String

    @Option(name: .shortAndLong, help: "Where to write the signature (default: PATCH.sig beside a file).")
    var output: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let signingKey = try SigningKey(contentsOf: URL(fileURLWithPath: key))
            let written = try signPatch(with: signingKey)
            if json {
                return CLIOutput.printJSON(.object(["signature": .string(written.location), "key_id": .string(signingKey.publicKey.keyID),
                                                    "sha256": .string(written.digest.hex), "patch": .string(patch)]))
            }
            print("signed \(patch) (sha256 \(written.digest.hex.prefix(16))…) with key \(signingKey.publicKey.keyID.prefix(16))…: \(written.location)")
        }
    }

    /// Signs the file, or the installed patch (SignCommand+Installed.swift).
    private func signPatch(with signingKey: SigningKey) throws -> (location: String, digest: Digest) {
        if let pushed = try signPushed(with: signingKey) { return pushed }  // SignCommand+Remote.swift
        if let path = try PatchArgument.path(patch) {
            let url = URL(fileURLWithPath: path)
            let digest = try FileHasher.sha256(of: url).digest
            let bundle = try PatchSigner.sign(fileAt: url, key: signingKey, knownDigest: digest)
            let out = URL(fileURLWithPath: output ?? path + ".sig")
            try PatchSigner.write(bundle, to: out)
            return (out.path, digest)
        }
        return try signInstalled(with: signingKey)
    }
}
