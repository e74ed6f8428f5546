import Foundation
import PaveFormat
import PaveSigning

/// What `install` did with the signatures of one file.
public struct SignedInstallResult: Codable, Sendable, Equatable {
    /// The install itself.
    public var install: InstallResult
    /// The signatures kept with the patch.
    public var signatures: [StoredSignature]
    /// Key ids whose signatures verified (with a key given or a policy's trusted keys).
    public var verifiedSigners: [String]

    enum CodingKeys: String, CodingKey { case install, signatures, verifiedSigners = "verified_signers" }
}

extension Registry {
    /// `install FILE... [--signature SIG]...` under a trust policy: for each file, its signatures (`FILE.sig`
    /// beside it, and every given signature whose signed digest is that file's SHA-256) are checked with
    /// `keys` and the policy's trusted keys, the policy is applied, and only then are all files installed
    /// (all or none) and their signatures kept in the store.
    /// - Throws: ``TrustRefusal`` naming the file and every rule or signature check that failed;
    ///   ``SigningError`` `.otherFile` for a given signature that signs none of the files; the errors of
    ///   ``install(paths:base:)``.
    @discardableResult
    public func install(paths: [String], signatures: [URL], policy: TrustPolicy, keys: [VerifyingKey] = [],
                        base: BaseRequirement? = nil) throws -> [SignedInstallResult] {
        // Every file's SHA-256, once, in bounded memory.
        let digests = try paths.map { try FileHasher.sha256(of: URL(fileURLWithPath: $0)).digest }
        var given = Array(repeating: [URL](), count: paths.count)
        for sig in signatures {
            let parsed = try OMSSignature(contentsOf: sig)
            guard let signed = parsed.singleFileDigest, let i = digests.firstIndex(of: signed) else {
                throw SigningError(.otherFile, "\(sig.path) signs \"\(parsed.statement.subjectName)\", none of the files being installed (\(paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")))")
            }
            given[i].append(sig)
        }
        var perFile: [(signatures: [URL], signers: [String])] = []
        for (i, path) in paths.enumerated() {
            let url = URL(fileURLWithPath: path)
            let adjacent = TrustCheck.adjacentSignature(of: url)
            let sigs = given[i] + (FileManager.default.fileExists(atPath: adjacent.path) && !given[i].contains(adjacent) ? [adjacent] : [])
            var signers: [String] = []
            if policy.source != nil || !keys.isEmpty {
                let manifest = try PaveFile.open(URL(fileURLWithPath: path)).manifest
                let report = TrustCheck.run(fileAt: url, manifest: manifest, policy: policy, keys: keys, signatures: sigs, knownDigest: digests[i])
                guard report.ok else { throw TrustRefusal(path: path, report: report) }
                signers = report.signers.map(\.keyID)
            }
            perFile.append((sigs, signers))
        }
        let results = try install(paths: paths, base: base)
        var out: [SignedInstallResult] = []
        for (i, result) in results.enumerated() {
            let patch = try resolve(result.digest)
            var kept: [StoredSignature] = []
            for sig in perFile[i].signatures {
                let bytes = [UInt8](try Data(contentsOf: sig))
                // An already installed patch keeps its own bytes: check the signature against those.
                kept.append(try attachSignature(bytes, source: sig.path, to: patch, fileDigest: result.status == .installed ? digests[i] : nil))
            }
            out.append(SignedInstallResult(install: result, signatures: kept, verifiedSigners: perFile[i].signers))
        }
        return out
    }
}
