import Foundation
import PaveFormat
import PaveModel

extension PatchVerification {
    /// Adds the checks to a `verify` report: `patch.semantics`, then one `reference.<set>.<output>` check per
    /// compared output (detail: max abs / rel error, elements out of tolerance; a failure names the worst
    /// element), and the structured results under `numerics.reference_vectors`. Nothing for a non-PAVE file.
    public func record(into report: inout PaveVerificationReport) {
        guard isPAVEPatch else { return }
        report.record("patch.semantics", detail: semanticsError == nil ? "tensors match the declared fusion / LoRA / reference sets" : "tensors or sections do not match",
                      problems: semanticsError.map { [$0] } ?? [])
        for check in referenceChecks {
            for o in check.outputs {
                let name = o.tensor.hasPrefix(check.tensorPrefix) ? String(o.tensor.dropFirst(check.tensorPrefix.count)) : o.tensor
                let count = o.shape.reduce(1, *)
                let detail = String(format: "max abs error %.3g, max rel error %.3g, %d of %d elements out of tolerance (atol %g, rtol %g)",
                                    o.maxAbsError, o.maxRelError, o.failures, count, check.atol, check.rtol)
                report.record("reference.\(check.set).\(name)", detail: detail, problems: check.error(for: o).map { [$0] } ?? [])
            }
        }
        for (set, error) in referenceErrors {
            report.record("reference.\(set)", detail: "the set could not be run", problems: [error])
        }
        if semanticsError == nil, referenceChecks.isEmpty, referenceErrors.isEmpty {
            report.record("reference", detail: "no reference vector sets stored")
        }
        if !referenceChecks.isEmpty, let json = try? JSONValue.from(referenceChecks) {
            var numerics = report.numerics?.objectValue ?? [:]
            numerics["reference_vectors"] = json
            report.numerics = .object(numerics)
        }
    }
}
