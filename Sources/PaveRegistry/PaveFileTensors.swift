import PaveFormat
import PaveModel

/// A ``PaveFile``'s tensors as a ``TensorProvider``, so `install` can run the patch-semantics and reference
/// vector checks (``PatchVerification``) on the file it is about to store.
struct PaveFileTensors: TensorProvider {
    let file: PaveFile

    var tensorInfos: [TensorInfo] { file.entries.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) } }

    func tensorInfo(_ name: String) -> TensorInfo? {
        file.entry(name).map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
    }

    func tensor(_ name: String) throws -> TensorData { try file.readTensor(name) }
}
