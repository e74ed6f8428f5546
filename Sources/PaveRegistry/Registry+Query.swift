import PaveFormat

extension Registry {
    /// Installed patches, optionally only those for base `base` (signature, signature prefix or model name)
    /// and / or reading side channel `sideChannel` (`audio`, `video`, `3d`, …); ordered by name, then version.
    public func list(base: String? = nil, sideChannel: String? = nil) throws -> [InstalledPatch] {
        var sql = "SELECT \(InstalledPatch.columns) FROM patches"
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let base {
            let w = base.hasPrefix(Digest.algorithmPrefix) ? String(base.dropFirst(Digest.algorithmPrefix.count)) : base
            var alternatives = ["base_model = ? COLLATE NOCASE", "base_signature = ?"]
            bindings += [.text(base), .text(base)]
            if PatchReference.isHexPrefix(w.lowercased()) {
                alternatives.append("substr(base_signature, 1, ?) = ?")
                let prefix = Digest.algorithmPrefix + w.lowercased()
                bindings += [.integer(Int64(prefix.utf8.count)), .text(prefix)]
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        if let sideChannel {
            conditions.append("side_channel_kind = ?")
            bindings.append(.text(sideChannel))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY name"  // byte order (BINARY collation), from the (name, version) index
        return Self.sortVersionsWithinNames(try db.query(sql, bindings) { InstalledPatch(row: $0) })
    }

    /// `patches` arrive ordered by name; orders each run of one name by version (``VersionOrder``), leaving
    /// the common single-version names untouched.
    static func sortVersionsWithinNames(_ patches: [InstalledPatch]) -> [InstalledPatch] {
        var out = patches
        var start = 0
        while start < out.count {
            var end = start + 1
            while end < out.count, out[end].name == out[start].name { end += 1 }
            if end - start > 1 {
                let run = out[start..<end].map { (VersionOrder($0.version), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
                out.replaceSubrange(start..<end, with: run)
            }
            start = end
        }
        return out
    }

    /// By name (byte order), then version (``VersionOrder``).
    static func sorted(_ patches: [InstalledPatch]) -> [InstalledPatch] {
        let keyed = patches.map { (name: Array($0.name.utf8), version: VersionOrder($0.version), patch: $0) }
        return keyed.sorted { a, b in
            if a.name != b.name { return a.name.lexicographicallyPrecedes(b.name) }
            return a.version < b.version
        }.map(\.patch)
    }

    /// Full-text search over name, description, tags, side channel and base model. Every word of `text`
    /// must match (as a word prefix); best matches first (FTS5 `bm25`).
    public func search(_ text: String) throws -> [InstalledPatch] {
        let query = Self.ftsQuery(text)
        guard !query.isEmpty else { return [] }
        let sql = """
            SELECT \(InstalledPatch.columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM patches_fts JOIN patches p ON p.id = patches_fts.rowid
            WHERE patches_fts MATCH ? ORDER BY bm25(patches_fts), p.name, p.version
            """
        return try db.query(sql, [.text(query)]) { InstalledPatch(row: $0) }
    }

    /// Turns user text into an FTS5 query: each word quoted (so no FTS syntax leaks through) with a prefix `*`.
    static func ftsQuery(_ text: String) -> String {
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
    }

    /// The installed patch `reference` names: `NAME` (newest version), `NAME:VERSION`, or a digest prefix
    /// (`sha256:` optional, ≥ 8 hex digits).
    /// - Throws: ``RegistryError/notInstalled(_:)``, ``RegistryError/ambiguousReference(_:candidates:)``.
    public func resolve(_ reference: String) throws -> InstalledPatch {
        let matches = try lookup(reference)
        switch matches.count {
        case 0: throw RegistryError.notInstalled(reference)
        case 1: return matches[0]
        default: throw RegistryError.ambiguousReference(reference, candidates: matches.map { "\($0.reference) (\($0.digest.prefix(19)))" })
        }
    }

    /// Every installed patch `reference` could mean; a bare name means its newest version.
    func lookup(_ reference: String, newestOnly: Bool = true) throws -> [InstalledPatch] {
        for candidate in try PatchReference.parse(reference) {
            switch candidate {
            case let .name(name, version?):
                let rows = try db.query("SELECT \(InstalledPatch.columns) FROM patches WHERE name = ? AND version = ?", [.text(name), .text(version)])
                if !rows.isEmpty { return rows.map(InstalledPatch.init(row:)) }
            case let .name(name, nil):
                let all = Self.sorted(try db.query("SELECT \(InstalledPatch.columns) FROM patches WHERE name = ?", [.text(name)]).map(InstalledPatch.init(row:)))
                if let newest = all.last { return newestOnly ? [newest] : all }
            case let .digestPrefix(hex):
                let prefix = Digest.algorithmPrefix + hex
                let rows = try db.query(
                    "SELECT \(InstalledPatch.columns) FROM patches WHERE digest >= ? AND digest < ? ORDER BY digest LIMIT 20",
                    [.text(prefix), .text(prefix + "g")])
                if !rows.isEmpty { return rows.map(InstalledPatch.init(row:)) }
            }
        }
        return []
    }

    /// The index row, manifest and storage map of the patch `reference` names.
    public func show(_ reference: String) throws -> InstalledPatchDetail {
        let patch = try resolve(reference)
        let rows = try db.query("""
            SELECT m.json, s.offset, s.length, s.tensor, s.blob, b.refcount, b.size
            FROM patches p JOIN manifests m ON m.patch_id = p.id JOIN segments s ON s.patch_id = p.id
            LEFT JOIN blobs b ON b.hash = s.blob
            WHERE p.digest = ? ORDER BY s.seq
            """, [.text(patch.digest)])
        var manifest: JSONValue = .null
        var segments: [InstalledPatchDetail.Segment] = []
        var exclusive = 0, shared = 0
        var counted = Set<String>()
        for row in rows {
            if manifest == .null, let m = row.string(0) { manifest = (try? JSONValue.parse(Array(m.utf8))) ?? .string(m) }
            let blob = row.string(4)
            let refs = row.int(5).map { Int($0) }
            segments.append(.init(offset: Int(row.int(1) ?? 0), length: Int(row.int(2) ?? 0), tensor: row.string(3), blob: blob, sharedBy: refs))
            if let blob, counted.insert(blob).inserted {
                let size = Int(row.int(6) ?? 0)
                if (refs ?? 0) > 1 { shared += size } else { exclusive += size }
            }
        }
        return InstalledPatchDetail(patch: patch, manifest: manifest, segments: segments, exclusiveBytes: exclusive, sharedBytes: shared)
    }
}
