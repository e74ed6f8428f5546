import Foundation
import PaveKit

extension VerifyCommand {
    /// Composed patches (spec/composition.md §7): every member checked alone (its tensors against its manifest,
    /// its stored reference sets), then the stack's own reference sets on the whole stack. No-op for other files.
    func verifyComposed(_ report: inout PaveVerificationReport, _ pave: PaveFile) throws {
        guard pave.manifest[ComposeManifestKey.members] != nil else { return }
        let input = StackInput(file: pave)
        do {
            try StackVerifier.verify(input).record(into: &report)
        } catch let e as any PaveError {
            return report.record("composition", detail: "members section and stack compatibility", problems: [e])
        }
        // With --base: every member, and the merged adapter, against that base.
        guard let base = baseOption.base else { return }
        let stack = try PatchStack.load(input)
        let pinsContent = stack.members.contains { ((try? $0.manifest.baseReference()) ?? nil)?.contentFingerprint != nil }
        let signature = try BaseSignature.load(signatureOrModel: URL(fileURLWithPath: base), content: pinsContent)
        for (label, mismatches) in StackVerifier.baseMismatches(stack, against: signature) {
            report.record("\(label) base.compatibility",
                          detail: "base \"\(signature.name)\": " + (mismatches.isEmpty ? "fits" : "\(mismatches.count) mismatch(es); hint: maybe wrong base model?"),
                          problems: mismatches)
        }
    }
}
