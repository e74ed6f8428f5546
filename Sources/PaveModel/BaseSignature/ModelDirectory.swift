import Foundation
import PaveFormat

/// A Hugging Face style model directory opened for signing: `config.json` parsed, every safetensors shard's
/// header read and cross-checked against the index. Tensor data is never read here.
public struct ModelDirectory: Sendable {
    /// Largest `config.json` / index accepted.
    public static let maxJSONSize = 64 << 20

    /// Where a covered tensor's bytes are.
    public struct Location: Sendable {
        public let file: SafetensorsFile
        public let entry: SafetensorsFile.Entry
        /// The shard opened for positioned reads (shared by its tensors).
        let raw: any PaveByteSource
        /// Absolute offset of the tensor's first byte in the shard.
        var absoluteOffset: Int { file.dataStart + entry.begin }
    }

    public let url: URL
    /// `config.json`, parsed.
    public let config: JSONValue
    /// The architecture read from `config.json`.
    public let architecture: BaseArchitecture
    /// The canonical description (architecture + covered tensors).
    public let description: BaseDescription
    /// Covered tensors by name.
    public let locations: [String: Location]
    /// Shard file names read (one for a single-file model).
    public let shards: [String]

    /// Opens `url` and reads `config.json` and every shard header.
    ///
    /// - Throws: ``BaseSignatureError`` naming the file and what is wrong: not a directory, no config, no
    ///   weights, a missing shard, a git-LFS pointer, a header that lies about its data, a tensor in the
    ///   index but not in its shard (or the reverse), layers that disagree with `num_hidden_layers`.
    public init(_ url: URL) throws(BaseSignatureError) {
        try self.init(files: DirectoryFiles(url), url: url)
    }

    /// Reads the model from `files` (a directory on disk, or files in memory); `url` names it in messages.
    public init(files: any ModelDirectoryFiles, url: URL) throws(BaseSignatureError) {
        self.url = url
        guard files.isDirectory else { throw .notADirectory(path: url.path) }
        let configURL = url.appendingPathComponent("config.json")
        guard files.exists("config.json") else { throw .missingConfig(directory: url.path) }
        let config = try Self.readJSON(files, "config.json", url: configURL)
        self.config = config
        let architecture = try BaseArchitecture(config: config, path: configURL.path)
        self.architecture = architecture

        // Which shards, and (for an index) which tensor lives where.
        let indexURL = url.appendingPathComponent("model.safetensors.index.json")
        var weightMap: [String: String]?
        var shardNames: [String]
        if files.exists("model.safetensors") {
            shardNames = ["model.safetensors"]
        } else if files.exists("model.safetensors.index.json") {
            let map = try Self.readWeightMap(files, "model.safetensors.index.json", url: indexURL)
            weightMap = map
            shardNames = Array(Set(map.values)).sorted()
        } else {
            throw .noWeights(directory: url.path)
        }
        shards = shardNames

        // Read every header.
        var all: [String: (shard: String, location: Location)] = [:]
        for shard in shardNames {
            let shardURL = url.appendingPathComponent(shard)
            guard files.exists(shard) else {
                throw .missingShard(index: indexURL.path, shard: shard, tensors: weightMap?.values.filter { $0 == shard }.count ?? 0)
            }
            let (file, raw) = try Self.openShard(files, shard, url: shardURL)
            for entry in file.entries {
                if let map = weightMap, map[entry.name] != shard {
                    // A tensor the index does not place here: only matters if the signature covers it.
                    if DecoderTensorName(entry.name) != nil || entry.name.hasPrefix("model.mm_projector.") {
                        throw .tensorNotInIndex(tensor: entry.name, shard: shardURL.path, index: indexURL.path)
                    }
                    continue
                }
                all[entry.name] = (shard, Location(file: file, entry: entry, raw: raw))
            }
        }
        if let map = weightMap {
            for (name, shard) in map.sorted(by: { $0.key < $1.key }) where all[name] == nil {
                throw .tensorNotInShard(tensor: name, shard: url.appendingPathComponent(shard).path, index: indexURL.path)
            }
        }

        // Select the covered tensors.
        var locations: [String: Location] = [:]
        var layers = Set<Int>()
        for (name, value) in all {
            var covered = name.hasPrefix("model.mm_projector.")
            if let parsed = DecoderTensorName(name) {
                let weightName = DecoderTensorName.prefix + "\(parsed.layer).\(parsed.module).weight"
                if let weight = all[weightName]?.location.entry, weight.shape.count == 2, parsed.parameter == "weight" || parsed.parameter == "bias" {
                    covered = true
                    layers.insert(parsed.layer)
                }
            }
            if covered { locations[name] = value.location }
        }
        guard !layers.isEmpty else { throw .noDecoderLayers(directory: url.path) }
        let sortedLayers = layers.sorted()
        guard sortedLayers == Array(0..<architecture.numHiddenLayers) else {
            throw .layerCountMismatch(path: configURL.path, configLayers: architecture.numHiddenLayers, foundLayers: sortedLayers)
        }
        self.locations = locations
        description = BaseDescription(
            architecture: architecture,
            tensors: locations.map { BaseDescription.Tensor(name: $0.key, dtype: $0.value.entry.dtype, shape: $0.value.entry.shape) })
    }

    /// Total bytes of the covered tensors.
    public var coveredByteCount: Int { locations.values.reduce(0) { $0 + $1.entry.byteCount } }

    // MARK: Reading

    static func readJSON(_ url: URL) throws(BaseSignatureError) -> JSONValue {
        try readJSON(DirectoryFiles(url.deletingLastPathComponent()), url.lastPathComponent, url: url)
    }

    static func readJSON(_ files: any ModelDirectoryFiles, _ name: String, url: URL) throws(BaseSignatureError) -> JSONValue {
        let file: any PaveByteSource
        do { file = try files.open(name) } catch { throw .io(path: url.path, reason: "\(error)") }
        guard file.size <= maxJSONSize else { throw .invalidConfig(path: url.path, reason: "\(file.size) bytes is over the \(maxJSONSize)-byte limit") }
        let bytes: [UInt8]
        do { bytes = try file.read(at: 0, count: file.size) } catch { throw .io(path: url.path, reason: "\(error)") }
        if let pointer = LFSPointer(bytes) { throw .lfsPointer(path: url.path, oid: pointer.oid, size: pointer.size) }
        do { return try JSONValue.parse(bytes) } catch { throw .invalidConfig(path: url.path, reason: "not valid JSON: \(error)") }
    }

    static func readWeightMap(_ files: any ModelDirectoryFiles, _ name: String, url: URL) throws(BaseSignatureError) -> [String: String] {
        let json: JSONValue
        do { json = try readJSON(files, name, url: url) } catch {
            if case let .invalidConfig(path, reason) = error { throw .invalidIndex(path: path, reason: reason) }
            throw error
        }
        guard let map = json["weight_map"]?.objectValue else { throw .invalidIndex(path: url.path, reason: "no \"weight_map\" object") }
        guard !map.isEmpty else { throw .invalidIndex(path: url.path, reason: "\"weight_map\" is empty") }
        var out: [String: String] = [:]
        for (name, value) in map {
            guard let shard = value.stringValue else { throw .invalidIndex(path: url.path, reason: "weight_map[\"\(name)\"] is not a string") }
            guard !shard.isEmpty, shard != ".", shard != "..", !shard.contains("/"), !shard.contains("\\"),
                !shard.unicodeScalars.contains(where: { $0.value < 0x20 })
            else { throw .invalidName(path: url.path, name: shard, reason: "a shard must be a plain file name in the model directory") }
            out[name] = shard
        }
        return out
    }

    /// Opens one shard, telling a git-LFS pointer and a header that runs past the file apart from other damage.
    static func openShard(_ files: any ModelDirectoryFiles, _ name: String, url: URL) throws(BaseSignatureError) -> (SafetensorsFile, any PaveByteSource) {
        let raf: any PaveByteSource
        do { raf = try files.open(name) } catch { throw .io(path: url.path, reason: "\(error)") }
        if raf.size < 1024, let head = try? raf.read(at: 0, count: raf.size), let pointer = LFSPointer(head) {
            throw .lfsPointer(path: url.path, oid: pointer.oid, size: pointer.size)
        }
        do { return (try SafetensorsFile(source: raf, url: url), raf) } catch {
            if let beyond = Self.dataBeyondFile(raf, path: url.path) { throw beyond }
            throw .invalidShard(path: url.path, reason: error.description)
        }
    }

    /// When `SafetensorsFile` refuses a shard: whether its header declares data past the end of the file
    /// (the most common damage: a truncated download). `nil` when that is not the problem.
    private static func dataBeyondFile(_ raf: any PaveByteSource, path: String) -> BaseSignatureError? {
        guard raf.size >= 8, let lenBytes = try? raf.read(at: 0, count: 8) else { return nil }
        let n = Int(clamping: ByteReader.u64(lenBytes, at: 0) ?? 0)
        guard n >= 0, n <= SafetensorsFile.maxHeaderSize, n <= raf.size - 8, let header = try? raf.read(at: 8, count: n),
            let object = (try? JSONValue.parse(header))?.objectValue
        else { return nil }
        var worst: (name: String, end: Int)?
        for (name, value) in object where name != "__metadata__" {
            guard let end = value["data_offsets"]?.arrayValue?.last?.intValue else { continue }
            if end > (worst?.end ?? Int.min) { worst = (name, end) }
        }
        guard let worst else { return nil }
        let (absoluteEnd, overflow) = worst.end.addingReportingOverflow(8 + n)
        guard overflow || absoluteEnd > raf.size else { return nil }
        return .dataBeyondFile(path: path, tensor: worst.name, dataEnd: overflow ? Int.max : absoluteEnd, fileSize: raf.size)
    }
}

/// A git-LFS pointer file (`version https://git-lfs.github.com/spec/v1`, `oid sha256:…`, `size N`).
struct LFSPointer {
    var oid: String?
    var size: Int?

    init?(_ bytes: [UInt8]) {
        guard bytes.count < 1024 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("version https://git-lfs.github.com/spec/") else { return nil }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("oid ") { oid = String(line.dropFirst(4)) }
            if line.hasPrefix("size ") { size = Int(line.dropFirst(5)) }
        }
    }
}
