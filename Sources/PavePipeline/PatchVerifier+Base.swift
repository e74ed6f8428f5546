import PaveCompose
import PaveFormat
import PaveModel

extension PatchVerifier {
    /// Step 3: the declared `base` section (`base.section`, without a base to check against) or, with the
    /// policy's base, every shape and pin against that base (`base.compatibility`, one problem per mismatch).
    /// Returns the loaded base signature for the member checks.
    /// - Throws: ``BaseSignatureError`` when the policy's base cannot be loaded.
    func checkBase(_ file: PaveFile, into report: inout PaveVerificationReport) throws -> BaseSignature? {
        var declared: BaseReference?
        do { declared = try file.manifest.baseReference() } catch {
            report.record("base.section", detail: "manifest section \"base\"", problems: [
                BaseMismatch(kind: .invalidManifest, subject: "base", message: "manifest section \"base\" is malformed: \(error)")])
            return try loadBase(file, declared: nil)
        }
        guard policy.base != nil else {
            if let declared, policy.depth >= .semantics {
                let problems = declared.problems.map { BaseMismatch(kind: .invalidManifest, subject: "base", message: $0) }
                report.record("base.section", detail: "declares base \"\(declared.name)\" \(declared.structuralSignature ?? "(no signature)")", problems: problems)
            }
            return nil
        }
        guard let signature = try loadBase(file, declared: declared) else { return nil }
        let mismatches = BaseCompatibility.check(manifest: file.manifest, tensorShapes: Self.shapes(file), against: signature)
        var detail = "base \"\(signature.name)\" \(signature.structuralSignature)"
        if mismatches.isEmpty {
            detail += ": fits"
        } else {
            detail += ": \(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es"); hint: maybe wrong base model?"
            if let declared, declared.name != signature.name { detail += " the patch was made for \"\(declared.name)\"" }
        }
        report.record("base.compatibility", detail: detail, problems: mismatches)
        return signature
    }

    /// The policy's base, with its content fingerprint when the patch (or one of its members) pins one.
    func loadBase(_ file: PaveFile, declared: BaseReference?) throws -> BaseSignature? {
        guard let source = policy.base else { return nil }
        return try source.load(content: declared?.contentFingerprint != nil || Self.membersPinContent(file.manifest))
    }

    /// Whether a member of a composed manifest pins its base's content fingerprint.
    static func membersPinContent(_ manifest: Manifest) -> Bool {
        guard let members = manifest[ComposeManifestKey.members]?.arrayValue else { return false }
        return members.contains { member in
            guard let fields = member["manifest"]?.objectValue else { return false }
            return ((try? Manifest(fields: fields).baseReference()) ?? nil)?.contentFingerprint != nil
        }
    }

    /// Every tensor's shape, by name.
    static func shapes(_ file: PaveFile) -> [String: [Int]] {
        Dictionary(file.entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
    }
}
