import PaveCompose
import PaveFormat
import PaveModel

extension PatchVerifier {
    /// Step 4, composed files only (spec/composition.md §7): every member checked alone (its tensors against its
    /// manifest, its stored reference sets), then the stack's own sets run on the whole stack; with a base, every
    /// member (and a merged adapter) against it. An invalid `members` section is a failed `composition` check.
    func checkMembers(_ file: PaveFile, base: BaseSignature?, into report: inout PaveVerificationReport) {
        guard file.manifest[ComposeManifestKey.members] != nil else { return }
        let input = StackInput(file: file)
        do {
            try StackVerifier.verify(input, threads: policy.threads).record(into: &report)
        } catch let e as any PaveError {
            return report.record("composition", detail: "members section and stack compatibility", problems: [e])
        } catch {
            return report.record("composition", detail: "members section and stack compatibility",
                                 problems: [ComposeError.invalidMembers(file: file.path, detail: "\(error)")])
        }
        guard let base else { return }
        let stack: PatchStack
        do { stack = try PatchStack.load(input) } catch {
            return report.record("composition", detail: "members section and stack compatibility", problems: [error])
        }
        for (label, mismatches) in StackVerifier.baseMismatches(stack, against: base) {
            report.record("\(label) base.compatibility",
                          detail: "base \"\(base.name)\": " + (mismatches.isEmpty ? "fits" : "\(mismatches.count) mismatch(es); hint: maybe wrong base model?"),
                          problems: mismatches)
        }
    }
}
