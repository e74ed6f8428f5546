import Foundation
import PaveFormat
import PavePipeline

extension PatchGate {
    /// The per-file verification of the gate: ``PatchVerifier`` with `policy` (by default
    /// ``VerificationPolicy/full``: container, semantics and reference vectors, base, composed members), each
    /// file's chunks decoded on `threads` threads (one when the gate runs files in parallel).
    public static func pipeline(_ policy: VerificationPolicy = .full, threads: Int) -> FileVerifier {
        let verifier = PatchVerifier(policy: policy.using(threads: max(1, threads)))
        return { url in
            var report = try verifier.verify(fileAt: url)
            report.path = url.relativePath
            return report
        }
    }
}
