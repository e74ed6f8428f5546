/// The index schema and its migrations. `PRAGMA user_version` holds the schema version; opening an index
/// applies every newer migration in one transaction. Migrations are append-only: never edit a shipped one.
enum RegistrySchema {
    /// `(version, SQL)` in order; the last version is the current one.
    static let migrations: [(version: Int, sql: String)] = [
        (1, """
            CREATE TABLE patches (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                version TEXT NOT NULL,
                digest TEXT NOT NULL UNIQUE,          -- sha256:<hex> of the patch (container definition)
                size INTEGER NOT NULL,                -- bytes of the .pave file
                description TEXT NOT NULL DEFAULT '',
                tags TEXT NOT NULL DEFAULT '[]',      -- JSON array
                base_signature TEXT,
                base_model TEXT,
                side_channel_kind TEXT,
                side_channel_encoder TEXT,
                lora_rank INTEGER,
                lora_modules TEXT,                    -- JSON array of full module names
                created TEXT,                         -- manifest "created"
                installed_at TEXT NOT NULL,           -- RFC 3339 UTC
                UNIQUE (name, version)
            );
            -- Kept apart so that patches rows stay small and `list` scans few pages.
            CREATE TABLE manifests (
                patch_id INTEGER PRIMARY KEY REFERENCES patches(id) ON DELETE CASCADE,
                json TEXT NOT NULL                    -- canonical manifest JSON
            );
            CREATE INDEX patches_base ON patches(base_signature);
            CREATE INDEX patches_base_model ON patches(base_model);
            CREATE INDEX patches_side_channel ON patches(side_channel_kind);

            -- One row per stored blob; refcount = number of installed patches using it (once per patch).
            CREATE TABLE blobs (
                hash TEXT PRIMARY KEY,                -- sha256 hex of the blob's bytes
                size INTEGER NOT NULL,
                refcount INTEGER NOT NULL CHECK (refcount >= 0)
            ) WITHOUT ROWID;

            -- The file of each patch as consecutive segments: head, tensor data regions, padding (blob NULL = zeros).
            CREATE TABLE segments (
                patch_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                offset INTEGER NOT NULL,
                length INTEGER NOT NULL,
                blob TEXT REFERENCES blobs(hash),
                tensor TEXT,
                PRIMARY KEY (patch_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX segments_blob ON segments(blob);

            CREATE VIRTUAL TABLE patches_fts USING fts5(
                name, description, tags, side_channel, base_model, tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE TRIGGER patches_fts_insert AFTER INSERT ON patches BEGIN
                INSERT INTO patches_fts(rowid, name, description, tags, side_channel, base_model) VALUES (
                    new.id, new.name, new.description, new.tags,
                    coalesce(new.side_channel_kind, '') || ' ' || coalesce(new.side_channel_encoder, ''),
                    coalesce(new.base_model, '') || ' ' || coalesce(new.base_signature, ''));
            END;
            CREATE TRIGGER patches_fts_delete AFTER DELETE ON patches BEGIN
                DELETE FROM patches_fts WHERE rowid = old.id;
            END;
            """),
    ]

    static var currentVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the index on `db` to the current schema; WAL mode, foreign keys on, reads through mmap.
    static func prepare(_ db: SQLiteConnection) throws {
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = FULL")
        try db.execute("PRAGMA foreign_keys = ON")
        try db.execute("PRAGMA mmap_size = 268435456")
        try db.execute("PRAGMA cache_size = -16384")
        let found = Int(try db.pragmaInteger("user_version"))
        if found > currentVersion { throw RegistryError.schemaTooNew(path: db.path, found: found, supported: currentVersion) }
        guard found < currentVersion else { return }
        try db.immediateTransaction {
            // Another process may have migrated while we waited for the write lock.
            let now = Int(try db.pragmaInteger("user_version"))
            if now > currentVersion { throw RegistryError.schemaTooNew(path: db.path, found: now, supported: currentVersion) }
            for m in migrations where m.version > now {
                try db.execute(m.sql)
                try db.execute("PRAGMA user_version = \(m.version)")
            }
        }
    }
}
