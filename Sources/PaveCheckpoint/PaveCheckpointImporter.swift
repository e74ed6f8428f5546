import Foundation
import PaveFormat
import PaveModel
import PaveTorch

/// Imports a PAVE training output directory — or a zip whose single top folder is one — as a patch:
/// manifest (fusion architecture, LoRA settings with the PEFT config verbatim, side channel when a preset
/// names it, provenance) plus lazily read tensors. Nothing in the input is executed (see
/// ``TorchCheckpointFile``); tensors are streamed, so memory stays bounded on 7B-sized checkpoints.
public enum PaveCheckpointImporter {
    /// Recorded in `provenance.importer`.
    public static let importerVersion = "pave-checkpoint-importer 1"
    static let fusionFile = "non_lora_trainables.bin"
    static let configFile = "config.json"
    static let adapterConfigFile = "adapter_config.json"
    static let adapterFile = "adapter_model.safetensors"
    static let checkpointFiles = [configFile, adapterConfigFile, adapterFile, fusionFile]
    static let maxJSONBytes = 16 << 20

    /// Imports `url` (a directory or a `.zip`).
    public static func load(_ url: URL, options: CheckpointImportOptions) throws -> ImportedCheckpoint {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw CheckpointImportError.notACheckpoint(path: url.path, reason: "no such file or directory")
        }
        guard isDir.boolValue else {
            let archive = try ZipArchive(url: url)
            // The zip's own SHA-256 is computed on a second core while its entries inflate (without progress
            // reports: the progress callback is called from one thread only).
            let sha = BackgroundResult { try ContentDigest.sha256Hex(fileAt: url) }
            return try load(archive: archive, name: url.lastPathComponent, sha256: sha.value, createdInputs: [url], options: options)
        }
        var notes: [String] = []
        var source: [String: JSONValue] = ["name": .string(url.lastPathComponent), "kind": "directory"]
        let chosen = try chooseFolder(path: url.path, hasTopLevel: FileManager.default.fileExists(atPath: url.appendingPathComponent(fusionFile).path),
                                      subfolders: try directoryCheckpoints(url), requested: options.checkpoint, notes: &notes)
        let folder = chosen.isEmpty ? url : url.appendingPathComponent(chosen)
        let folderName = chosen.isEmpty ? url.standardizedFileURL.lastPathComponent : url.standardizedFileURL.lastPathComponent + "_" + chosen
        if !chosen.isEmpty { source["folder"] = .string(chosen) }
        var files: [String: CheckpointFile] = [:]
        for name in checkpointFiles where FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
            files[name] = try CheckpointFile.onDisk(folder.appendingPathComponent(name), name: name)
        }
        let inputs = CheckpointInputs(files: files, label: url.lastPathComponent, folderName: folderName, source: source,
                                      createdInputs: files.values.compactMap { if case let .file(u) = $0.storage { u } else { nil } })
        let (manifest, tensors) = try build(inputs, options: options, notes: &notes)
        return ImportedCheckpoint(manifest: manifest, tensors: tensors, notes: notes, scratch: nil)
    }

    /// Imports a zip held in memory exactly as `pack` imports a `.zip` file, without reading the file system
    /// except for the adapter's safetensors, which is extracted to a scratch file (removed with the result).
    /// `name` stands for the zip's file name (messages, the default patch name). With no `created` option and
    /// no `SOURCE_DATE_EPOCH`, `created` is 1970-01-01T00:00:00Z. The byte-based entry point for fuzzing.
    public static func load(zipBytes: [UInt8], name: String = "checkpoint.zip", options: CheckpointImportOptions) throws -> ImportedCheckpoint {
        let archive = try ZipArchive(bytes: zipBytes, name: name)
        return try load(archive: archive, name: name, sha256: { Digest(of: zipBytes).hex }, createdInputs: [], options: options)
    }

    // MARK: Choosing the folder

    /// Picks the files to import: the top-level ones when present (they are the final save; `checkpoint-N`
    /// folders are intermediate saves of the same run), else the requested or only `checkpoint-N` folder.
    static func chooseFolder(path: String, hasTopLevel: Bool, subfolders: [String], requested: String?, notes: inout [String]) throws(CheckpointImportError) -> String {
        if let requested {
            guard subfolders.contains(requested) else {
                throw .notACheckpoint(path: path, reason: "no checkpoint folder \"\(requested)\" with \(fusionFile) (found: \(subfolders.isEmpty ? "none" : subfolders.joined(separator: ", ")))")
            }
            notes.append("using \(requested)/ as requested")
            return requested
        }
        if hasTopLevel {
            if !subfolders.isEmpty {
                notes.append("using the top-level files (the final save of the run); ignoring intermediate \(subfolders.joined(separator: ", ")) (choose one by name to import it instead)")
            }
            return ""
        }
        if subfolders.count == 1, let only = subfolders.first {
            notes.append("no top-level \(fusionFile); using the only intermediate checkpoint \(only)/")
            return only
        }
        if subfolders.isEmpty { throw .missingFile(path: path, file: fusionFile) }
        throw .ambiguousCheckpoint(path: path, candidates: subfolders)
    }

    static func directoryCheckpoints(_ url: URL) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasPrefix("checkpoint-") && FileManager.default.fileExists(atPath: url.appendingPathComponent($0).appendingPathComponent(fusionFile).path) }
            .sorted { checkpointStep($0) < checkpointStep($1) }
    }

    static func checkpointStep(_ name: String) -> Int { Int(name.dropFirst("checkpoint-".count)) ?? Int.max }

    /// (top folder prefix with "/", or "", chosen checkpoint subfolder with "/", or "").
    static func chooseZipFolder(_ archive: ZipArchive, path: String, requested: String?, notes: inout [String]) throws -> (String, String) {
        let names = archive.entries.map(\.name).filter { !$0.hasPrefix("__MACOSX/") && !$0.hasSuffix(".DS_Store") }
        // Descend through single top folders (`pave_x/`, or `outputs/pave_x/`) until the checkpoint files appear.
        var prefix = ""
        while archive.entry(prefix + fusionFile) == nil {
            let below = names.filter { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count) }
            let tops = Set(below.compactMap { $0.split(separator: "/", maxSplits: 1).first.map(String.init) })
            guard tops.count == 1, let top = tops.first, !top.hasPrefix("checkpoint-"),
                  below.allSatisfy({ $0.hasPrefix(top + "/") }) else { break }
            prefix += top + "/"
        }
        var subs: [String] = []
        for n in names where n.hasPrefix(prefix) && n.hasSuffix("/" + fusionFile) {
            let rest = n.dropFirst(prefix.count).split(separator: "/")
            if rest.count == 2, rest[0].hasPrefix("checkpoint-") { subs.append(String(rest[0])) }
        }
        subs.sort { checkpointStep($0) < checkpointStep($1) }
        let chosen = try chooseFolder(path: path, hasTopLevel: archive.entry(prefix + fusionFile) != nil, subfolders: subs, requested: requested, notes: &notes)
        return (prefix, chosen.isEmpty ? "" : chosen + "/")
    }
}
