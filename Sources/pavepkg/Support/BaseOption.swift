import ArgumentParser
import Foundation
import PaveKit

/// `verify --base SIG.json|MODEL`: checks the patch against that base. Logic lives in PaveModel
/// (`BaseSignature`, `BaseReference`, `BaseCompatibility`); spec/base-signature.md §7–§8.
struct BaseOption: ParsableArguments {
    @Option(name: .customLong("base"), help: ArgumentHelp(
        "Base model: a signature file from `pavepkg signature` or a model directory.", valueName: "SIG.json|MODEL"))
    var base: String?
}

/// `pack --base SIG.json|MODEL [--pin-content]`: records the manifest's `base` section.
struct PackBaseOptions: ParsableArguments {
    @OptionGroup var baseOption: BaseOption

    @Flag(name: .customLong("pin-content"), help: "With --base MODEL: also pin the base's content fingerprint (reads the covered tensors' bytes). A signature file pins its fingerprint when it has one.")
    var pinContent = false

    /// pack: records `base` in the manifest and adds a check that the tensors fit it (refusing to write a patch
    /// that does not fit the base it declares). A signature file with a content fingerprint pins it.
    func record(into plan: inout PackPlan) throws {
        guard let base = baseOption.base else { return }
        let url = URL(fileURLWithPath: base)
        let signature = try BaseSignature.load(signatureOrModel: url, content: pinContent)
        try plan.manifest.setBaseReference(BaseReference(signature: signature))
        plan.checks.append(PackCheck(name: "base.compatibility") { plan in
            let shapes = Dictionary(plan.tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
            try BaseCompatibility.require(manifest: plan.manifest, tensorShapes: shapes, against: signature)
        })
    }
}

extension BaseOption {
    /// verify: checks the declared `base` section and, with `--base`, every shape against that base; records
    /// one problem per mismatch (code `base.<kind>`), so the report lists them all.
    func check(_ report: inout PaveVerificationReport, _ pave: PaveFile) throws {
        var declared: BaseReference?
        do { declared = try pave.manifest.baseReference() } catch {
            report.record("base.section", detail: "manifest section \"base\"", problems: [
                BaseMismatch(kind: .invalidManifest, subject: "base", message: "manifest section \"base\" is malformed: \(error)")])
            return
        }
        if let declared, base == nil {
            let problems = declared.problems.map { BaseMismatch(kind: .invalidManifest, subject: "base", message: $0) }
            report.record("base.section", detail: "declares base \"\(declared.name)\" \(declared.structuralSignature ?? "(no signature)")", problems: problems)
        }
        guard let base else { return }
        let signature = try BaseSignature.load(signatureOrModel: URL(fileURLWithPath: base), content: declared?.contentFingerprint != nil)
        let shapes = Dictionary(pave.entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        let mismatches = BaseCompatibility.check(manifest: pave.manifest, tensorShapes: shapes, against: signature)
        var detail = "base \"\(signature.name)\" \(signature.structuralSignature)"
        if mismatches.isEmpty {
            detail += ": fits"
        } else {
            detail += ": \(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es"); hint: maybe wrong base model?"
            if let declared, declared.name != signature.name { detail += " the patch was made for \"\(declared.name)\"" }
        }
        report.record("base.compatibility", detail: detail, problems: mismatches)
    }
}
