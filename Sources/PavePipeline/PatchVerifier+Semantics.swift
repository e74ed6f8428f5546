import PaveExecutor
import PaveFormat
import PaveModel

extension PatchVerifier {
    /// Step 2: the tensors against the declared patch semantics, then every stored reference vector set run
    /// through the executor (``PatchVerification``). Nothing for a file that declares no PAVE patch.
    func checkSemantics(_ file: PaveFile, into report: inout PaveVerificationReport) {
        PatchVerification.verify(manifest: file.manifest, tensors: file, threads: policy.threads).record(into: &report)
    }
}
