import Foundation
import PaveFormat

/// What `doctor` found.
public struct DoctorReport: Codable, Sendable, Equatable {
    /// One finding. `error`: the index and the blobs disagree; `notice`: garbage `gc` can free, or a hint.
    public struct Finding: Codable, Sendable, Equatable {
        public var severity: String
        public var code: String
        public var detail: String
    }
    public var home: String
    public var schemaVersion: Int
    public var sqliteVersion: String
    public var usage: Registry.Usage
    public var findings: [Finding]
    public var ok: Bool
    enum CodingKeys: String, CodingKey {
        case home, usage, findings, ok, schemaVersion = "schema_version", sqliteVersion = "sqlite_version"
    }
}

extension Registry {
    /// Checks the store without changing it: SQLite's `quick_check`, every installed patch's recipe against
    /// its rows, every referenced blob present with the right size (`verify --installed` re-hashes them),
    /// reference counts against the segment table, the search index, and garbage for `gc`.
    public func doctor() throws -> DoctorReport {
        var findings: [DoctorReport.Finding] = []
        func fault(_ code: String, _ detail: String) { findings.append(.init(severity: "error", code: code, detail: detail)) }
        func notice(_ code: String, _ detail: String) { findings.append(.init(severity: "notice", code: code, detail: detail)) }

        let check = try db.query("PRAGMA quick_check").compactMap { $0.string(0) }
        if check != ["ok"] { fault("sqlite_integrity", check.prefix(5).joined(separator: "; ")) }

        let patches = try db.query("SELECT id, name, version, digest FROM patches ORDER BY name, version")
        let installedDigests = Set(patches.compactMap { $0.string(3) })
        for p in patches {
            let ref = "\(p.string(1) ?? "?"):\(p.string(2) ?? "?")"
            let hex = String((p.string(3) ?? "").dropFirst(Digest.algorithmPrefix.count))
            let segs = try db.query("SELECT offset, length, blob FROM segments WHERE patch_id = ? ORDER BY seq", [.integer(p.int(0) ?? 0)])
            do {
                let r = try recipe(hex: hex)
                let same = r.segments.count == segs.count && zip(r.segments, segs).allSatisfy {
                    $0.offset == Int($1.int(0) ?? -1) && $0.length == Int($1.int(1) ?? -1) && $0.blob == $1.string(2)
                }
                if !same { fault("recipe_mismatch", "\(ref): recipe and index rows describe different segments") }
            } catch {
                fault("recipe", "\(ref): \(error)")
            }
            for s in segs {
                guard let blob = s.string(2) else { continue }
                let want = Int(s.int(1) ?? 0)
                let have = try blobs.size(of: blob)
                if have == nil { fault("blob_missing", "\(ref): blob \(blob) (bytes \(s.int(0) ?? 0)+\(want)) is missing") }
                else if have != want { fault("blob_size", "\(ref): blob \(blob) is \(have ?? 0) bytes, expected \(want)") }
            }
        }

        let counts = try db.query("""
            SELECT b.hash, b.refcount, (SELECT count(DISTINCT s.patch_id) FROM segments s WHERE s.blob = b.hash)
            FROM blobs b
            """)
        for c in counts where c.int(1) != c.int(2) {
            fault("refcount", "blob \(c.string(0) ?? "?") has reference count \(c.int(1) ?? 0); \(c.int(2) ?? 0) installed patches use it")
        }
        let fts = try db.query("SELECT count(*) FROM patches_fts").first?.int(0) ?? 0
        if Int(fts) != patches.count { fault("search_index", "search index has \(fts) rows for \(patches.count) patches") }

        let referenced = Set(try db.query("SELECT DISTINCT blob FROM segments WHERE blob IS NOT NULL").compactMap { $0.string(0) })
        let (files, temps) = try blobs.scan()
        let orphans = files.filter { !referenced.contains($0.key) }
        if !orphans.isEmpty {
            notice("unreferenced_blobs", "\(orphans.count) blobs (\(orphans.values.reduce(0, +)) bytes) are not used by any installed patch; `pavepkg gc` frees them")
        }
        if !temps.isEmpty { notice("temporary_files", "\(temps.count) temporary files from interrupted writes; `pavepkg gc` removes them") }
        let recipeNames = (try? FileManager.default.contentsOfDirectory(atPath: layout.recipesDirectory.path)) ?? []
        let strays = recipeNames.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && !installedDigests.contains(Digest.algorithmPrefix + $0.dropLast(5)) }
        if !strays.isEmpty {
            notice("uninstalled_recipes", "\(strays.count) recipes are not in the index (an interrupted install, or a lost index: rebuilding the index restores them, garbage collection drops them)")
        }
        return DoctorReport(home: layout.home.path, schemaVersion: Int(try db.pragmaInteger("user_version")),
                            sqliteVersion: SQLiteConnection.libraryVersion, usage: try usage(), findings: findings,
                            ok: !findings.contains { $0.severity == "error" })
    }
}
