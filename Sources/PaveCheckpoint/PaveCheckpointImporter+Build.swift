import Foundation
import PaveFormat
import PaveModel
import PaveTorch

/// What one import reads: the checkpoint folder's files (on disk or from a zip) and how to describe the input.
struct CheckpointInputs {
    /// The folder's files present, by name.
    var files: [String: CheckpointFile]
    /// The input's name (directory or zip file name) for messages.
    var label: String
    /// Default patch name.
    var folderName: String
    /// `provenance.source`.
    var source: [String: JSONValue]
    /// Files whose newest modification time gives `created` when nothing else does.
    var createdInputs: [URL]
}

extension PaveCheckpointImporter {
    /// The parsed checkpoint before any cross-check: JSON files, the fusion archive and the adapter.
    struct ParsedCheckpoint {
        var config: [String: JSONValue]
        var adapterConfig: [String: JSONValue]?
        var fusion: FusionArchitecture
        var fusionSettings: [String: JSONValue]
        var preset: FusionPreset?
        var fusionTensors: [ImportedTensor]
        var lora: LoRAConfig?
        var loraTensors: [ImportedTensor]
        /// Output width of the LoRA `q_proj`, when the adapter has one.
        var loraOutputWidth: Int?
    }

    /// Reads a checkpoint folder's files and assembles the manifest and tensor list: a parse, then a list of
    /// named checks, then the manifest, checked by the executor's own rules.
    static func build(_ inputs: CheckpointInputs, options: CheckpointImportOptions, notes: inout [String]) throws -> (Manifest, [ImportedTensor]) {
        try checkRequiredFiles(inputs)
        let files = try sourceFileRecords(inputs, options: options)
        let parsed = try parse(inputs, options: options, notes: &notes)
        try checkHiddenSizes(parsed)
        checkModelType(parsed, notes: &notes)
        let manifest = try manifest(parsed, inputs: inputs, files: files, options: options, notes: &notes)
        let tensors = parsed.fusionTensors + parsed.loraTensors
        try validate(manifest, tensors: tensors)
        return (manifest, tensors)
    }

    // MARK: Parse

    static func parse(_ inputs: CheckpointInputs, options: CheckpointImportOptions, notes: inout [String]) throws -> ParsedCheckpoint {
        let config = try jsonObject(try file(configFile, in: inputs))
        let adapterConfig = try inputs.files[adapterConfigFile].map { try jsonObject($0) }
        // Fusion module, in PAVE's state_dict order.
        let torchFile = try file(fusionFile, in: inputs).torchCheckpoint()
        let (fusion, fusionSettings, preset) = try fusionArchitecture(torchFile, config: config, options: options, notes: &notes)
        let order = Dictionary(uniqueKeysWithValues: FusionTensorLayout.expectedShapes(fusion).enumerated().map { ($1.name, $0) })
        func rank(_ t: TorchCheckpointFile.Tensor) -> Int { order[String(t.name.dropFirst(fusion.tensorPrefix.count))] ?? .max }
        let fusionTensors = try torchFile.tensors.sorted { rank($0) < rank($1) }.map { try torchFile.source(for: $0) }
        // LoRA adapter.
        var parsed = ParsedCheckpoint(config: config, adapterConfig: adapterConfig, fusion: fusion, fusionSettings: fusionSettings,
                                      preset: preset, fusionTensors: fusionTensors, lora: nil, loraTensors: [], loraOutputWidth: nil)
        if let adapterConfig {
            let st = try file(adapterFile, in: inputs).safetensors()
            let (cfg, tensors) = try loraAdapter(st, config: adapterConfig)
            parsed.lora = cfg
            parsed.loraTensors = tensors
            parsed.loraOutputWidth = loraOutputWidth(cfg, st)
        } else {
            notes.append("no adapter_config.json / adapter_model.safetensors: the patch has no LoRA adapter")
        }
        return parsed
    }

    static func file(_ name: String, in inputs: CheckpointInputs) throws -> CheckpointFile {
        guard let f = inputs.files[name] else { throw CheckpointImportError.missingFile(path: inputs.label, file: name) }
        return f
    }

    static func jsonObject(_ file: CheckpointFile) throws -> [String: JSONValue] {
        let bytes = try file.contents(maxSize: maxJSONBytes)
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw CheckpointImportError.invalidConfig(file: file.name, field: "(file)", reason: "not valid JSON: \(error)")
        }
        guard let o = value.objectValue else { throw CheckpointImportError.invalidConfig(file: file.name, field: "(file)", reason: "not a JSON object") }
        return o
    }

    // MARK: Checks

    /// The fusion archive and config.json must be there; the adapter's two files come together or not at all.
    static func checkRequiredFiles(_ inputs: CheckpointInputs) throws {
        for required in [fusionFile, configFile] where inputs.files[required] == nil {
            throw CheckpointImportError.missingFile(path: inputs.label, file: required)
        }
        let hasAdapterConfig = inputs.files[adapterConfigFile] != nil, hasAdapter = inputs.files[adapterFile] != nil
        if hasAdapterConfig != hasAdapter {
            throw CheckpointImportError.missingFile(path: inputs.label, file: hasAdapter ? adapterConfigFile : adapterFile)
        }
    }

    /// The fusion output width, the LoRA `q_proj` output width and config.json's `hidden_size` are one number.
    static func checkHiddenSizes(_ p: ParsedCheckpoint) throws {
        if let outDim = p.loraOutputWidth, outDim != p.fusion.outputDim {
            throw CheckpointImportError.conflictingSettings(field: "LLM hidden size", first: "\(p.fusion.outputDim) (fusion output width)", second: "\(outDim) (LoRA q_proj output width)")
        }
        if let hidden = p.config["hidden_size"]?.intValue, hidden != p.fusion.outputDim {
            throw CheckpointImportError.conflictingSettings(field: "LLM hidden size", first: "\(p.fusion.outputDim) (fusion output width)", second: "\(hidden) (config.json hidden_size)")
        }
    }

    /// A model type other than PAVE's is noted, not refused.
    static func checkModelType(_ p: ParsedCheckpoint, notes: inout [String]) {
        if let mt = p.config["model_type"]?.stringValue, mt != "pave_qwen2" {
            notes.append("config.json model_type is \"\(mt)\" (PAVE checkpoints say \"pave_qwen2\")")
        }
    }

    /// The executor's own checks: hyperparameters, every tensor's name, dtype and shape.
    static func validate(_ manifest: Manifest, tensors: [ImportedTensor]) throws {
        let spec = try PatchSpec(manifest: manifest)
        try spec.validate(tensors.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) })
    }

    // MARK: Manifest

    /// Every source file's name, size and SHA-256 (streamed, or already computed while extracting).
    static func sourceFileRecords(_ inputs: CheckpointInputs, options: CheckpointImportOptions) throws -> [String: JSONValue] {
        var files: [String: JSONValue] = [:]
        for name in checkpointFiles {
            guard let f = inputs.files[name] else { continue }
            let digest = try f.digest { options.progress?("hashing \(name)", $0, $1) }
            files[name] = .object(["sha256": .string(digest), "size": .int(Int64(f.size))])
        }
        return files
    }

    static func manifest(_ p: ParsedCheckpoint, inputs: CheckpointInputs, files: [String: JSONValue], options: CheckpointImportOptions,
                         notes: inout [String]) throws -> Manifest {
        var manifest = Manifest(name: options.name ?? inputs.folderName, version: options.version ?? "0.1.0")
        manifest.description = "PAVE patch imported from \(inputs.source["name"]?.stringValue ?? inputs.folderName)"
        manifest.tool = options.tool
        manifest.tags = ["pave", "imported"]
        // Deterministic: the created option, else SOURCE_DATE_EPOCH, else the newest mtime of the source files (or the zip).
        manifest.created = try RFC3339.created(explicit: options.created, environment: ProcessInfo.processInfo.environment, inputs: inputs.createdInputs)
        try manifest.encode(p.fusion, forKey: ManifestKey.fusion)
        try manifest.encode(p.lora, forKey: ManifestKey.lora)
        if let preset = p.preset {
            var side = preset.sideChannel
            side.name = manifest.name
            try manifest.encode(side, forKey: ManifestKey.sideChannel)
        }
        // The `base` section, as the signature module derives it from a PAVE config.json (name and
        // architecture, no signature: the real base model is not at hand).
        let fallbackBase = p.adapterConfig?["base_model_name_or_path"]?.stringValue.flatMap { BaseSignature.isHubID($0) ? $0 : nil } ?? "unknown"
        do {
            try manifest.setBaseReference(try BaseReference(fromPaveConfig: .object(p.config), path: configFile, fallbackName: fallbackBase))
        } catch {
            notes.append("no base section: \(error)")
        }
        manifest[ManifestKey.provenance] = .object(provenance(p, inputs: inputs, files: files, options: options))
        return manifest
    }

    /// `provenance`: importer, tool, source, files, config.json verbatim (so export can give it back), model
    /// type, base model name and where it came from, and how the fusion settings were found.
    static func provenance(_ p: ParsedCheckpoint, inputs: CheckpointInputs, files: [String: JSONValue], options: CheckpointImportOptions) -> [String: JSONValue] {
        var provenance: [String: JSONValue] = ["importer": .string(importerVersion), "tool": .string(options.tool),
                                               "source": .object(inputs.source), "files": .object(files), "config_json": .object(p.config)]
        if let mt = p.config["model_type"]?.stringValue { provenance["model_type"] = .string(mt) }
        if let base = p.config["_name_or_path"]?.stringValue, !base.isEmpty {
            provenance["base_model"] = .object(["name": .string(base), "from": "config.json _name_or_path"])
        } else if let base = p.adapterConfig?["base_model_name_or_path"]?.stringValue, !base.isEmpty {
            provenance["base_model"] = .object(["name": .string(base), "from": "adapter_config.json base_model_name_or_path"])
        }
        provenance["fusion_settings"] = .object(p.fusionSettings)
        return provenance
    }
}
