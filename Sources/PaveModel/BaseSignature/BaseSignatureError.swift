import PaveFormat

/// Why a base-model signature could not be computed or read.
///
/// Every case names the file (and the tensor or field) involved and what was expected.
public enum BaseSignatureError: PaveError, Equatable {
    /// The path given as a model is missing or not a directory.
    case notADirectory(path: String)
    /// The model directory has no `config.json`.
    case missingConfig(directory: String)
    /// `config.json` is not a JSON object or a field has the wrong type.
    case invalidConfig(path: String, reason: String)
    /// A field the signature needs is absent from `config.json`.
    case missingConfigField(path: String, field: String)
    /// Neither `model.safetensors` nor `model.safetensors.index.json` is present.
    case noWeights(directory: String)
    /// `model.safetensors.index.json` is not a valid index.
    case invalidIndex(path: String, reason: String)
    /// A shard named in the index is not in the directory.
    case missingShard(index: String, shard: String, tensors: Int)
    /// A weights file is a git-LFS pointer, not the weights (`git lfs pull` was not run).
    case lfsPointer(path: String, oid: String?, size: Int?)
    /// A shard is not a valid safetensors file.
    case invalidShard(path: String, reason: String)
    /// A shard's header places tensor data beyond the end of the file: the header lies about its data.
    case dataBeyondFile(path: String, tensor: String, dataEnd: Int, fileSize: Int)
    /// The index maps a tensor to a shard whose header does not hold it.
    case tensorNotInShard(tensor: String, shard: String, index: String)
    /// A shard holds a tensor the signature covers but the index does not list it (or lists another shard).
    case tensorNotInIndex(tensor: String, shard: String, index: String)
    /// `config.json` and the tensors disagree on the decoder layers.
    case layerCountMismatch(path: String, configLayers: Int, foundLayers: [Int])
    /// No tensor named `model.layers.<L>.…` was found: not a decoder-only LLM checkpoint pavepkg understands.
    case noDecoderLayers(directory: String)
    /// A name cannot be used (control characters in a tensor name, a shard name with a path separator, …).
    case invalidName(path: String, name: String, reason: String)
    /// A signature file (`SIG.json`) is not valid.
    case invalidSignatureFile(path: String, reason: String)
    /// A signature file's recorded signature is not the hash of the description it carries.
    case signatureDigestMismatch(path: String, recorded: String, computed: String)
    /// Reading failed.
    case io(path: String, reason: String)

    public var code: String {
        switch self {
        case .notADirectory: return "signature.not_a_directory"
        case .missingConfig: return "signature.missing_config"
        case .invalidConfig: return "signature.invalid_config"
        case .missingConfigField: return "signature.missing_config_field"
        case .noWeights: return "signature.no_weights"
        case .invalidIndex: return "signature.invalid_index"
        case .missingShard: return "signature.missing_shard"
        case .lfsPointer: return "signature.lfs_pointer"
        case .invalidShard: return "signature.invalid_shard"
        case .dataBeyondFile: return "signature.data_beyond_file"
        case .tensorNotInShard: return "signature.tensor_not_in_shard"
        case .tensorNotInIndex: return "signature.tensor_not_in_index"
        case .layerCountMismatch: return "signature.layer_count_mismatch"
        case .noDecoderLayers: return "signature.no_decoder_layers"
        case .invalidName: return "signature.invalid_name"
        case .invalidSignatureFile: return "signature.invalid_signature_file"
        case .signatureDigestMismatch: return "signature.digest_mismatch"
        case .io: return "signature.io"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .notADirectory, .io: return .io
        default: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case let .notADirectory(path):
            return "\(path) is not a model directory (expected a directory holding config.json and model.safetensors or model.safetensors.index.json)"
        case let .missingConfig(directory):
            return "\(directory) has no config.json: not a Hugging Face style model directory"
        case let .invalidConfig(path, reason): return "\(path): \(reason)"
        case let .missingConfigField(path, field): return "\(path): missing field \"\(field)\" (needed for the base signature)"
        case let .noWeights(directory):
            return "\(directory) has neither model.safetensors nor model.safetensors.index.json (only safetensors weights are supported)"
        case let .invalidIndex(path, reason): return "\(path): not a valid safetensors index: \(reason)"
        case let .missingShard(index, shard, tensors):
            return "\(index) names shard \"\(shard)\" (\(tensors) tensors) but the file is not in the directory"
        case let .lfsPointer(path, oid, size):
            var s = "\(path) is a git-LFS pointer file, not the weights"
            if let size { s += " (the real file is \(size) bytes" + (oid.map { ", oid \($0)" } ?? "") + ")" }
            return s + "; run `git lfs pull` in the model repository"
        case let .invalidShard(path, reason): return "\(path): not a valid safetensors shard: \(reason)"
        case let .dataBeyondFile(path, tensor, dataEnd, fileSize):
            return "\(path): header places tensor \"\(tensor)\" up to byte \(dataEnd) but the file has only \(fileSize) bytes (truncated download or a header that lies about its data)"
        case let .tensorNotInShard(tensor, shard, index):
            return "\(index) maps tensor \"\(tensor)\" to \(shard) but that shard's header does not hold it"
        case let .tensorNotInIndex(tensor, shard, index):
            return "\(shard) holds tensor \"\(tensor)\" but \(index) does not map it to that shard"
        case let .layerCountMismatch(path, configLayers, foundLayers):
            return "\(path) says num_hidden_layers = \(configLayers) but the weights hold decoder layers \(Self.describeLayers(foundLayers))"
        case let .noDecoderLayers(directory):
            return "\(directory): no tensor named model.layers.<L>.…: not a decoder-only LLM checkpoint with the layout pavepkg signs"
        case let .invalidName(path, name, reason): return "\(path): name \"\(name)\": \(reason)"
        case let .invalidSignatureFile(path, reason): return "\(path): not a valid base signature file: \(reason)"
        case let .signatureDigestMismatch(path, recorded, computed):
            return "\(path): recorded structural_signature \(recorded) is not the hash of its description (\(computed)); the file was edited"
        case let .io(path, reason): return "cannot read \(path): \(reason)"
        }
    }

    static func describeLayers(_ layers: [Int]) -> String {
        guard let first = layers.first, let last = layers.last else { return "(none)" }
        if layers.count == last - first + 1 { return "\(first)…\(last) (\(layers.count) layers)" }
        return "{" + layers.map(String.init).joined(separator: ", ") + "} (\(layers.count) layers)"
    }
}
