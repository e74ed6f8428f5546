import Foundation
import PaveFormat

/// The local registry: content-addressed blobs under `PAVE_HOME` and an SQLite index of installed patches.
///
/// One `Registry` owns one SQLite connection; use it from one thread at a time. Several processes may use
/// the same store at once: writers take SQLite's write lock up front (`BEGIN IMMEDIATE`, 30 s busy timeout),
/// installs share the store lock while their blobs are not yet recorded, `gc` takes it exclusively.
///
/// ```swift
/// let registry = try Registry(layout: .fromEnvironment())
/// let results = try registry.install(paths: ["audio-lora.pave"])
/// let hits = try registry.search("audio")
/// ```
public final class Registry {
    /// Where the store lives.
    public let layout: StoreLayout
    /// Reads and verifies patch files.
    public let reader: any PatchReader
    let db: SQLiteConnection
    let blobs: BlobStore

    /// Opens (creating if needed) the store at `layout`, migrating its index to the current schema.
    /// - Throws: ``RegistryError`` when the store cannot be created or the index is unusable.
    public init(layout: StoreLayout, reader: any PatchReader) throws {
        self.layout = layout
        self.reader = reader
        try layout.prepare()
        db = try SQLiteConnection(path: layout.indexURL.path)
        blobs = BlobStore(layout: layout)
        try RegistrySchema.prepare(db)
    }

    /// The current schema version of the index.
    public static var schemaVersion: Int { RegistrySchema.currentVersion }

    /// Now, as RFC 3339 UTC with seconds.
    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }

    /// Reads the recipe of the patch with digest hex `hex`.
    func recipe(hex: String) throws -> PatchRecipe {
        do { return try Self.readRecipe(layout: layout, hex: hex) } catch let e as RegistryError { throw e } catch {
            throw RegistryError.corruptStore(path: (try? layout.recipeURL(hex).path) ?? hex, reason: "recipe is missing or unreadable: \(error)")
        }
    }

    /// The installed patch served from the store, byte for byte as installed.
    public func source(for patch: InstalledPatch) throws -> StoredPatchSource {
        let hex = String(patch.digest.dropFirst(Digest.algorithmPrefix.count))
        return try StoredPatchSource(recipe: try recipe(hex: hex), layout: layout)
    }

    /// Aggregate disk use of the store.
    public struct Usage: Codable, Sendable, Equatable {
        /// Installed patches.
        public var patches: Int
        /// Sum of the installed files' sizes (what separate copies would take).
        public var logicalBytes: Int
        /// Blobs referenced by installed patches, and their bytes (each stored once).
        public var blobs: Int
        public var storedBytes: Int
        enum CodingKeys: String, CodingKey {
            case patches, blobs, logicalBytes = "logical_bytes", storedBytes = "stored_bytes"
        }
    }

    /// Patches, logical bytes, referenced blobs and stored bytes.
    public func usage() throws -> Usage {
        let p = try db.query("SELECT count(*), coalesce(sum(size), 0) FROM patches").first
        let b = try db.query("SELECT count(*), coalesce(sum(size), 0) FROM blobs WHERE refcount > 0").first
        return Usage(patches: Int(p?.int(0) ?? 0), logicalBytes: Int(p?.int(1) ?? 0),
                     blobs: Int(b?.int(0) ?? 0), storedBytes: Int(b?.int(1) ?? 0))
    }
}

extension Registry {
    /// The linked SQLite library's version.
    public static var sqliteVersion: String { SQLiteConnection.libraryVersion }
}
