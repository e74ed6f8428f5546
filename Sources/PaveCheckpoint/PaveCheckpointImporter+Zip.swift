import Crypto
import Foundation
import PaveFormat
import PaveTorch

extension PaveCheckpointImporter {
    /// Largest DEFLATE-compressed `non_lora_trainables.bin` inflated into memory (larger ones go to a scratch file).
    static let maxInMemoryTorchBytes = 1 << 30
    /// Largest adapter streamed into memory (``CheckpointImportOptions/streamAdapter``); larger ones are extracted
    /// to a scratch file first.
    public static let maxStreamedAdapterBytes = 1 << 30

    /// Imports the checkpoint folder inside `archive` (opened from a file or from memory). JSON files are read
    /// into memory; a stored `non_lora_trainables.bin` is read in place; a compressed one is inflated into
    /// memory; the adapter's safetensors is extracted to a scratch directory. Every SHA-256 is computed while
    /// the bytes stream by, so each entry is inflated exactly once.
    /// `sha256` gives the hex SHA-256 of the whole zip; it is asked for after the entries are read.
    static func load(archive: ZipArchive, name: String, sha256: @escaping @Sendable () throws -> String, createdInputs: [URL],
                     options: CheckpointImportOptions) throws -> ImportedCheckpoint {
        var notes: [String] = []
        var source: [String: JSONValue] = ["name": .string(name), "kind": "zip"]
        let (prefix, chosen) = try chooseZipFolder(archive, path: archive.path, requested: options.checkpoint, notes: &notes)
        let inside = prefix + chosen
        source["folder"] = .string(inside)
        let stem = name.hasSuffix(".zip") ? String(name.dropLast(4)) : name
        let top = prefix.isEmpty ? stem : String(prefix.dropLast().split(separator: "/").last ?? "")
        let folderName = chosen.isEmpty ? top : top + "_" + String(chosen.dropLast())
        var scratch: URL?
        let deferred = DeferredManifestValues()
        var streamed: [InflatingEntrySource] = []
        do {
            let files = try materializeAll(archive: archive, inside: inside, scratch: &scratch, streamed: &streamed, deferred: deferred, options: options)
            source["sha256"] = .string(streamed.isEmpty ? try sha256() : deferred.placeholder(forHexDigest: sha256))
            let inputs = CheckpointInputs(files: files, label: name, folderName: folderName, source: source, createdInputs: createdInputs)
            let (manifest, tensors) = try build(inputs, options: options, notes: &notes)
            return ImportedCheckpoint(manifest: manifest, tensors: tensors, notes: notes, scratch: scratch,
                                      deferred: deferred.isEmpty ? nil : deferred, streamed: streamed)
        } catch {
            // The root cause when a read of the streamed adapter failed.
            let root = InflatingEntrySource.rootError(of: streamed)
            for s in streamed { s.cancel() }
            if let scratch { try? FileManager.default.removeItem(at: scratch) }
            throw root ?? error
        }
    }

    /// Makes every checkpoint file of the folder readable, two entries at a time: the largest entry (the
    /// adapter) inflates on the calling thread, with progress, while the others (the fusion `.bin` and the
    /// JSON files) inflate on a second core, without progress (the callback is called from one thread only).
    /// Each entry is still inflated exactly once and hashed while its bytes stream by.
    /// With ``CheckpointImportOptions/streamAdapter`` a DEFLATE adapter of at most ``maxStreamedAdapterBytes``
    /// starts streaming instead (see ``streamAdapter(_:from:streamed:deferred:)``) and the others inflate here.
    static func materializeAll(archive: ZipArchive, inside: String, scratch: inout URL?, streamed: inout [InflatingEntrySource],
                               deferred: DeferredManifestValues, options: CheckpointImportOptions) throws -> [String: CheckpointFile] {
        let present = checkpointFiles.compactMap { f in archive.entry(inside + f).map { (name: f, entry: $0) } }
        if options.streamAdapter, let adapter = present.first(where: { $0.name == adapterFile }), adapter.entry.method != 0,
           adapter.entry.uncompressedSize <= maxStreamedAdapterBytes {
            var files = [adapterFile: streamAdapter(adapter.entry, from: archive, streamed: &streamed, deferred: deferred)]
            for (name, entry) in present where name != adapterFile {
                files[name] = try materialize(entry, named: name, from: archive, scratch: &scratch, options: options)
            }
            return files
        }
        guard let largest = present.max(by: { $0.entry.uncompressedSize < $1.entry.uncompressedSize }) else { return [:] }
        let others = present.filter { $0.name != largest.name }
        // A scratch directory made now, so the background work never has to create one.
        let needsScratch = present.contains { $0.name == adapterFile || ($0.name == fusionFile && $0.entry.uncompressedSize > maxInMemoryTorchBytes) }
        let dir: URL? = needsScratch ? try scratchDirectory(&scratch, options: options) : nil
        var quiet = options
        quiet.progress = nil
        let quietOptions = quiet
        let background = BackgroundResult { () -> [String: Result<CheckpointFile, any Error>] in
            var results: [String: Result<CheckpointFile, any Error>] = [:]
            var bgScratch = dir
            for (name, entry) in others {
                let r = Result { try materialize(entry, named: name, from: archive, scratch: &bgScratch, options: quietOptions) }
                results[name] = r
                if case .failure = r { break }
            }
            return results
        }
        let mainResult = Result { try materialize(largest.entry, named: largest.name, from: archive, scratch: &scratch, options: options) }
        var results = try background.value()
        results[largest.name] = mainResult
        // The first failure in the importer's file order is the one reported, as when entries inflated one by one.
        var files: [String: CheckpointFile] = [:]
        for name in checkpointFiles {
            guard let r = results.removeValue(forKey: name) else { continue }
            files[name] = try r.get()
        }
        return files
    }

    /// The adapter as an ``InflatingEntrySource`` (inflating and hashing on threads of their own from now on);
    /// its SHA-256 is a deferred manifest value.
    static func streamAdapter(_ entry: ZipArchive.Entry, from archive: ZipArchive, streamed: inout [InflatingEntrySource],
                              deferred: DeferredManifestValues) -> CheckpointFile {
        let source = InflatingEntrySource(archive: archive, entry: entry)
        streamed.append(source)
        return CheckpointFile(name: adapterFile, storage: .bytes(source), path: source.path, size: entry.uncompressedSize,
                              sha256: deferred.placeholder(forHexDigest: { try source.sha256Hex() }))
    }

    /// Makes one entry readable by the importer, hashing it on the way when it has to be inflated.
    static func materialize(_ entry: ZipArchive.Entry, named name: String, from archive: ZipArchive, scratch: inout URL?,
                            options: CheckpointImportOptions) throws -> CheckpointFile {
        let path = "\(archive.path)/\(entry.name)"
        let toScratch = name == adapterFile || (name == fusionFile && entry.uncompressedSize > maxInMemoryTorchBytes)
        if !toScratch, entry.method == 0 {
            // Read in place (a torch archive is a zip in a zip; its storages stay in the archive until packed).
            return CheckpointFile(name: name, storage: .bytes(try archive.storedSource(entry)), path: path, size: entry.uncompressedSize)
        }
        if !toScratch {
            let limit = name == fusionFile ? maxInMemoryTorchBytes : maxJSONBytes
            guard entry.uncompressedSize <= limit else {
                throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "\(entry.uncompressedSize) bytes exceeds \(limit)")
            }
            var h = SHA256()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(entry.uncompressedSize)
            let label = "extracting \(name)"
            try archive.stream(entry) { chunk in
                h.update(data: chunk)
                bytes.append(contentsOf: chunk)
                options.progress?(label, Int64(bytes.count), Int64(entry.uncompressedSize))
            }
            return CheckpointFile(name: name, storage: .bytes(MemoryByteSource(bytes)), path: path, size: bytes.count,
                                  sha256: ContentDigest.hex(Array(h.finalize())))
        }
        let dir = try scratchDirectory(&scratch, options: options)
        let url = dir.appendingPathComponent(name)
        let sha = try extract(entry, from: archive, to: url, progress: options.progress)
        return CheckpointFile(name: name, storage: .file(url), path: path, size: entry.uncompressedSize, sha256: sha)
    }

    static func scratchDirectory(_ scratch: inout URL?, options: CheckpointImportOptions) throws -> URL {
        if let scratch { return scratch }
        let base = options.temporaryDirectory ?? FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("pavepkg-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        scratch = dir
        return dir
    }

    /// Extracts one entry into the scratch directory (CRC-checked while streaming; hashed and written on a second
    /// thread) and returns its hex SHA-256.
    /// No fsync: the scratch copy is temporary and removed with the import.
    static func extract(_ entry: ZipArchive.Entry, from archive: ZipArchive, to url: URL,
                        progress: (@Sendable (String, Int64, Int64) -> Void)?) throws -> String {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ZipError.io("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        let sink = HashingFileSink(handle: handle)
        var done: Int64 = 0
        let total = Int64(entry.uncompressedSize)
        let label = "extracting \(url.lastPathComponent)"
        do {
            try archive.stream(entry) { chunk in
                try sink.write(chunk)
                done += Int64(chunk.count)
                progress?(label, done, total)
            }
        } catch {
            _ = try? sink.finish()
            throw error
        }
        return try sink.finish()
    }
}
