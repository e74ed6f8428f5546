import PaveFormat

extension TrustPolicy {
    /// Every rule `subject` breaks, in the order of ``keys``; empty when the policy accepts it.
    public func evaluate(_ subject: PolicySubject) -> [PolicyViolation] {
        var out: [PolicyViolation] = []
        let under = source.map { " (policy \($0))" } ?? ""
        func list(_ set: Set<String>) -> String { set.sorted().joined(separator: ", ") }
        if requireSignature, !subject.verifiedSigners.contains(where: { trustedKey(id: $0) != nil }) {
            let found = subject.verifiedSigners + subject.otherSigners
            let value = found.isEmpty ? "unsigned" : found.map { String($0.prefix(16)) + "…" }.joined(separator: ", ")
            out.append(PolicyViolation(rule: "require_signature", value: value,
                message: "\(subject.path): require_signature: no valid signature by a trusted key (found: \(found.isEmpty ? "none" : "signatures by " + value)); trusted: \(trustedKeys.map { String($0.keyID.prefix(16)) + "…" }.joined(separator: ", "))\(under)"))
        }
        if let allowedBases {
            let base = subject.baseStructuralSignature
            if base.flatMap(PaveFormat.Digest.init(parsing:)).map(allowedBases.contains) != true {
                out.append(PolicyViolation(rule: "allowed_bases", value: base ?? "none",
                    message: "\(subject.path): allowed_bases: base structural signature \(base ?? "(none declared)") is not allowed; allowed: \(allowedBases.sorted().map(\.description).joined(separator: ", "))\(under)"))
            }
        }
        if let allowedSideChannels, let kind = subject.sideChannel, !allowedSideChannels.contains(kind) {
            out.append(PolicyViolation(rule: "allowed_side_channels", value: kind,
                message: "\(subject.path): allowed_side_channels: side channel \"\(kind)\" is not allowed; allowed: \(list(allowedSideChannels))\(under)"))
        }
        if let licenses, !(subject.license.map(licenses.contains) ?? false) {
            let value = subject.license ?? "none"
            out.append(PolicyViolation(rule: "licenses", value: value,
                message: "\(subject.path): licenses: license \(subject.license.map { "\"\($0)\"" } ?? "(none declared)") is not allowed; allowed: \(list(licenses))\(under)"))
        }
        if let maxSize, subject.size > maxSize {
            out.append(PolicyViolation(rule: "max_size", value: String(subject.size),
                message: "\(subject.path): max_size: \(subject.size) bytes exceeds the limit of \(maxSize) bytes\(under)"))
        }
        if requireReferenceVectors, subject.referenceVectorSets == 0 {
            out.append(PolicyViolation(rule: "require_reference_vectors", value: "0",
                message: "\(subject.path): require_reference_vectors: the patch carries no reference vector set\(under)"))
        }
        return out
    }
}
