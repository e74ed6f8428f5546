/// What `verify --installed` found.
public struct InstalledVerifyReport: Codable, Sendable, Equatable {
    /// A blob whose bytes no longer hash to its name (bit rot), or that is missing.
    public struct Damage: Codable, Sendable, Equatable {
        public var blob: String
        public var problem: String
        /// Installed patches (`name:version`) that use it.
        public var patches: [String]
        /// Tensors stored in it (empty for a head).
        public var tensors: [String]
    }
    public var patches: Int
    public var blobs: Int
    public var bytes: Int
    public var damaged: [Damage]
    /// Installed patches whose recipe is missing or unreadable.
    public var badRecipes: [String]
    /// No damage found.
    public var ok: Bool
    enum CodingKeys: String, CodingKey { case patches, blobs, bytes, damaged, ok, badRecipes = "bad_recipes" }

    init(patches: Int, blobs: Int, bytes: Int, damaged: [Damage], badRecipes: [String]) {
        self.patches = patches; self.blobs = blobs; self.bytes = bytes; self.damaged = damaged; self.badRecipes = badRecipes
        ok = damaged.isEmpty && badRecipes.isEmpty
    }
}

extension Registry {
    /// Re-hashes every blob installed patches use and checks every recipe: reports bit rot (a blob whose
    /// bytes no longer match its SHA-256 name), missing blobs and the patches they break. Reads everything.
    /// - Parameter progress: called with (bytes done, bytes total) after each blob.
    public func verifyInstalled(progress: ((Int, Int) -> Void)? = nil) throws -> InstalledVerifyReport {
        let rows = try db.query("""
            SELECT s.blob, b.size, group_concat(DISTINCT p.name || ':' || p.version), group_concat(DISTINCT s.tensor)
            FROM segments s JOIN patches p ON p.id = s.patch_id LEFT JOIN blobs b ON b.hash = s.blob
            WHERE s.blob IS NOT NULL GROUP BY s.blob ORDER BY s.blob
            """)
        let total = rows.reduce(0) { $0 + Int($1.int(1) ?? 0) }
        var done = 0
        var damaged: [InstalledVerifyReport.Damage] = []
        for row in rows {
            guard let hex = row.string(0) else { continue }
            let size = row.int(1).map { Int($0) }
            if let problem = blobs.check(hex, expectedSize: size) {
                damaged.append(.init(blob: hex, problem: problem,
                                     patches: (row.string(2) ?? "").split(separator: ",").map(String.init).sorted(),
                                     tensors: (row.string(3) ?? "").split(separator: ",").map(String.init).sorted()))
            }
            done += size ?? 0
            progress?(done, total)
        }
        var bad: [String] = []
        let patches = try db.query("SELECT name, version, digest FROM patches ORDER BY name, version")
        for p in patches {
            let hex = String((p.string(2) ?? "").dropFirst(7))
            do { _ = try recipe(hex: hex) } catch { bad.append("\(p.string(0) ?? "?"):\(p.string(1) ?? "?"): \(error)") }
        }
        return InstalledVerifyReport(patches: patches.count, blobs: rows.count, bytes: total, damaged: damaged, badRecipes: bad)
    }
}
