import Foundation
import PaveCompose
import PaveExecutor
import PaveFormat

extension PatchGate {
    /// The default per-file verification, as `pavepkg verify FILE` does without `--base`: the container
    /// (structure, digest, every hash, padding), patch semantics and every stored reference vector set, and
    /// for composed patches every member and the stack's own sets.
    public static let containerAndSemantics: FileVerifier = { url in
        let pave = try PaveFile.open(url)
        var report = try pave.verifyAll()
        report.path = url.relativePath
        if report.ok { PatchVerification.verify(manifest: pave.manifest, tensors: pave, threads: 1).record(into: &report) }
        if pave.manifest[ComposeManifestKey.members] != nil {
            do {
                try StackVerifier.verify(StackInput(file: pave)).record(into: &report)
            } catch let e as any PaveError {
                report.record("composition", detail: "members section and stack compatibility", problems: [e])
            }
        }
        return report
    }
}
