import PaveFormat
import PaveTorch

extension TorchCheckpointFile {
    /// A lazy source of the tensor's contiguous bytes: a contiguous view is read from the archive on demand,
    /// a non-contiguous one is gathered into memory once, now.
    public func source(for tensor: Tensor, as name: String? = nil) throws -> ImportedTensor {
        if tensor.isContiguous {
            return ImportedTensor(name: name ?? tensor.name, dtype: tensor.dtype, shape: tensor.shape, byteCount: tensor.byteCount) { offset, count in
                try self.readContiguous(tensor, offset: offset, count: count)
            }
        }
        return ImportedTensor(name: name ?? tensor.name, tensor: try load(tensor))
    }
}
