import PaveFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `gc` removed (or, with `dryRun`, would remove).
public struct GCReport: Codable, Sendable, Equatable {
    public var dryRun: Bool
    /// Blob files no installed patch references, and their bytes.
    public var blobs: Int
    public var bytes: Int
    /// Index rows of blobs no longer referenced.
    public var staleRows: Int
    /// Recipes of patches that are not installed, and temporary files of interrupted writes.
    public var staleRecipes: Int
    public var temporaryFiles: Int
    public var temporaryBytes: Int
    enum CodingKeys: String, CodingKey {
        case blobs, bytes
        case dryRun = "dry_run", staleRows = "stale_rows", staleRecipes = "stale_recipes"
        case temporaryFiles = "temporary_files", temporaryBytes = "temporary_bytes"
    }
    /// Total bytes freed.
    public var freedBytes: Int { bytes + temporaryBytes }
}

extension Registry {
    /// Deletes every blob file no installed patch references (left by a crash, an interrupted install or a
    /// rebuilt index), index rows of unreferenced blobs, recipes of patches not installed and temporary
    /// files. Runs under the exclusive store lock, so no install is between writing a blob and recording it.
    /// A blob is kept if either the segment table or a positive reference count names it.
    public func gc(dryRun: Bool = false) throws -> GCReport {
        let lock = try StoreLock(layout, mode: .exclusive)
        defer { withExtendedLifetime(lock) {} }
        var referenced = Set(try db.query("SELECT DISTINCT blob FROM segments WHERE blob IS NOT NULL").compactMap { $0.string(0) })
        referenced.formUnion(try db.query("SELECT hash FROM blobs WHERE refcount > 0").compactMap { $0.string(0) })
        let staleRows = try db.query("SELECT hash FROM blobs WHERE refcount = 0").compactMap { $0.string(0) }.filter { !referenced.contains($0) }
        let installed = Set(try db.query("SELECT digest FROM patches").compactMap { $0.string(0) })
        let (files, temps) = try blobs.scan()
        let garbage = files.filter { !referenced.contains($0.key) }.sorted { $0.key < $1.key }
        var recipes: [URL] = []
        for name in BlobStore.list(layout.recipesDirectory.path) ?? [] {
            let url = layout.recipesDirectory.appendingPathComponent(name)
            if name.hasPrefix(".") { recipes.append(url); continue }
            guard name.hasSuffix(".json") else { continue }
            if !installed.contains(Digest.algorithmPrefix + name.dropLast(5)) { recipes.append(url) }
        }
        var tempBytes = 0
        for t in temps {
            var st = stat()
            if lstat(t.path, &st) == 0 { tempBytes += Int(st.st_size) }
        }
        let report = GCReport(dryRun: dryRun, blobs: garbage.count, bytes: garbage.reduce(0) { $0 + $1.value },
                              staleRows: staleRows.count, staleRecipes: recipes.count, temporaryFiles: temps.count, temporaryBytes: tempBytes)
        guard !dryRun else { return report }
        if !staleRows.isEmpty {
            try db.immediateTransaction {
                let del = try db.prepare("DELETE FROM blobs WHERE hash = ? AND refcount = 0")
                for hex in staleRows {
                    del.reset()
                    try del.bind([.text(hex)])
                    while try del.step() {}
                }
            }
        }
        for (hex, _) in garbage {
            try blobs.remove(hex)
            CrashPoint.hit("gc-partial")
        }
        for url in recipes + temps { unlink(url.path) }
        return report
    }
}
