import Crypto
import Foundation
import PaveFormat
import PaveTorch

extension PaveCheckpointImporter {
    /// Largest DEFLATE-compressed `non_lora_trainables.bin` inflated into memory (larger ones go to a scratch file).
    static let maxInMemoryTorchBytes = 1 << 30

    /// Imports the checkpoint folder inside `archive` (opened from a file or from memory). JSON files are read
    /// into memory; a stored `non_lora_trainables.bin` is read in place; a compressed one is inflated into
    /// memory; the adapter's safetensors is extracted to a scratch directory. Every SHA-256 is computed while
    /// the bytes stream by, so each entry is inflated exactly once.
    /// `sha256` gives the hex SHA-256 of the whole zip; it is asked for after the entries are read.
    static func load(archive: ZipArchive, name: String, sha256: () throws -> String, createdInputs: [URL], options: CheckpointImportOptions) throws -> ImportedCheckpoint {
        var notes: [String] = []
        var source: [String: JSONValue] = ["name": .string(name), "kind": "zip"]
        let (prefix, chosen) = try chooseZipFolder(archive, path: archive.path, requested: options.checkpoint, notes: &notes)
        let inside = prefix + chosen
        source["folder"] = .string(inside)
        let stem = name.hasSuffix(".zip") ? String(name.dropLast(4)) : name
        let top = prefix.isEmpty ? stem : String(prefix.dropLast().split(separator: "/").last ?? "")
        let folderName = chosen.isEmpty ? top : top + "_" + String(chosen.dropLast())
        var scratch: URL?
        do {
            var files: [String: CheckpointFile] = [:]
            for f in checkpointFiles {
                guard let e = archive.entry(inside + f) else { continue }
                files[f] = try materialize(e, named: f, from: archive, scratch: &scratch, options: options)
            }
            source["sha256"] = .string(try sha256())
            let inputs = CheckpointInputs(files: files, label: name, folderName: folderName, source: source, createdInputs: createdInputs)
            let (manifest, tensors) = try build(inputs, options: options, notes: &notes)
            return ImportedCheckpoint(manifest: manifest, tensors: tensors, notes: notes, scratch: scratch)
        } catch {
            if let scratch { try? FileManager.default.removeItem(at: scratch) }
            throw error
        }
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
