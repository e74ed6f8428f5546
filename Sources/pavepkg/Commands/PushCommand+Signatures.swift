import Foundation
import PaveKit

extension PushCommand {
    /// After a push (issue 12): the patch's signatures (kept in the registry for an installed patch, `FILE.sig`
    /// beside a file) are attached to the pushed manifest as OCI referrers (`sha256-<hex>` tag fallback where
    /// the registry has no referrers API). Returns how many.
    func pushSignatures(client: RegistryClient, manifestDigest: String) throws -> Int {
        var bundles: [[UInt8]] = []
        if PatchLocator.looksLikePath(patch) {
            let sig = TrustCheck.adjacentSignature(of: URL(fileURLWithPath: patch))
            if FileManager.default.fileExists(atPath: sig.path) { bundles.append([UInt8](try Data(contentsOf: sig))) }
        } else {
            let registry = try RegistryCLI.open()
            for s in try registry.signatures(of: try registry.resolve(patch)) { bundles.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: s.path)))) }
        }
        guard !bundles.isEmpty, let digest = Digest(parsing: manifestDigest) else { return 0 }
        var target = reference
        target.digest = digest
        for b in bundles { try client.attachSignature(b, to: target) }
        return bundles.count
    }
}
