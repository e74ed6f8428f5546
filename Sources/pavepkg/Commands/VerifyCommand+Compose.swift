import Foundation
import PaveKit

extension VerifyCommand {
    /// Composed patches (spec/composition.md §7): every member checked alone (its tensors against its manifest,
    /// its stored reference sets), then the stack's own reference sets on the whole stack. No-op for other files.
    func verifyComposed(_ report: inout PaveVerificationReport, _ pave: PaveFile) throws {
        guard pave.manifest[ComposeManifestKey.members] != nil else { return }
        do {
            try StackVerifier.verify(StackInput(file: pave)).record(into: &report)
        } catch let e as any PaveError {
            report.record("composition", detail: "members section and stack compatibility", problems: [e])
        }
    }
}
