import Foundation
import PaveFormat
import PaveModel
import PaveTorch

extension PaveCheckpointImporter {
    /// Reads the four files of a checkpoint folder and assembles the manifest and tensor list.
    static func build(folder: URL, folderName: String, source: [String: JSONValue], createdInputs: [URL],
                      options: CheckpointImportOptions, notes: inout [String]) throws -> (Manifest, [ImportedTensor]) {
        let fm = FileManager.default
        func file(_ n: String) -> URL { folder.appendingPathComponent(n) }
        for required in [fusionFile, configFile] where !fm.fileExists(atPath: file(required).path) {
            throw CheckpointImportError.missingFile(path: source["name"]?.stringValue ?? folder.path, file: required)
        }
        let hasAdapterConfig = fm.fileExists(atPath: file(adapterConfigFile).path), hasAdapter = fm.fileExists(atPath: file(adapterFile).path)
        if hasAdapterConfig != hasAdapter {
            throw CheckpointImportError.missingFile(path: source["name"]?.stringValue ?? folder.path, file: hasAdapter ? adapterConfigFile : adapterFile)
        }

        // Provenance: every source file's name, size and SHA-256 (streamed).
        var files: [String: JSONValue] = [:]
        for f in checkpointFiles where fm.fileExists(atPath: file(f).path) {
            let size = (try? fm.attributesOfItem(atPath: file(f).path)[.size] as? Int) ?? 0
            let digest = try ContentDigest.sha256Hex(fileAt: file(f)) { options.progress?("hashing \(f)", $0, $1) }
            files[f] = .object(["sha256": .string(digest), "size": .int(Int64(size))])
        }

        let config = try readJSONObject(file(configFile), name: configFile)
        // config.json is kept verbatim so that `export --format pave-checkpoint` can give it back.
        var provenance: [String: JSONValue] = ["importer": .string(importerVersion), "tool": .string(options.tool),
                                               "source": .object(source), "files": .object(files), "config_json": .object(config)]
        if let mt = config["model_type"]?.stringValue {
            provenance["model_type"] = .string(mt)
            if mt != "pave_qwen2" { notes.append("config.json model_type is \"\(mt)\" (PAVE checkpoints say \"pave_qwen2\")") }
        }
        var adapterConfig: [String: JSONValue]?
        if hasAdapterConfig { adapterConfig = try readJSONObject(file(adapterConfigFile), name: adapterConfigFile) }
        if let base = config["_name_or_path"]?.stringValue, !base.isEmpty {
            provenance["base_model"] = .object(["name": .string(base), "from": "config.json _name_or_path"])
        } else if let base = adapterConfig?["base_model_name_or_path"]?.stringValue, !base.isEmpty {
            provenance["base_model"] = .object(["name": .string(base), "from": "adapter_config.json base_model_name_or_path"])
        }

        // Fusion module.
        let torchFile = try TorchCheckpointFile(url: file(fusionFile))
        let (fusion, fusionProvenance, preset) = try fusionArchitecture(torchFile, config: config, options: options, notes: &notes)
        provenance["fusion_settings"] = .object(fusionProvenance)
        let order = Dictionary(uniqueKeysWithValues: FusionTensorLayout.expectedShapes(fusion).enumerated().map { ($1.name, $0) })
        let fusionTensors = try torchFile.tensors
            .sorted { (order[String($0.name.dropFirst(fusion.tensorPrefix.count))] ?? .max) < (order[String($1.name.dropFirst(fusion.tensorPrefix.count))] ?? .max) }
            .map { try torchFile.source(for: $0) }

        // LoRA adapter.
        var lora: LoRAConfig?
        var loraTensors: [ImportedTensor] = []
        if let adapterConfig {
            let st = try SafetensorsFile(file(adapterFile))
            let (cfg, tensors) = try loraAdapter(st, config: adapterConfig)
            lora = cfg
            loraTensors = tensors
            if let outDim = loraOutputWidth(cfg, st), outDim != fusion.outputDim {
                throw CheckpointImportError.conflictingSettings(field: "LLM hidden size", first: "\(fusion.outputDim) (fusion output width)", second: "\(outDim) (LoRA q_proj output width)")
            }
        } else {
            notes.append("no adapter_config.json / adapter_model.safetensors: the patch has no LoRA adapter")
        }
        if let hidden = config["hidden_size"]?.intValue, hidden != fusion.outputDim {
            throw CheckpointImportError.conflictingSettings(field: "LLM hidden size", first: "\(fusion.outputDim) (fusion output width)", second: "\(hidden) (config.json hidden_size)")
        }

        var manifest = Manifest(name: options.name ?? folderName, version: options.version ?? "0.1.0")
        manifest.description = "PAVE patch imported from \(source["name"]?.stringValue ?? folderName)"
        manifest.tool = options.tool
        manifest.tags = ["pave", "imported"]
        // Deterministic: --created, else SOURCE_DATE_EPOCH, else the newest mtime of the source files (or the zip).
        manifest.created = try RFC3339.created(explicit: options.created, environment: ProcessInfo.processInfo.environment, inputs: createdInputs)
        try manifest.encode(fusion, forKey: ManifestKey.fusion)
        try manifest.encode(lora, forKey: ManifestKey.lora)
        if let preset {
            var side = preset.sideChannel
            side.name = manifest.name
            try manifest.encode(side, forKey: ManifestKey.sideChannel)
        }
        // The `base` section, as the signature module derives it from a PAVE config.json (name and
        // architecture, no signature: the real base model is not at hand).
        let fallbackBase = adapterConfig?["base_model_name_or_path"]?.stringValue.flatMap { BaseSignature.isHubID($0) ? $0 : nil } ?? "unknown"
        do {
            try manifest.setBaseReference(try BaseReference(fromPaveConfig: .object(config), path: configFile, fallbackName: fallbackBase))
        } catch {
            notes.append("no base section: \(error)")
        }
        manifest[ManifestKey.provenance] = .object(provenance)
        // The executor's own checks: hyperparameters, every tensor's name, dtype and shape.
        let all = fusionTensors + loraTensors
        let spec = try PatchSpec(manifest: manifest)
        try spec.validate(all.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) })
        return (manifest, all)
    }

    static func readJSONObject(_ url: URL, name: String) throws -> [String: JSONValue] {
        let f = try RandomAccessFile(url)
        guard f.size <= maxJSONBytes else { throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "\(f.size) bytes exceeds \(maxJSONBytes)") }
        let value: JSONValue
        do { value = try JSONValue.parse(try f.read(at: 0, count: f.size)) } catch {
            throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "not valid JSON")
        }
        guard let o = value.objectValue else { throw CheckpointImportError.invalidConfig(file: name, field: "(file)", reason: "not a JSON object") }
        return o
    }
}
