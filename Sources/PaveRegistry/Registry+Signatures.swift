import Foundation
import PaveFormat
import PaveSigning
@preconcurrency import Crypto

/// An OMS signature kept with an installed patch.
public struct StoredSignature: Codable, Sendable, Equatable {
    /// Where the bundle is stored (`PAVE_HOME/signatures/<patch hex>/<bundle sha256>.sig`).
    public var path: String
    /// The key id the bundle names (its `publicKey.hint`); `nil` when it has none.
    public var keyID: String?
    /// SHA-256 of the signed file (the installed `.pave`).
    public var fileSHA256: String

    enum CodingKeys: String, CodingKey { case path, keyID = "key_id", fileSHA256 = "file_sha256" }
}

/// Signatures of installed patches (issue 12): OMS bundles kept as files under `PAVE_HOME/signatures/`, one
/// folder per patch digest, each bundle named after its own SHA-256 (the same signature is kept once).
/// A bundle is only kept when it signs exactly the installed file's bytes.
extension Registry {
    /// `PAVE_HOME/signatures`.
    public var signaturesDirectory: URL { layout.home.appendingPathComponent("signatures") }

    func signatureFolder(patchDigest: String) throws -> URL {
        guard let d = PaveFormat.Digest(parsing: patchDigest) else {
            throw SigningError(.malformedBundle, "\(patchDigest) is not a patch digest")
        }
        return signaturesDirectory.appendingPathComponent(d.hex)
    }

    /// SHA-256 of the installed patch's file, streamed from the store in 1 MiB pieces.
    public func fileSHA256(of patch: InstalledPatch) throws -> PaveFormat.Digest {
        let source = try source(for: patch)
        var hasher = SHA256Stream()
        var offset = 0
        while offset < source.size {
            let n = min(FileHasher.bufferSize, source.size - offset)
            hasher.update(try source.read(at: offset, count: n))
            offset += n
        }
        return hasher.finalize()
    }

    /// Keeps `bundle` with the installed `patch` after checking that it is an OMS signature over exactly the
    /// installed file (its SHA-256, `fileDigest` when the caller has it). The key is not checked here: the
    /// key id is recorded, and trust is decided when a policy or a key is given.
    /// - Throws: ``SigningError`` for a malformed bundle or one over another file.
    @discardableResult
    public func attachSignature(_ bundle: [UInt8], source: String, to patch: InstalledPatch, fileDigest: PaveFormat.Digest? = nil) throws -> StoredSignature {
        let signature = try OMSSignature(bytes: bundle, source: source)
        let digest = try fileDigest ?? fileSHA256(of: patch)
        try signature.checkCovers(fileName: signature.statement.subjectName == patch.reference ? patch.reference : "\(patch.reference) (installed)", digest: digest)
        let folder = try signatureFolder(patchDigest: patch.digest)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(PaveFormat.Digest(of: bundle).hex + ".sig")
        if !FileManager.default.fileExists(atPath: url.path) { try AtomicFileWriter.write(Data(bundle), to: url) }
        return StoredSignature(path: url.path, keyID: signature.keyHint, fileSHA256: digest.hex)
    }

    /// The signatures kept with `patch`, in file-name order (unreadable or foreign files are skipped).
    public func signatures(of patch: InstalledPatch) throws -> [StoredSignature] {
        let folder = try signatureFolder(patchDigest: patch.digest)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sig") }.sorted()
        return names.compactMap { name in
            let url = folder.appendingPathComponent(name)
            guard let sig = try? OMSSignature(contentsOf: url), let d = sig.singleFileDigest else { return nil }
            return StoredSignature(path: url.path, keyID: sig.keyHint, fileSHA256: d.hex)
        }
    }

    /// Drops the signatures of a removed patch.
    func removeSignatures(patchDigest: String) {
        guard let folder = try? signatureFolder(patchDigest: patchDigest) else { return }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A running SHA-256 producing a ``PaveFormat/Digest``.
struct SHA256Stream {
    private var hasher = Crypto.SHA256()
    mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    func finalize() -> PaveFormat.Digest { PaveFormat.Digest(finalizing: hasher) }
}

extension Registry {
    /// The key ids that signed each installed patch that has signatures, by patch digest (`sha256:<hex>`):
    /// one listing of `PAVE_HOME/signatures`, so `list` stays fast with many unsigned patches.
    public func signersByPatch() -> [String: [String]] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: signaturesDirectory.path)) ?? []
        var out: [String: [String]] = [:]
        for hex in folders {
            guard let digest = PaveFormat.Digest(hex: hex) else { continue }
            let folder = signaturesDirectory.appendingPathComponent(hex)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sig") }.sorted()
            let keys = names.compactMap { (try? OMSSignature(contentsOf: folder.appendingPathComponent($0)))?.keyHint ?? nil }
            if !keys.isEmpty { out[digest.description] = Array(Set(keys)).sorted() }
        }
        return out
    }
}

extension Registry {
    /// The signature and policy verdict on an installed patch: its kept signatures checked with `keys` and the
    /// policy's trusted keys against the installed file's SHA-256 (streamed from the store), then the policy.
    public func trustReport(for patch: InstalledPatch, manifest: Manifest, policy: TrustPolicy, keys: [VerifyingKey]) throws -> TrustReport {
        let stored = try signatures(of: patch).map { URL(fileURLWithPath: $0.path) }
        let digest = try fileSHA256(of: patch)
        var report = TrustCheck.run(fileAt: URL(fileURLWithPath: "\(patch.name)-\(patch.version).pave"), manifest: manifest, policy: policy,
                                    keys: keys, signatures: stored, knownDigest: digest, knownSize: patch.size)
        if !keys.isEmpty, stored.isEmpty {
            report.signatureProblems = [SigningError(.io, "\(patch.reference) has no signature in the registry (sign the installed patch, or install it again with its signature)")]
        }
        return report
    }
}
