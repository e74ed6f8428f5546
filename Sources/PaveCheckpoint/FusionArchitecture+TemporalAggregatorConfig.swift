import PaveFormat
import PaveModel
import PaveTorch

extension FusionArchitecture {
    /// This architecture as PAVE's `temporal_aggregator_config` dict (the model-arguments class attribute the
    /// PAVE loader copies onto the model config; `pavepkg export` adds it to `config.json`).
    public func temporalAggregatorConfig() -> JSONValue {
        .object([
            "fast_input_mapping_type": "linear", "query_type": "slow_feat",
            "input_dim": .int(Int64(inputDim)), "embed_dim": .int(Int64(embedDim)), "query_input_dim": .int(Int64(queryDim)),
            "cross_attn_hidden_dim": .int(Int64(hiddenDim)), "output_dim": .int(Int64(outputDim)),
            "num_cross_attn_head": .int(Int64(heads)), "num_cross_attn_layer": .int(Int64(layers)),
            "use_3d_rope": .bool(rope == .threeD), "use_output_mlp": .bool(outputMLP), "mlp_depth": .int(Int64(mlpDepth)),
            "use_output_norm": .bool(outputNorm), "use_dropout": false, "train_addition_start_end_tokens": false,
            "use_slow_feat_before_mlp": .bool(querySource == "slow_feat_before_mlp"),
        ])
    }

    /// Reads a `temporal_aggregator_config` dict. Absent fields take the PAVEModuleV5 constructor defaults
    /// where it has one (`use_3d_rope` True, `use_output_mlp` True, `mlp_depth` 2, `use_output_norm` True …);
    /// `num_cross_attn_head` has none and is required. Settings the executor cannot run are refused.
    public static func fromTemporalAggregatorConfig(_ v: JSONValue, file: String, prefix: String) throws(CheckpointImportError) -> FusionArchitecture {
        let field = "temporal_aggregator_config"
        guard let o = v.objectValue else { throw .invalidConfig(file: file, field: field, reason: "not a JSON object") }
        func int(_ k: String, default d: Int? = nil) throws(CheckpointImportError) -> Int {
            guard let x = o[k] else {
                guard let d else { throw .invalidConfig(file: file, field: "\(field).\(k)", reason: "missing") }
                return d
            }
            guard let i = x.intValue, i > 0 else { throw .invalidConfig(file: file, field: "\(field).\(k)", reason: "expected a positive integer") }
            return i
        }
        func bool(_ k: String, default d: Bool) throws(CheckpointImportError) -> Bool {
            guard let x = o[k] else { return d }
            guard let b = x.boolValue else { throw .invalidConfig(file: file, field: "\(field).\(k)", reason: "expected true or false") }
            return b
        }
        if let t = o["fast_input_mapping_type"], t.stringValue != "linear" {
            throw .unsupported(file: file, reason: "\(field).fast_input_mapping_type \(t) (only 'linear')")
        }
        if let q = o["query_type"], q.stringValue != "slow_feat" { throw .unsupported(file: file, reason: "\(field).query_type \(q) (only 'slow_feat')") }
        if try bool("train_addition_start_end_tokens", default: false) { throw .unsupported(file: file, reason: "\(field).train_addition_start_end_tokens true") }
        if try !bool("use_slow_feat_before_mlp", default: true) { throw .unsupported(file: file, reason: "\(field).use_slow_feat_before_mlp false") }
        let hidden = try int("cross_attn_hidden_dim")
        return FusionArchitecture(
            inputDim: try int("input_dim"), embedDim: try int("embed_dim"), queryDim: try int("query_input_dim", default: 1152),
            hiddenDim: hidden, outputDim: try int("output_dim"), heads: try int("num_cross_attn_head"),
            layers: try int("num_cross_attn_layer"), rope: try bool("use_3d_rope", default: true) ? .threeD : .none,
            outputMLP: try bool("use_output_mlp", default: true), mlpDepth: try int("mlp_depth", default: 2),
            outputNorm: try bool("use_output_norm", default: true), tensorPrefix: prefix)
    }
}
