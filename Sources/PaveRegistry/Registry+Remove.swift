import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `remove` did.
public struct RemoveResult: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var digest: String
    /// Blobs no other installed patch used, deleted with it, and their bytes.
    public var freedBlobs: Int
    public var freedBytes: Int
    enum CodingKeys: String, CodingKey { case name, version, digest, freedBlobs = "freed_blobs", freedBytes = "freed_bytes" }
}

extension Registry {
    /// Uninstalls the patch `reference` names (`NAME:VERSION`, `NAME` when only one version is installed,
    /// or a digest prefix) and deletes the blobs no other installed patch uses.
    ///
    /// One transaction drops the row and its references; the blobs are deleted after it commits, under the
    /// exclusive store lock. A crash in between leaves unreferenced blobs, which `gc` removes.
    public func remove(_ reference: String) throws -> RemoveResult {
        let lock = try StoreLock(layout, mode: .exclusive)
        defer { withExtendedLifetime(lock) {} }
        let all = try lookup(reference, newestOnly: false)
        guard let patch = all.first else { throw RegistryError.notInstalled(reference) }
        guard all.count == 1 else {
            throw RegistryError.ambiguousReference(reference, candidates: all.map { "\($0.reference) (\($0.digest.prefix(19)))" })
        }
        let freed: [(String, Int)] = try db.immediateTransaction {
            guard let id = try db.query("SELECT id FROM patches WHERE digest = ?", [.text(patch.digest)]).first?.int(0) else {
                throw RegistryError.notInstalled(reference)
            }
            let used = try db.query("SELECT DISTINCT blob FROM segments WHERE patch_id = ? AND blob IS NOT NULL", [.integer(id)]).compactMap { $0.string(0) }
            let dec = try db.prepare("UPDATE blobs SET refcount = refcount - 1 WHERE hash = ? AND refcount > 0")
            for hex in used {
                dec.reset()
                try dec.bind([.text(hex)])
                while try dec.step() {}
            }
            try db.run("DELETE FROM patches WHERE id = ?", [.integer(id)])
            var freed: [(String, Int)] = []
            for hex in used {
                if let row = try db.query("SELECT size FROM blobs WHERE hash = ? AND refcount = 0", [.text(hex)]).first {
                    freed.append((hex, Int(row.int(0) ?? 0)))
                    try db.run("DELETE FROM blobs WHERE hash = ? AND refcount = 0", [.text(hex)])
                }
            }
            return freed
        }
        CrashPoint.hit("remove-after-commit")
        let recipe = try layout.recipeURL(String(patch.digest.dropFirst(7)))
        unlink(recipe.path)
        removeSignatures(patchDigest: patch.digest)  // Registry+Signatures.swift
        for (hex, _) in freed { try blobs.remove(hex) }
        return RemoveResult(name: patch.name, version: patch.version, digest: patch.digest,
                            freedBlobs: freed.count, freedBytes: freed.reduce(0) { $0 + $1.1 })
    }
}
