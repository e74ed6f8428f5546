import Foundation
import PaveFormat
import PaveModel
import PaveTorch

/// Writes a patch back in formats the Python ecosystem loads:
/// - ``Format/paveCheckpoint``: a PAVE training output directory — `config.json` (with
///   `temporal_aggregator_config`), `non_lora_trainables.bin` (torch.save zip format, readable by
///   `torch.load(path, weights_only=True)`), `adapter_config.json`, `adapter_model.safetensors`;
/// - ``Format/safetensors``: every tensor in one safetensors file, the manifest in `__metadata__`;
/// - ``Format/peft``: the PEFT adapter files only.
///
/// The output directory is built beside its destination under a temporary name and renamed into place
/// at the end: on any error nothing is left behind.
public enum PaveCheckpointExporter {
    /// Output formats of `pavepkg export --format`.
    public enum Format: String, CaseIterable, Sendable {
        case paveCheckpoint = "pave-checkpoint"
        case safetensors
        case peft
    }

    /// PAVE's name prefix for fusion tensors in `non_lora_trainables.bin`.
    public static let paveFusionPrefix = "base_model.model.model.temporal_aggregator."
    /// `__metadata__` key holding the canonical manifest JSON in the safetensors export.
    public static let manifestMetadataKey = "pave_manifest"

    /// Exports `tensors` (all tensors of the patch, any order) described by `manifest` into the new
    /// directory `directory`. Returns the names of the files written.
    @discardableResult
    public static func export(manifest: Manifest, tensors: [ImportedTensor], to directory: URL, format: Format,
                              progress: (@Sendable (String, Int64, Int64) -> Void)? = nil) throws -> [String] {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: directory.path) else { throw CheckpointExportError.outputExists(path: directory.path) }
        let parent = directory.deletingLastPathComponent()
        let temp = parent.appendingPathComponent(".\(directory.lastPathComponent).tmp-\(UUID().uuidString)")
        do { try fm.createDirectory(at: temp, withIntermediateDirectories: false) } catch {
            throw CheckpointExportError.io("cannot create \(temp.path): \(error.localizedDescription)")
        }
        do {
            let files = try write(manifest: manifest, tensors: tensors, into: temp, format: format, progress: progress)
            if rename(temp.path, directory.path) != 0 {
                throw CheckpointExportError.io("cannot rename \(temp.path) to \(directory.path): \(String(cString: strerror(errno)))")
            }
            return files
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
    }

    static func write(manifest: Manifest, tensors: [ImportedTensor], into dir: URL, format: Format,
                      progress: (@Sendable (String, Int64, Int64) -> Void)?) throws -> [String] {
        var byName: [String: ImportedTensor] = [:]
        for t in tensors { byName[t.name] = t }
        switch format {
        case .safetensors:
            let name = safeFileName(manifest.name ?? "patch") + ".safetensors"
            let metadata = [manifestMetadataKey: String(decoding: manifest.canonicalData(), as: UTF8.self), "format": "pt"]
            try writeSafetensors(tensors.sorted { $0.name < $1.name }, metadata: metadata, to: dir.appendingPathComponent(name), progress: progress)
            return [name]
        case .peft:
            return try writeAdapter(manifest: manifest, byName: byName, into: dir, progress: progress)
        case .paveCheckpoint:
            guard let fusion = try manifest.decode(FusionArchitecture.self, forKey: ManifestKey.fusion) else {
                throw CheckpointExportError.invalidPatch(reason: "the manifest has no fusion section (a PAVE checkpoint needs the fusion module)")
            }
            var fusionTensors: [ImportedTensor] = []
            for (p, shape) in FusionTensorLayout.expectedShapes(fusion) {
                guard let t = byName[fusion.tensorPrefix + p] else {
                    throw CheckpointExportError.invalidPatch(reason: "fusion tensor \(fusion.tensorPrefix + p) is missing")
                }
                guard t.shape == shape else {
                    throw CheckpointExportError.invalidPatch(reason: "fusion tensor \(t.name) has shape \(Shape.describe(t.shape)), expected \(Shape.describe(shape))")
                }
                fusionTensors.append(t.renamed(paveFusionPrefix + p))
            }
            var config = manifest[ManifestKey.provenance]?["config_json"]?.objectValue ?? [
                "model_type": "pave_qwen2", "hidden_size": .int(Int64(fusion.outputDim)), "mm_hidden_size": .int(Int64(fusion.queryDim)),
                "temporal_aggregator_type": "pmv5", "feat_combine_method": "add", "train_addition_start_end_tokens": false,
            ]
            config["temporal_aggregator_config"] = fusion.temporalAggregatorConfig()
            try writeJSON(.object(config), to: dir.appendingPathComponent(PaveCheckpointImporter.configFile))
            for t in fusionTensors where TorchStorageType(dtype: t.dtype) == nil {
                throw CheckpointExportError.unsupportedDType(tensor: t.name, dtype: t.dtype.rawValue)
            }
            try TorchCheckpointWriter.write(fusionTensors.map(\.torchWriterTensor), to: dir.appendingPathComponent(PaveCheckpointImporter.fusionFile))
            var files = [PaveCheckpointImporter.configFile, PaveCheckpointImporter.fusionFile]
            if manifest[ManifestKey.lora] != nil {
                files += try writeAdapter(manifest: manifest, byName: byName, into: dir, progress: progress)
            }
            return files.sorted()
        }
    }

    /// `adapter_config.json` (the PEFT config kept at import, else one made from the LoRA section) and
    /// `adapter_model.safetensors` (keys `base_model.model.<module>.lora_{A,B}.weight`, metadata `format: pt`).
    static func writeAdapter(manifest: Manifest, byName: [String: ImportedTensor], into dir: URL,
                             progress: (@Sendable (String, Int64, Int64) -> Void)?) throws -> [String] {
        guard let lora = try manifest.decode(LoRAConfig.self, forKey: ManifestKey.lora) else {
            throw CheckpointExportError.invalidPatch(reason: "the manifest has no lora section (a PEFT adapter needs one)")
        }
        var tensors: [ImportedTensor] = []
        for m in lora.targetModules {
            for part in ["lora_A", "lora_B"] {
                let name = lora.tensorPrefix + m + ".\(part).weight"
                guard let t = byName[name] else { throw CheckpointExportError.invalidPatch(reason: "LoRA tensor \(name) is missing") }
                tensors.append(t.renamed("base_model.model." + m + ".\(part).weight"))
            }
        }
        var peft: [String: JSONValue]
        if let kept = lora.peftConfig?.objectValue {
            peft = kept
        } else {
            peft = ["peft_type": "LORA", "task_type": "CAUSAL_LM", "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
                    "lora_dropout": .double(0), "init_lora_weights": true, "modules_to_save": .null, "layers_to_transform": .null,
                    "layers_pattern": .null, "rank_pattern": .object([:]), "alpha_pattern": .object([:]), "use_dora": false, "revision": .null]
            peft["base_model_name_or_path"] = manifest[ManifestKey.provenance]?["base_model"]?["name"] ?? .null
        }
        // The LoRA section is authoritative for what the tensors mean.
        peft["r"] = .int(Int64(lora.r))
        peft["lora_alpha"] = lora.alpha == lora.alpha.rounded() && abs(lora.alpha) < 1e15 ? .int(Int64(lora.alpha)) : .double(lora.alpha)
        peft["use_rslora"] = .bool(lora.useRSLoRA)
        if lora.peftConfig == nil { peft["target_modules"] = .array(lora.targetModules.map { .string($0) }) }
        try writeJSON(.object(peft), to: dir.appendingPathComponent(PaveCheckpointImporter.adapterConfigFile))
        try writeSafetensors(tensors, metadata: ["format": "pt"], to: dir.appendingPathComponent(PaveCheckpointImporter.adapterFile), progress: progress)
        return [PaveCheckpointImporter.adapterConfigFile, PaveCheckpointImporter.adapterFile]
    }

    /// Streams `tensors` into a safetensors file (header first, then each tensor's bytes in 8 MiB chunks).
    static func writeSafetensors(_ tensors: [ImportedTensor], metadata: [String: String], to url: URL,
                                 progress: (@Sendable (String, Int64, Int64) -> Void)?) throws {
        let head = try SafetensorsWriter.header(for: tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: metadata)
        let w = try AtomicFileWriter(destination: url)
        try w.write(head)
        let total = Int64(tensors.reduce(0) { $0 + $1.byteCount })
        var done: Int64 = 0
        for t in tensors {
            try t.forEachChunk { chunk in
                try w.write(chunk)
                done += Int64(chunk.count)
                progress?("writing \(url.lastPathComponent)", done, total)
            }
        }
        try w.commit()
    }

    static func writeJSON(_ value: JSONValue, to url: URL) throws {
        var data = value.prettyData()
        data.append(0x0A)
        try AtomicFileWriter.write(data, to: url)
    }

    static func safeFileName(_ s: String) -> String {
        let cleaned = String(s.unicodeScalars.map { c -> Character in
            CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_" || c == "." ? Character(c) : "_"
        })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "patch" + cleaned : cleaned
    }
}
