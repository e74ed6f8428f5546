import Foundation
import PaveFormat

/// What `install` did with one file.
public struct InstallResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case installed, alreadyInstalled = "already_installed" }
    public var file: String
    public var name: String
    public var version: String
    public var digest: String
    public var size: Int
    public var status: Status
    /// Blobs this install wrote, and their bytes.
    public var newBlobs: Int
    public var newBytes: Int
    /// Bytes already in the store (shared with installed patches) and zero padding not stored.
    public var reusedBytes: Int
    public var paddingBytes: Int

    enum CodingKeys: String, CodingKey {
        case file, name, version, digest, size, status
        case newBlobs = "new_blobs", newBytes = "new_bytes", reusedBytes = "reused_bytes", paddingBytes = "padding_bytes"
    }
}

extension Registry {
    /// Tensor data regions at least this large are stored as blobs of their own (deduplicated across
    /// patches); smaller ones are stored together with their neighbours (the head, other small tensors):
    /// a file per 64-byte bias costs more than sharing it saves.
    public static let minimumTensorBlob = 16 << 10
    var minimumTensorBlob: Int { Self.minimumTensorBlob }

    /// Verifies and installs `paths`, all or nothing.
    ///
    /// Every file is verified first (structure and hashes, by ``reader``); with `base` each must fit that
    /// base (see ``BaseRequirement``). Then every segment is written as a
    /// content-addressed blob (temp + fsync + rename; existing blobs are reused), then each patch's recipe,
    /// and finally one SQLite transaction records all patches, blobs and reference counts. A crash at any
    /// point leaves the index as it was before or after; blobs written by an interrupted install are
    /// unreferenced and `gc` removes them.
    /// - Throws: the container's errors for a damaged file; ``RegistryError`` for a bad name, a base
    ///   mismatch, a `name:version` already installed with other content, or a store failure.
    @discardableResult
    public func install(paths: [String], base: BaseRequirement? = nil) throws -> [InstallResult] {
        var images: [(PatchImage, PatchMetadata)] = []
        for path in paths {
            let image = try reader.verifiedImage(ofFileAt: path)
            let meta = try PatchMetadata(manifest: image.manifest, path: path)
            try base?.check(image, meta: meta)
            images.append((image, meta))
        }
        return try install(images)
    }

    func install(_ images: [(PatchImage, PatchMetadata)]) throws -> [InstallResult] {
        let lock = try StoreLock(layout, mode: .shared)
        defer { withExtendedLifetime(lock) {} }
        var results: [InstallResult] = []
        var recipes: [(PatchRecipe, PatchImage, PatchMetadata)] = []
        var seen = Set<String>()
        var staged = Set<String>()
        let batch = DurableBatch()
        let installedAt = Self.timestamp()
        for (image, meta) in images {
            let hex = try image.digestHex()
            var result = InstallResult(file: image.path, name: meta.name, version: meta.version, digest: image.digest,
                                       size: image.size, status: .alreadyInstalled, newBlobs: 0, newBytes: 0, reusedBytes: 0, paddingBytes: 0)
            let already = try isInstalled(digest: image.digest)
            if seen.contains(hex) || already {
                results.append(result)
                continue
            }
            seen.insert(hex)
            if let row = try db.query("SELECT digest FROM patches WHERE name = ? AND version = ?", [.text(meta.name), .text(meta.version)]).first {
                throw RegistryError.versionConflict(name: meta.name, version: meta.version, installed: row.string(0) ?? "?", offered: image.digest)
            }
            let file: RandomAccessFile
            do { file = try RandomAccessFile(URL(fileURLWithPath: image.path)) } catch {
                throw RegistryError.io(path: image.path, operation: "open", reason: "\(error)")
            }
            guard file.size == image.size else {
                throw RegistryError.io(path: image.path, operation: "install", reason: "the file is \(file.size) bytes; it was \(image.size) when verified")
            }
            var segments: [PatchRecipe.Segment] = []
            for piece in try image.storagePieces(of: file, minimumTensorBlob: minimumTensorBlob) {
                var tensor: String?
                switch piece.kind {
                case .zeroPadding:
                    segments.append(.init(offset: piece.offset, length: piece.length, blob: nil, tensor: nil))
                    result.paddingBytes += piece.length
                    continue
                case let .tensor(name): tensor = name
                case .run: tensor = nil
                }
                let (blobHex, isNew) = try blobs.stage(from: file, offset: piece.offset, count: piece.length, into: batch, staged: &staged)
                if isNew { result.newBlobs += 1; result.newBytes += piece.length } else { result.reusedBytes += piece.length }
                segments.append(.init(offset: piece.offset, length: piece.length, blob: blobHex, tensor: tensor))
            }
            result.status = .installed
            results.append(result)
            let recipe = PatchRecipe(recipeVersion: PatchRecipe.currentVersion, digest: image.digest, name: meta.name,
                                     version: meta.version, size: image.size, installedAt: installedAt, segments: segments)
            try batch.add(try recipe.encoded(), to: try layout.recipeURL(hex))
            recipes.append((recipe, image, meta))
        }
        CrashPoint.hit("after-blobs")
        // Blobs and recipes reach the disk (and their final names) before any row refers to them.
        try batch.commit()
        CrashPoint.hit("after-recipe")
        // The file could have changed between verification and copying: the stored head must still give the
        // verified digest (tensor regions are hash-checked whenever they are read, and by verify --installed).
        for (recipe, image, _) in recipes {
            let stored = try reader.digest(of: try StoredPatchSource(recipe: recipe, layout: layout), path: image.path)
            guard stored == recipe.digest else {
                throw RegistryError.io(path: image.path, operation: "install", reason: "the file changed while it was being installed (digest \(stored), verified \(recipe.digest))")
            }
        }
        var skipped = Set<String>()
        try db.immediateTransaction {
            for (recipe, image, meta) in recipes {
                // A concurrent install may have recorded the same patch while we wrote blobs.
                if try isInstalled(digest: recipe.digest) { skipped.insert(recipe.digest); continue }
                try Self.insert(recipe: recipe, manifest: image.manifest, meta: meta, into: db)
            }
            CrashPoint.hit("in-transaction")
        }
        CrashPoint.hit("after-commit")
        return results.map { r in
            var r = r
            if skipped.contains(r.digest) { r.status = .alreadyInstalled }
            return r
        }
    }

    func isInstalled(digest: String) throws -> Bool {
        try !db.query("SELECT 1 FROM patches WHERE digest = ?", [.text(digest)]).isEmpty
    }

    /// Inserts one patch, its segments and its blob references (inside the caller's transaction).
    static func insert(recipe: PatchRecipe, manifest: Manifest, meta: PatchMetadata, into db: SQLiteConnection) throws {
        if let row = try db.query("SELECT digest FROM patches WHERE name = ? AND version = ?", [.text(meta.name), .text(meta.version)]).first {
            throw RegistryError.versionConflict(name: meta.name, version: meta.version, installed: row.string(0) ?? "?", offered: recipe.digest)
        }
        func json(_ strings: [String]) -> SQLValue {
            .text(String(decoding: JSONValue.array(strings.map { .string($0) }).canonicalData(), as: UTF8.self))
        }
        try db.run("""
            INSERT INTO patches (name, version, digest, size, description, tags, base_signature, base_model,
                side_channel_kind, side_channel_encoder, lora_rank, lora_modules, created, installed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
            .text(meta.name), .text(meta.version), .text(recipe.digest), .integer(Int64(recipe.size)),
            .text(meta.description), json(meta.tags), meta.baseSignature.map(SQLValue.text) ?? .null,
            meta.baseModel.map(SQLValue.text) ?? .null, meta.sideChannelKind.map(SQLValue.text) ?? .null,
            meta.sideChannelEncoder.map(SQLValue.text) ?? .null, meta.loraRank.map { .integer(Int64($0)) } ?? .null,
            meta.loraModules.isEmpty ? .null : json(meta.loraModules), meta.created.map(SQLValue.text) ?? .null,
            .text(recipe.installedAt),
        ])
        let patchID = db.lastInsertRowID
        try db.run("INSERT INTO manifests (patch_id, json) VALUES (?, ?)",
                   [.integer(patchID), .text(String(decoding: manifest.canonicalData(), as: UTF8.self))])
        var counted = Set<String>()
        let upsert = try db.prepare("""
            INSERT INTO blobs (hash, size, refcount) VALUES (?, ?, 1)
            ON CONFLICT (hash) DO UPDATE SET refcount = refcount + 1
            """)
        for s in recipe.segments {
            guard let hex = s.blob, counted.insert(hex).inserted else { continue }
            upsert.reset()
            try upsert.bind([.text(hex), .integer(Int64(s.length))])
            while try upsert.step() {}
        }
        let seg = try db.prepare("INSERT INTO segments (patch_id, seq, offset, length, blob, tensor) VALUES (?, ?, ?, ?, ?, ?)")
        for (i, s) in recipe.segments.enumerated() {
            seg.reset()
            try seg.bind([.integer(patchID), .integer(Int64(i)), .integer(Int64(s.offset)), .integer(Int64(s.length)),
                          s.blob.map(SQLValue.text) ?? .null, s.tensor.map(SQLValue.text) ?? .null])
            while try seg.step() {}
        }
    }
}
