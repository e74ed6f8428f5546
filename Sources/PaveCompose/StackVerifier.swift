import PaveExecutor
import PaveFormat
import PaveModel

/// The semantic and numerical part of `pavepkg verify` for a composed file (spec/composition.md §7): every
/// member checked alone with ``PatchVerification`` (its tensors against its manifest, then its stored sets),
/// then the stack's own sets run on the whole stack.
public enum StackVerifier {
    /// One member's result.
    public struct MemberResult: Sendable {
        public var name: String
        public var verification: PatchVerification
        /// What could not be checked and why (LoRA deltas of a merged member).
        public var skipped: [String]
    }

    /// What was checked.
    public struct Report: Sendable {
        public var members: [MemberResult]
        /// The stack's own sets, in manifest order.
        public var stackChecks: [ReferenceCheck]
        /// Stack sets that could not be run, by set name.
        public var stackErrors: [(set: String, error: any PaveError)]

        public var passed: Bool {
            members.allSatisfy(\.verification.passed) && stackErrors.isEmpty && stackChecks.allSatisfy(\.passed)
        }

        /// Adds one check line per member and per stack set to a `verify` report.
        public func record(into report: inout PaveVerificationReport) {
            for m in members {
                let v = m.verification
                let n = v.referenceChecks.count
                var detail = "\(n) reference set\(n == 1 ? "" : "s")" + (n > 0 ? " (max abs error \(StackVerifier.format(v.referenceChecks)))" : "")
                if !m.skipped.isEmpty { detail += "; skipped: " + m.skipped.joined(separator: "; ") }
                report.record("member \(m.name)", detail: detail, problems: v.errors)
            }
            for c in stackChecks {
                report.record("stack reference \(c.set)", detail: "max abs error \(StackVerifier.format([c])) (atol \(c.atol), rtol \(c.rtol))",
                              problems: c.error.map { [$0] } ?? [])
            }
            for (set, e) in stackErrors { report.record("stack reference \(set)", detail: "could not run", problems: [e]) }
        }
    }

    /// Checks a composed file: its `members` section, every member alone, then the stack's own sets.
    /// - Throws: ``ComposeError`` when the file is not a valid composed patch (bad `members`, incompatible members).
    public static func verify(_ input: StackInput, threads: Int? = nil) throws -> Report {
        let stack = try PatchStack.load(input)
        var members: [MemberResult] = []
        for m in stack.members {
            var manifest = m.manifest
            var skipped: [String] = []
            if m.loraMerged, m.declaredLoRA != nil {
                // Its factors (and the LoRA parts of its reference sets) were folded into the file's adapter.
                manifest[ManifestKey.lora] = nil
                var kept: [ReferenceVectorSet] = []
                for var set in m.referenceVectors {
                    if !set.loraModules.isEmpty { skipped.append("\(set.name): LoRA deltas of \(set.loraModules.count) module(s), merged") }
                    set.loraModules = []
                    if m.fusion != nil { kept.append(set) }
                }
                try manifest.encode(kept.isEmpty ? nil : kept, forKey: ManifestKey.referenceVectors)
            }
            members.append(MemberResult(name: m.name, verification: PatchVerification.verify(manifest: manifest, tensors: m.tensors, threads: threads),
                                        skipped: skipped))
        }
        let sets: [ReferenceVectorSet]
        do { sets = try input.manifest.decode([ReferenceVectorSet].self, forKey: StackReferenceVectors.manifestKey) ?? [] } catch {
            throw ComposeError.invalidMembers(file: input.path, detail: "'\(StackReferenceVectors.manifestKey)' is invalid: \(error)")
        }
        var checks: [ReferenceCheck] = [], errors: [(set: String, error: any PaveError)] = []
        if !sets.isEmpty {
            do {
                let exec = try StackExecutor(stack: stack, threads: threads)
                for set in sets {
                    do { checks.append(try ReferenceVectors.check(set, executor: exec, tensors: input.tensors)) } catch {
                        errors.append((set.name, paveError(error)))
                    }
                }
            } catch {
                errors = sets.map { ($0.name, paveError(error)) }
            }
        }
        return Report(members: members, stackChecks: checks, stackErrors: errors)
    }

    static func paveError(_ error: any Error) -> any PaveError {
        (error as? any PaveError) ?? ExecutorError.read(name: "(stack)", message: "\(error)")
    }

    static func format(_ checks: [ReferenceCheck]) -> String {
        let worst = checks.flatMap(\.outputs).map(\.maxAbsError).max() ?? 0
        return worst == 0 ? "0" : String(format: "%.3g", worst)
    }
}
