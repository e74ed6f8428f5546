import PaveFormat
import PaveModel
import PaveTorch

extension ImportedCheckpoint: TensorProvider {
    /// Every tensor's name, dtype and shape, sorted by name.
    public var tensorInfos: [TensorInfo] {
        tensors.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }.sorted { $0.name < $1.name }
    }

    public func tensorInfo(_ name: String) -> TensorInfo? {
        tensors.first { $0.name == name }.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
    }

    /// Reads tensor `name` in full.
    public func tensor(_ name: String) throws -> TensorData {
        guard let t = tensors.first(where: { $0.name == name }) else { throw PatchSemanticsError.missingTensorData(name: name) }
        return try t.load()
    }
}
