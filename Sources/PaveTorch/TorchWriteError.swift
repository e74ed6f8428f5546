import PaveFormat

/// Why a tensor dict could not be written as a `torch.save` file.
public enum TorchWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// torch has no storage type for this dtype.
    case unsupportedDType(tensor: String, dtype: String)
    /// Two tensors share a name.
    case duplicateTensor(tensor: String)
    /// The output would need zip64 entries (over 4 GiB).
    case tooLarge(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedDType(tensor, dtype): return "tensor \"\(tensor)\" has dtype \(dtype), which torch.save cannot store as a storage type"
        case let .duplicateTensor(tensor): return "tensor \"\(tensor)\" appears twice"
        case let .tooLarge(path, reason): return "\(path): \(reason) (zip64 records are not written)"
        }
    }
}

extension TorchWriteError: PaveError {
    public var code: String {
        switch self {
        case .unsupportedDType: return "torch.unsupported_dtype"
        case .duplicateTensor: return "torch.duplicate_tensor"
        case .tooLarge: return "torch.too_large"
        }
    }
    public var category: PaveErrorCategory { .invalidInput }
}
