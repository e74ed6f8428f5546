import ArgumentParser
import Foundation
import PaveKit

/// `verify --key PUB [--signature SIG]`: checks an OpenSSF Model Signing signature of the file (default
/// FILE.sig beside it) as the check `signature.oms`.
struct SigningOptions: ParsableArguments {
    @Option(help: "The signature to check (Sigstore bundle from pavepkg sign or model_signing sign key); default FILE.sig.")
    var signature: String?

    @Option(help: "The signer's public key (PEM). With it, the signature is checked.")
    var key: String?

    func validate() throws {
        if signature != nil, key == nil { throw ValidationError("--signature needs --key PUB (the signer's public key)") }
    }

    /// Adds the check `signature.oms` to `report` for the file at `path` (nothing without --key).
    func check(_ report: inout PaveVerificationReport, path: String) throws {
        guard let key else { return }
        let publicKey = try VerifyingKey(contentsOf: URL(fileURLWithPath: key))
        let sig = URL(fileURLWithPath: signature ?? path + ".sig")
        do {
            let v = try SignatureVerifier.verify(fileAt: URL(fileURLWithPath: path), signatureAt: sig, key: publicKey)
            report.record("signature.oms", detail: "\(sig.lastPathComponent): signed by key \(v.keyID.prefix(16))… (\(v.curve.rawValue)), sha256 \(v.fileDigest.hex.prefix(16))…", problems: [])
        } catch {
            report.record("signature.oms", detail: sig.lastPathComponent, problems: [error])
        }
    }
}
