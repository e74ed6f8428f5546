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
    /// Every file is verified first, completely (``reader``: for `.pave` files ``PaveFileReader``, i.e.
    /// `PatchVerifier` with the full policy: container, semantics, every reference vector set, a composed
    /// file's members and stack vectors); with `base` each must fit that base (see ``BaseRequirement``). Then
    /// every segment is written as a content-addressed blob (temp + fsync + rename; existing blobs are reused),
    /// then each patch's recipe, and finally one SQLite transaction records all patches, blobs and reference
    /// counts. A crash at any point leaves the index as it was before or after; blobs written by an
    /// interrupted install are unreferenced and `gc` removes them.
    /// - Throws: ``RegistryError/patchDamaged(file:problems:)`` for a file that fails verification;
    ///   ``RegistryError`` for a bad name, a base mismatch, a `name:version` already installed with other
    ///   content, or a store failure.
    @discardableResult
    public func install(paths: [String], base: BaseRequirement? = nil) throws -> [InstallResult] {
        try install(try verifiedImages(paths, base: base))
    }

    /// Step 1: every file verified (and checked against `base`), with the index columns of its manifest.
    func verifiedImages(_ paths: [String], base: BaseRequirement?) throws -> [(PatchImage, PatchMetadata)] {
        try paths.map { path in
            let image = try reader.verifiedImage(ofFileAt: path, base: base?.signature)
            let meta = try PatchMetadata(manifest: image.manifest, path: path)
            try base?.checkName(image, meta: meta)
            return (image, meta)
        }
    }

    /// Steps 2–5 for verified images: stage blobs and recipes, make them durable, check the stored heads,
    /// record everything in one transaction.
    func install(_ images: [(PatchImage, PatchMetadata)]) throws -> [InstallResult] {
        let lock = try StoreLock(layout, mode: .shared)
        defer { withExtendedLifetime(lock) {} }
        var staging = Staging(installedAt: Self.timestamp())
        var results: [InstallResult] = []
        for (image, meta) in images { results.append(try stage(image, meta: meta, into: &staging)) }
        CrashPoint.hit("after-blobs")
        // Blobs and recipes reach the disk (and their final names) before any row refers to them.
        try staging.batch.commit()
        CrashPoint.hit("after-recipe")
        try checkStoredHeads(staging.recipes)
        let skipped = try record(staging.recipes)
        CrashPoint.hit("after-commit")
        return results.map { r in
            var r = r
            if skipped.contains(r.digest) { r.status = .alreadyInstalled }
            return r
        }
    }

    /// What an install has written so far: the batch of files, the blobs staged in it, the recipes.
    struct Staging {
        let installedAt: String
        let batch = DurableBatch()
        var staged = Set<String>()
        var seen = Set<String>()
        var recipes: [(recipe: PatchRecipe, image: PatchImage, meta: PatchMetadata)] = []
    }

    /// Step 2, one patch: skipped when already installed (or given twice); refused when its `name:version` is
    /// installed with other content; otherwise its segments are staged as blobs and its recipe is added.
    func stage(_ image: PatchImage, meta: PatchMetadata, into staging: inout Staging) throws -> InstallResult {
        let hex = try image.digestHex()
        var result = InstallResult(file: image.path, name: meta.name, version: meta.version, digest: image.digest,
                                   size: image.size, status: .alreadyInstalled, newBlobs: 0, newBytes: 0, reusedBytes: 0, paddingBytes: 0)
        let already = try isInstalled(digest: image.digest)
        if already || staging.seen.contains(hex) { return result }
        staging.seen.insert(hex)
        if let row = try db.query("SELECT digest FROM patches WHERE name = ? AND version = ?", [.text(meta.name), .text(meta.version)]).first {
            throw RegistryError.versionConflict(name: meta.name, version: meta.version, installed: row.string(0) ?? "?", offered: image.digest)
        }
        let file = try openVerified(image)
        let segments = try stageSegments(of: image, from: file, into: &staging, result: &result)
        result.status = .installed
        let recipe = PatchRecipe(recipeVersion: PatchRecipe.currentVersion, digest: image.digest, name: meta.name,
                                 version: meta.version, size: image.size, installedAt: staging.installedAt, segments: segments)
        try staging.batch.add(try recipe.encoded(), to: try layout.recipeURL(hex))
        staging.recipes.append((recipe, image, meta))
        return result
    }

    /// The verified file, opened again for copying; refused when its size changed since it was verified.
    func openVerified(_ image: PatchImage) throws -> RandomAccessFile {
        let file: RandomAccessFile
        do { file = try RandomAccessFile(URL(fileURLWithPath: image.path)) } catch {
            throw RegistryError.io(path: image.path, operation: "open", reason: "\(error)")
        }
        guard file.size == image.size else {
            throw RegistryError.io(path: image.path, operation: "install", reason: "the file is \(file.size) bytes; it was \(image.size) when verified")
        }
        return file
    }

    /// The file cut into segments: zero padding is not stored; a tensor region of at least
    /// ``minimumTensorBlob`` bytes is a blob of its own (shared across patches); runs of smaller pieces (head,
    /// small tensors, the padding between them, the layout table) are one blob each.
    func stageSegments(of image: PatchImage, from file: RandomAccessFile, into staging: inout Staging,
                       result: inout InstallResult) throws -> [PatchRecipe.Segment] {
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
            let (blobHex, isNew) = try blobs.stage(from: file, offset: piece.offset, count: piece.length, into: staging.batch, staged: &staging.staged)
            if isNew { result.newBlobs += 1; result.newBytes += piece.length } else { result.reusedBytes += piece.length }
            segments.append(.init(offset: piece.offset, length: piece.length, blob: blobHex, tensor: tensor))
        }
        return segments
    }

    /// Step 4: the file could have changed between verification and copying: the stored head must still give
    /// the verified digest (tensor regions are hash-checked whenever they are read, and by verify --installed).
    func checkStoredHeads(_ recipes: [(recipe: PatchRecipe, image: PatchImage, meta: PatchMetadata)]) throws {
        for (recipe, image, _) in recipes {
            let stored = try reader.digest(of: try StoredPatchSource(recipe: recipe, layout: layout), path: image.path)
            guard stored == recipe.digest else {
                throw RegistryError.io(path: image.path, operation: "install", reason: "the file changed while it was being installed (digest \(stored), verified \(recipe.digest))")
            }
        }
    }

    /// Step 5: one transaction records every patch, its segments and blob references. Returns the digests a
    /// concurrent install recorded first (reported as already installed).
    func record(_ recipes: [(recipe: PatchRecipe, image: PatchImage, meta: PatchMetadata)]) throws -> Set<String> {
        var skipped = Set<String>()
        try db.immediateTransaction {
            for (recipe, image, meta) in recipes {
                if try isInstalled(digest: recipe.digest) { skipped.insert(recipe.digest); continue }
                try Self.insert(recipe: recipe, manifest: image.manifest, meta: meta, into: db)
            }
            CrashPoint.hit("in-transaction")
        }
        return skipped
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
