import Foundation
import PaveFormat
import PaveModel
import PaveTorch

extension PaveCheckpointImporter {
    /// The LoRA section and tensors from PEFT's adapter files.
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
