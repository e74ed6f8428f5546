import PaveFormat
import PaveModel
import PaveTorch

/// Why a PAVE training output directory (or its zip) could not be imported.
public enum CheckpointImportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input is neither a directory nor a zip archive.
    case notACheckpoint(path: String, reason: String)
    /// A required file is missing.
    case missingFile(path: String, file: String)
    /// Several `checkpoint-N` folders and no top-level files: which one is meant?
    case ambiguousCheckpoint(path: String, candidates: [String])
    /// Heads / RoPE (or other settings) cannot be determined.
    case missingFusionSettings(missing: [String], hint: String)
    /// Two sources disagree on a setting.
    case conflictingSettings(field: String, first: String, second: String)
    /// An unknown preset name.
    case unknownPreset(name: String, known: [String])
    /// A JSON file is invalid or a field has the wrong type.
    case invalidConfig(file: String, field: String, reason: String)
    /// A tensor is missing, unexpected or has the wrong shape or dtype.
    case invalidTensor(file: String, tensor: String, reason: String)
    /// Something the format allows but pavepkg does not support.
    case unsupported(file: String, reason: String)

    public var description: String {
        switch self {
        case let .notACheckpoint(path, reason): return "\(path) is not a PAVE checkpoint: \(reason)"
        case let .missingFile(path, file): return "\(path) has no \(file) (a PAVE training output directory holds config.json, adapter_config.json, adapter_model.safetensors and non_lora_trainables.bin)"
        case let .ambiguousCheckpoint(path, candidates):
            return "\(path) has no top-level checkpoint files but several intermediate ones (\(candidates.joined(separator: ", "))); choose one of them by name"
        case let .missingFusionSettings(missing, hint):
            return "cannot tell the fusion module's \(missing.joined(separator: " and ")) from the checkpoint (config.json has no temporal_aggregator_config and tensor shapes do not determine them); \(hint)"
        case let .conflictingSettings(field, first, second): return "conflicting values for \(field): \(first) vs \(second)"
        case let .unknownPreset(name, known): return "unknown preset \"\(name)\"; known presets: \(known.joined(separator: ", "))"
        case let .invalidConfig(file, field, reason): return "\(file): field \"\(field)\": \(reason)"
        case let .invalidTensor(file, tensor, reason): return "\(file): tensor \"\(tensor)\": \(reason)"
        case let .unsupported(file, reason): return "\(file): unsupported: \(reason)"
        }
    }
}

extension CheckpointImportError: PaveError {
    public var code: String {
        switch self {
        case .notACheckpoint: return "import.not_a_checkpoint"
        case .missingFile: return "import.missing_file"
        case .ambiguousCheckpoint: return "import.ambiguous_checkpoint"
        case .missingFusionSettings: return "import.missing_fusion_settings"
        case .conflictingSettings: return "import.conflicting_settings"
        case .unknownPreset: return "import.unknown_preset"
        case .invalidConfig: return "import.invalid_config"
        case .invalidTensor: return "import.invalid_tensor"
        case .unsupported: return "import.unsupported"
        }
    }
    public var category: PaveErrorCategory {
        switch self {
        case .missingFusionSettings, .unknownPreset, .ambiguousCheckpoint: return .usage
        default: return .invalidInput
        }
    }
}
