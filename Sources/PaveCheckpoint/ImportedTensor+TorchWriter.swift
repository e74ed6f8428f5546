import PaveTorch

extension ImportedTensor {
    /// The tensor as ``TorchCheckpointWriter`` takes it, streamed with ``forEachChunk(chunkSize:_:)`` (so a
    /// recorded SHA-256 is checked before the checkpoint is committed).
    var torchWriterTensor: TorchCheckpointWriter.Tensor {
        TorchCheckpointWriter.Tensor(name: name, dtype: dtype, shape: shape) { chunkSize, sink in
            try self.forEachChunk(chunkSize: chunkSize, sink)
        }
    }
}
