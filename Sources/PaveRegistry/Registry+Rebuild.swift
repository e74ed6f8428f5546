import Foundation
import PaveFormat
#if canImport(Glibc)
import Glibc
#endif

/// What `doctor --rebuild` did.
public struct RebuildReport: Codable, Sendable, Equatable {
    /// Patches restored into the new index (`name:version`).
    public var restored: [String]
    /// Recipes that could not be restored, with the reason (missing or damaged blobs, conflicts).
    public var skipped: [String]
    /// Where the previous index was moved, if there was one.
    public var previousIndex: String?
    enum CodingKeys: String, CodingKey { case restored, skipped, previousIndex = "previous_index" }
}

extension Registry {
    /// Rebuilds the index from the recipes and blobs alone, e.g. after the index file was lost or damaged.
    ///
    /// Each recipe's patch is reassembled from its blobs and re-verified by `reader` (its digest must match);
    /// patches that cannot be are reported and left out. The new index is built beside the old one and
    /// renamed into place; the old one (with its `-wal`/`-shm`) is kept as `index.sqlite.old-<time>`.
    /// Runs under the exclusive store lock; close other `Registry` handles on this store first.
    public static func rebuildIndex(layout: StoreLayout, reader: any PatchReader) throws -> RebuildReport {
        try layout.prepare()
        let lock = try StoreLock(layout, mode: .exclusive)
        defer { withExtendedLifetime(lock) {} }
        let fresh = layout.home.appendingPathComponent("index.sqlite.rebuild-\(getpid())")
        for suffix in ["", "-wal", "-shm"] { unlink(fresh.path + suffix) }
        var restored: [String] = []
        var skipped: [String] = []
        do {
            let db = try SQLiteConnection(path: fresh.path)
            try RegistrySchema.prepare(db)
            let blobs = BlobStore(layout: layout)
            var candidates: [(PatchRecipe, PatchImage, PatchMetadata)] = []
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: layout.recipesDirectory.path)) ?? [])
                .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            for file in names {
                let hex = String(file.dropLast(5))
                do {
                    let recipe = try Self.readRecipe(layout: layout, hex: hex)
                    for s in recipe.segments {
                        if let b = s.blob, let problem = blobs.check(b, expectedSize: s.length) {
                            throw RegistryError.corruptStore(path: (try? layout.blobURL(b).path) ?? b, reason: "blob for bytes \(s.offset)+\(s.length): \(problem)")
                        }
                    }
                    let source = try StoredPatchSource(recipe: recipe, layout: layout)
                    let image = try reader.verifiedImage(of: source, path: "\(recipe.name):\(recipe.version)")
                    guard image.digest == recipe.digest else {
                        throw RegistryError.corruptStore(path: file, reason: "reassembled patch has digest \(image.digest), recipe says \(recipe.digest)")
                    }
                    candidates.append((recipe, image, try PatchMetadata(manifest: image.manifest, path: file)))
                } catch {
                    skipped.append("\(file): \(error)")
                }
            }
            // Newest install wins a name:version clash (a recipe left behind by an interrupted remove).
            candidates.sort { ($0.0.installedAt, $0.0.digest) > ($1.0.installedAt, $1.0.digest) }
            var taken = Set<String>()
            try db.immediateTransaction {
                for (recipe, image, meta) in candidates {
                    let ref = "\(meta.name):\(meta.version)"
                    guard taken.insert(ref).inserted else {
                        skipped.append("\(recipe.digest): \(ref) is already restored from a newer install")
                        continue
                    }
                    try insert(recipe: recipe, manifest: image.manifest, meta: meta, into: db)
                    restored.append(ref)
                }
            }
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
        } catch {
            for suffix in ["", "-wal", "-shm"] { unlink(fresh.path + suffix) }
            throw error
        }
        var previous: String?
        let index = layout.indexURL.path
        if access(index, F_OK) == 0 {
            let stamp = timestamp().replacingOccurrences(of: ":", with: "")
            let backup = layout.home.appendingPathComponent("index.sqlite.old-\(stamp)").path
            for suffix in ["", "-wal", "-shm"] where access(index + suffix, F_OK) == 0 {
                guard rename(index + suffix, backup + suffix) == 0 else {
                    throw RegistryError.io(path: index + suffix, operation: "rename to \(backup + suffix)", reason: String(cString: strerror(errno)))
                }
            }
            previous = backup
        }
        for suffix in ["-wal", "-shm"] { unlink(fresh.path + suffix) }
        guard rename(fresh.path, index) == 0 else {
            throw RegistryError.io(path: fresh.path, operation: "rename to \(index)", reason: String(cString: strerror(errno)))
        }
        let dfd = Glibc.open(layout.home.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        return RebuildReport(restored: restored.sorted(), skipped: skipped, previousIndex: previous)
    }

    static func readRecipe(layout: StoreLayout, hex: String) throws -> PatchRecipe {
        let url = try layout.recipeURL(hex)
        let recipe = try JSONValue.parse(try Data(contentsOf: url)).decode(PatchRecipe.self)
        try recipe.validate(path: url.path)
        guard recipe.digest == Digest.algorithmPrefix + hex else {
            throw RegistryError.corruptStore(path: url.path, reason: "recipe is for \(recipe.digest)")
        }
        return recipe
    }
}
