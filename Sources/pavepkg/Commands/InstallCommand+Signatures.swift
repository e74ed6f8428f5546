import Foundation
import PaveKit

extension InstallCommand {
    /// Installs under the trust policy (--policy, else PAVE_HOME/policy.json, else accept everything), checking
    /// signatures with --key and the policy's trusted keys, and keeps the signatures in the registry.
    func installSigned(_ registry: Registry) throws -> [SignedInstallResult] {
        let trust = try policy.map { try TrustPolicy.load(contentsOf: URL(fileURLWithPath: $0)) } ?? TrustPolicy.load(home: registry.layout.home)
        let keys = try key.map { try VerifyingKey(contentsOf: URL(fileURLWithPath: $0)) }
        return try registry.install(paths: files, signatures: signature.map { URL(fileURLWithPath: $0) }, policy: trust, keys: keys,
                                    base: try RegistryCLI.base(base))
    }

    /// One line per kept signature.
    func printSignatures(_ result: SignedInstallResult) {
        for s in result.signatures {
            let verified = s.keyID.map(result.verifiedSigners.contains) == true ? "verified" : "kept, key not checked"
            print("  signature by key \(s.keyID.map { String($0.prefix(16)) + "…" } ?? "(no hint)") (\(verified))")
        }
    }
}
