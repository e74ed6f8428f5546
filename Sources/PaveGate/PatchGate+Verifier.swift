import Foundation
import PaveCompose
import PaveExecutor
import PaveFormat

extension PatchGate {
    /// The default per-file verification, as `pavepkg verify FILE` does without `--base`: the container
    /// (structure, digest, every hash, padding), patch semantics and every stored reference vector set, and
    /// for composed patches every member and the stack's own sets. Each file's chunks are decoded on `threads`
    /// threads (one when the gate runs files in parallel).
    public static func containerAndSemantics(threads: Int) -> FileVerifier {
        { url in try verifyFile(url, threads: threads) }
    }

    static func verifyFile(_ url: URL, threads: Int) throws -> PaveVerificationReport {
        let pave = try PaveFile.open(url, threads: max(1, threads))
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
