import Foundation
import PaveFormat

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
            options.progress?("hashing \(f)", 0, 0)
            let size = (try? fm.attributesOfItem(atPath: file(f).path)[.size] as? Int) ?? 0
            files[f] = .object(["sha256": .string(try ContentDigest.sha256Hex(fileAt: file(f))), "size": .int(Int64(size))])
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

    // MARK: Fusion settings

    static func fusionArchitecture(_ file: TorchCheckpointFile, config: [String: JSONValue], options: CheckpointImportOptions,
                                   notes: inout [String]) throws -> (FusionArchitecture, [String: JSONValue], FusionPreset?) {
        let marker = "temporal_aggregator."
        guard let first = file.tensors.first, let r = first.name.range(of: marker) else {
            throw CheckpointImportError.invalidTensor(file: fusionFile, tensor: file.tensors.first?.name ?? "(none)",
                                                      reason: "expected names base_model.model.model.temporal_aggregator.<param>")
        }
        let prefix = String(first.name[..<r.upperBound])
        var shapes: [String: [Int]] = [:]
        for t in file.tensors {
            guard t.name.hasPrefix(prefix) else {
                throw CheckpointImportError.unsupported(file: fusionFile, reason: "tensor \"\(t.name)\" is not under \(prefix) (only the PAVE temporal aggregator is imported)")
            }
            guard [.f32, .bf16, .f16].contains(t.dtype) else {
                throw CheckpointImportError.invalidTensor(file: fusionFile, tensor: t.name, reason: "dtype \(t.dtype.rawValue); fusion parameters are F32, BF16 or F16")
            }
            shapes[String(t.name.dropFirst(prefix.count))] = t.shape
        }
        let inferred = try FusionTensorLayout.infer(shapes: shapes, file: fusionFile, prefix: prefix)
        var prov: [String: JSONValue] = ["inferred_from_shapes": ["input_dim", "embed_dim", "query_dim", "hidden_dim", "output_dim", "layers", "output_mlp", "output_norm"]]
        var preset: FusionPreset?
        if let name = options.preset {
            guard let p = FusionPreset.named(name) else { throw CheckpointImportError.unknownPreset(name: name, known: FusionPreset.all.map(\.name)) }
            preset = p
        }
        // Heads and RoPE: config.json's temporal_aggregator_config, else the preset, else --heads/--rope.
        var heads: (Int, String)?
        var rope: (RoPEMode, String)?
        func settle<T: Equatable>(_ current: inout (T, String)?, _ value: T, _ from: String, field: String) throws {
            if let c = current, c.0 != value { throw CheckpointImportError.conflictingSettings(field: field, first: "\(c.0) (\(c.1))", second: "\(value) (\(from))") }
            if current == nil { current = (value, from) }
        }
        var fromConfig: FusionArchitecture?
        if let tac = config["temporal_aggregator_config"] {
            let a = try FusionArchitecture.fromTemporalAggregatorConfig(tac, file: configFile, prefix: prefix)
            fromConfig = a
            try settle(&heads, a.heads, "config.json temporal_aggregator_config", field: "heads")
            try settle(&rope, a.rope, "config.json temporal_aggregator_config", field: "rope")
            prov["from"] = "config.json temporal_aggregator_config"
        }
        if let p = preset {
            try settle(&heads, p.fusion.heads, "preset \(p.name)", field: "heads")
            try settle(&rope, p.fusion.rope, "preset \(p.name)", field: "rope")
            prov["preset"] = .string(p.name)
            if prov["from"] == nil { prov["from"] = "preset" }
        }
        if let h = options.heads { try settle(&heads, h, "--heads", field: "heads") }
        if let m = options.rope { try settle(&rope, m, "--rope", field: "rope") }
        if prov["from"] == nil, heads != nil || rope != nil { prov["from"] = "options" }
        guard let (h, _) = heads, let (ropeMode, _) = rope else {
            var missing: [String] = []
            if heads == nil { missing.append("attention heads (num_cross_attn_head)") }
            if rope == nil { missing.append("RoPE mode (use_3d_rope)") }
            throw CheckpointImportError.missingFusionSettings(missing: missing,
                hint: "pass --preset NAME (the model-arguments class the checkpoint was trained with; `pavepkg presets` lists them) or \(heads == nil ? "--heads N " : "")\(rope == nil ? "--rope none|3d" : "")")
        }
        let arch = FusionTensorLayout.architecture(inferred, heads: h, rope: ropeMode, prefix: prefix)
        // Whatever a preset or config says about widths must match the tensors.
        for (label, other) in [("config.json temporal_aggregator_config", fromConfig), ("preset \(preset?.name ?? "")", preset?.fusion)] {
            guard let o = other else { continue }
            for (field, a, b) in [("input_dim", arch.inputDim, o.inputDim), ("embed_dim", arch.embedDim, o.embedDim), ("query_dim", arch.queryDim, o.queryDim),
                                  ("hidden_dim", arch.hiddenDim, o.hiddenDim), ("output_dim", arch.outputDim, o.outputDim), ("layers", arch.layers, o.layers)] where a != b {
                throw CheckpointImportError.conflictingSettings(field: "fusion \(field)", first: "\(a) (tensor shapes in \(fusionFile))", second: "\(b) (\(label))")
            }
        }
        guard h > 0, arch.hiddenDim % h == 0 else {
            throw CheckpointImportError.invalidConfig(file: configFile, field: "heads", reason: "\(h) heads do not divide the decoder width \(arch.hiddenDim)")
        }
        if ropeMode == .threeD, arch.hiddenDim / h != 128 {
            throw CheckpointImportError.invalidConfig(file: configFile, field: "rope", reason: "3D RoPE needs head dim 128, got \(arch.hiddenDim)/\(h) = \(arch.hiddenDim / h)")
        }
        notes.append("fusion: \(arch.layers) layers, \(arch.inputDim)→\(arch.embedDim), queries \(arch.queryDim)→\(arch.hiddenDim), output \(arch.outputDim), \(h) heads, rope \(ropeMode.rawValue) (\(prov["from"]?.stringValue ?? "?"))")
        return (arch, prov, preset)
    }

    // MARK: LoRA

    static func loraAdapter(_ st: SafetensorsFile, config: [String: JSONValue]) throws -> (LoRAConfig, [ImportedTensor]) {
        func field(_ k: String) -> JSONValue? { config[k] }
        if let t = field("peft_type")?.stringValue, t != "LORA" { throw CheckpointImportError.unsupported(file: adapterConfigFile, reason: "peft_type \(t) (only LORA)") }
        if field("use_dora")?.boolValue == true { throw CheckpointImportError.unsupported(file: adapterConfigFile, reason: "DoRA adapters (use_dora true)") }
        for k in ["rank_pattern", "alpha_pattern"] {
            if let o = field(k)?.objectValue, !o.isEmpty { throw CheckpointImportError.unsupported(file: adapterConfigFile, reason: "per-module \(k)") }
        }
        guard let r = field("r")?.intValue, r > 0 else { throw CheckpointImportError.invalidConfig(file: adapterConfigFile, field: "r", reason: "expected a positive integer") }
        guard let alpha = field("lora_alpha")?.doubleValue else { throw CheckpointImportError.invalidConfig(file: adapterConfigFile, field: "lora_alpha", reason: "expected a number") }
        let rslora = field("use_rslora")?.boolValue ?? false
        let prefix = "base_model.model."
        var modules: [String: (a: SafetensorsFile.Entry?, b: SafetensorsFile.Entry?)] = [:]
        for e in st.entries {
            guard e.name.hasPrefix(prefix) else { throw CheckpointImportError.unsupported(file: adapterFile, reason: "tensor \"\(e.name)\" does not start with \(prefix)") }
            let rest = e.name.dropFirst(prefix.count)
            if rest.hasSuffix(".lora_A.weight") {
                modules[String(rest.dropLast(".lora_A.weight".count)), default: (nil, nil)].a = e
            } else if rest.hasSuffix(".lora_B.weight") {
                modules[String(rest.dropLast(".lora_B.weight".count)), default: (nil, nil)].b = e
            } else {
                throw CheckpointImportError.unsupported(file: adapterFile, reason: "tensor \"\(e.name)\" is not a lora_A / lora_B weight (biases, embeddings, modules_to_save are not supported)")
            }
        }
        let targets = field("target_modules")?.arrayValue?.compactMap(\.stringValue)
        for (m, pair) in modules.sorted(by: { $0.key < $1.key }) {
            guard let a = pair.a, let b = pair.b else {
                throw CheckpointImportError.invalidTensor(file: adapterFile, tensor: prefix + m + (pair.a == nil ? ".lora_A.weight" : ".lora_B.weight"), reason: "missing (its pair is present)")
            }
            guard a.shape.count == 2, a.shape[0] == r else {
                throw CheckpointImportError.invalidTensor(file: adapterFile, tensor: a.name, reason: "shape \(Shape.describe(a.shape)), expected (r = \(r), in_features)")
            }
            guard b.shape.count == 2, b.shape[1] == r else {
                throw CheckpointImportError.invalidTensor(file: adapterFile, tensor: b.name, reason: "shape \(Shape.describe(b.shape)), expected (out_features, r = \(r))")
            }
            guard a.dtype.isFloatingPoint, b.dtype == a.dtype else {
                throw CheckpointImportError.invalidTensor(file: adapterFile, tensor: b.name, reason: "dtypes \(a.dtype.rawValue) / \(b.dtype.rawValue); expected one floating-point dtype")
            }
            if let targets, !targets.contains(where: { m == $0 || m.hasSuffix("." + $0) }) {
                throw CheckpointImportError.invalidTensor(file: adapterFile, tensor: a.name, reason: "module \(m) is not among adapter_config.json target_modules")
            }
        }
        let cfg = LoRAConfig(r: r, alpha: alpha, useRSLoRA: rslora, targetModules: modules.keys.sorted(), tensorPrefix: prefix, peftConfig: .object(config))
        let tensors = st.entries.map { ImportedTensor(name: $0.name, file: st, entry: $0) }
        return (cfg, tensors)
    }

    /// The output width of a q_proj (or o_proj) LoRA B, which equals the LLM hidden size.
    static func loraOutputWidth(_ cfg: LoRAConfig, _ st: SafetensorsFile) -> Int? {
        for m in cfg.targetModules where m.hasSuffix("q_proj") || m.hasSuffix("o_proj") {
            if let b = st.entry(cfg.tensorPrefix + m + ".lora_B.weight") { return b.shape[0] }
        }
        return nil
    }
}
