import Foundation
import PaveFormat

/// The signature and policy verdict on one `.pave` file: which signatures verified with which keys, which did
/// not (each with its code), and which policy rules the file breaks.
public struct TrustReport: Sendable {
    /// Signatures that verified, with the signer's key.
    public var signers: [VerifiedSignature] = []
    /// Signatures that were refused (format, key, signature or digest), or a missing signature file.
    public var signatureProblems: [SigningError] = []
    /// Rules of the policy the file breaks.
    public var violations: [PolicyViolation] = []
    /// Signature files looked at.
    public var signatureFiles: [String] = []
    /// Key ids of signatures by keys neither given nor trusted: not checked, and they do not count.
    public var untrustedSigners: [String] = []

    /// Whether everything held.
    public var ok: Bool { signatureProblems.isEmpty && violations.isEmpty }

    /// Adds the checks `signature.oms` (when signatures were checked) and `policy` (when a policy applies)
    /// to `report`.
    public func record(into report: inout PaveVerificationReport, policy: TrustPolicy) {
        if !signatureFiles.isEmpty || !signatureProblems.isEmpty {
            let who = signers.map { "\($0.keyID.prefix(16))… (\($0.curve.rawValue))" }.joined(separator: ", ")
            let files = signatureFiles.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
            report.record("signature.oms", detail: signers.isEmpty ? (files.isEmpty ? "no signature" : files) : "\(files): signed by \(who)",
                          problems: signatureProblems)
        }
        if let source = policy.source {
            report.record("policy", detail: violations.isEmpty ? "\(URL(fileURLWithPath: source).lastPathComponent): all rules hold" : "\(violations.count) rule(s) broken",
                          problems: violations)
        }
    }
}

/// Checks a file's OMS signatures with the given keys and applies a trust policy: the library call behind
/// `verify --key/--signature/--policy`, `install` and the CI gate.
public enum TrustCheck {
    /// The signature beside a file: `FILE.sig`.
    public static func adjacentSignature(of url: URL) -> URL { URL(fileURLWithPath: url.path + ".sig") }

    /// Verifies `signatures` (default: `FILE.sig` when it exists) over the file at `url` with `keys` plus the
    /// policy's trusted keys, then evaluates `policy` on `manifest` and the verified signers.
    /// - Parameters:
    ///   - keys: keys given directly (`--key`); with them a signature must be there and verify.
    ///   - knownDigest: the file's SHA-256 when the caller has it (else hashed here, once, in bounded memory).
    ///   - knownSize: the file's size when `url` is not a file on disk (an installed patch).
    public static func run(fileAt url: URL, manifest: Manifest, policy: TrustPolicy, keys: [VerifyingKey] = [],
                           signatures: [URL]? = nil, knownDigest: PaveFormat.Digest? = nil, knownSize: Int? = nil) -> TrustReport {
        var report = TrustReport()
        let candidates = keys + policy.trustedKeys.map(\.key)
        let sigs = signatures ?? [adjacentSignature(of: url)].filter { FileManager.default.fileExists(atPath: $0.path) }
        report.signatureFiles = sigs.map(\.path)
        if !keys.isEmpty, sigs.isEmpty {
            report.signatureProblems.append(SigningError(.io, "\(url.lastPathComponent): no signature to check (expected \(adjacentSignature(of: url).lastPathComponent) beside it)"))
        }
        var digest = knownDigest
        let size = knownSize ?? (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        if !candidates.isEmpty {
            for sig in sigs {
                let parsed: OMSSignature
                do { parsed = try OMSSignature(contentsOf: sig) } catch {
                    report.signatureProblems.append(error)
                    continue
                }
                // Under a policy alone, a signature by a key it does not trust is someone else's: it does not count.
                if keys.isEmpty, let hint = parsed.keyHint, !hint.isEmpty, !candidates.contains(where: { $0.keyID == hint }) {
                    report.untrustedSigners.append(hint)
                    continue
                }
                switch check(parsed, fileAt: url, digest: &digest, candidates: candidates, direct: keys) {
                case let .success(v): report.signers.append(v)
                case let .failure(e): report.signatureProblems.append(e)
                }
            }
        }
        let subject = PolicySubject(path: url.lastPathComponent, size: size, manifest: manifest,
                                    verifiedSigners: report.signers.map(\.keyID), otherSigners: report.untrustedSigners)
        report.violations = policy.evaluate(subject)
        return report
    }

    /// Hashes the file once (keeping the digest for the next signature) and verifies `sig`.
    static func check(_ sig: OMSSignature, fileAt url: URL, digest: inout PaveFormat.Digest?, candidates: [VerifyingKey], direct: [VerifyingKey]) -> Result<VerifiedSignature, SigningError> {
        do {
            if digest == nil { digest = try FileHasher.sha256(of: url).digest }
            return .success(try verify(sig, fileAt: url, digest: digest, with: candidates, direct: direct))
        } catch {
            return .failure(error)
        }
    }

    /// Verifies one parsed signature with the candidate key its hint names (or, without a hint, the first
    /// candidate it verifies with).
    static func verify(_ sig: OMSSignature, fileAt url: URL, digest: PaveFormat.Digest?, with candidates: [VerifyingKey], direct: [VerifyingKey]) throws(SigningError) -> VerifiedSignature {
        if let hint = sig.keyHint, !hint.isEmpty {
            guard let key = candidates.first(where: { $0.keyID == hint }) else {
                // Report against the key the user gave, so the message says which one was expected.
                let expected = (direct.first ?? candidates[0])
                try sig.checkSigned(by: expected)
                return try SignatureVerifier.verify(fileAt: url, signature: sig, key: expected, knownDigest: digest)
            }
            return try SignatureVerifier.verify(fileAt: url, signature: sig, key: key, knownDigest: digest)
        }
        var last: SigningError?
        for key in candidates {
            do { return try SignatureVerifier.verify(fileAt: url, signature: sig, key: key, knownDigest: digest) } catch { last = error }
        }
        throw last ?? SigningError(.badSignature, "\(sig.source): no key to check it with")
    }
}
