import Foundation
import PaveKit

extension PullCommand {
    /// After a pull (issue 12): the signatures attached to the manifest are fetched and kept with the installed
    /// patch (or written as OUTPUT.sig with -o), then the trust policy is applied; a patch the policy refuses is
    /// removed again and the refusal reported. Returns how many signatures were kept.
    func pullSignatures(client: RegistryClient, report: PullReport) throws -> Int {
        guard let digest = Digest(parsing: report.digest) else { return 0 }
        let bundles = try client.signatures(of: digest, in: reference.repository)
        if let output = report.output {
            if let first = bundles.first { try PatchSigner.write(first, to: TrustCheck.adjacentSignature(of: URL(fileURLWithPath: output))) }
            return min(bundles.count, 1)
        }
        let registry = try RegistryCLI.open()
        let patch = try registry.resolve(report.patchDigest)
        let fileDigest = try registry.fileSHA256(of: patch)
        var kept = 0
        for b in bundles where (try? registry.attachSignature(b, source: "\(reference) referrer", to: patch, fileDigest: fileDigest)) != nil { kept += 1 }
        let policy = try TrustPolicy.load(home: registry.layout.home)
        if policy.source != nil {
            let detail = try registry.show(patch.reference)
            let trust = try registry.trustReport(for: patch, manifest: Manifest(fields: detail.manifest.objectValue ?? [:]), policy: policy, keys: [])
            if !trust.ok, report.installed?.status == .installed {
                _ = try registry.remove(patch.reference)
                throw TrustRefusal(path: "\(reference)", report: trust)
            }
        }
        return kept
    }
}
