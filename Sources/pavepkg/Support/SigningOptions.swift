import ArgumentParser
import Foundation
import PaveKit

/// `verify [--key PUB] [--signature SIG]... [--policy FILE]`: OpenSSF Model Signing signatures of the file
/// (default FILE.sig beside it) as the check `signature.oms`, and the trust policy (default
/// PAVE_HOME/policy.json when it exists) as the check `policy`.
struct SigningOptions: ParsableArguments {
    @Option(help: "A signature to check (Sigstore bundle from pavepkg sign or model_signing sign key); default FILE.sig.")
    var signature: [String] = []

    @Option(help: "The signer's public key (PEM). With it, the signature must be there and verify.")
    var key: [String] = []

    @Option(help: "Trust policy file (default PAVE_HOME/policy.json when it exists).")
    var policy: String?

    func validate() throws {
        if !signature.isEmpty, key.isEmpty, policy == nil { throw ValidationError("--signature needs --key PUB (the signer's public key) or a --policy with trusted_keys") }
    }

    /// The policy in force: --policy, else PAVE_HOME/policy.json, else the default (accept everything).
    func loadPolicy() throws -> TrustPolicy {
        if let policy { return try TrustPolicy.load(contentsOf: URL(fileURLWithPath: policy)) }
        return try TrustPolicy.load(home: StoreLayout.fromEnvironment().home)
    }

    /// The --key files.
    func loadKeys() throws -> [VerifyingKey] { try key.map { try VerifyingKey(contentsOf: URL(fileURLWithPath: $0)) } }

    /// Adds `signature.oms` and `policy` to `report` for the file at `path`.
    func check(_ report: inout PaveVerificationReport, path: String, manifest: Manifest) throws {
        let policy = try loadPolicy()
        let keys = try loadKeys()
        guard !keys.isEmpty || policy.source != nil else { return }
        if !FileManager.default.fileExists(atPath: path), signature.isEmpty {
            // An installed NAME[:VERSION]: the signatures kept in the registry.
            let registry = try RegistryCLI.open()
            let patch = try registry.resolve(path)
            return try registry.trustReport(for: patch, manifest: manifest, policy: policy, keys: keys).record(into: &report, policy: policy)
        }
        let trust = TrustCheck.run(fileAt: URL(fileURLWithPath: path), manifest: manifest, policy: policy, keys: keys,
                                   signatures: signature.isEmpty ? nil : signature.map { URL(fileURLWithPath: $0) })
        trust.record(into: &report, policy: policy)
    }
}
