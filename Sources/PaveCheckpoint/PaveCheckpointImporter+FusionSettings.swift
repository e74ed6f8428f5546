import Foundation
import PaveFormat
import PaveModel
import PaveTorch

extension PaveCheckpointImporter {
    /// Fusion architecture from tensor shapes plus heads / RoPE from config.json, the preset or the options
    /// (spec/checkpoint-import.md §3).
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
        if let h = options.heads { try settle(&heads, h, "the heads import option", field: "heads") }
        if let m = options.rope { try settle(&rope, m, "the rope import option", field: "rope") }
        if prov["from"] == nil, heads != nil || rope != nil { prov["from"] = "options" }
        guard let (h, _) = heads, let (ropeMode, _) = rope else {
            var missing: [String] = []
            if heads == nil { missing.append("attention heads (num_cross_attn_head)") }
            if rope == nil { missing.append("RoPE mode (use_3d_rope)") }
            throw CheckpointImportError.missingFusionSettings(missing: missing,
                hint: "name the preset (the model-arguments class the checkpoint was trained with; the presets list names them all) or give \([heads == nil ? "the number of attention heads" : nil, rope == nil ? "the RoPE mode (none or 3d)" : nil].compactMap { $0 }.joined(separator: " and "))")
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
}
