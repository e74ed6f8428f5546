import PaveFormat
import PaveModel

/// An open `.pave` file as a ``TensorProvider`` (reads are hash-checked by ``PaveFile``).
public struct PaveFileTensors: TensorProvider {
    public let file: PaveFile
    public init(_ file: PaveFile) { self.file = file }

    public var tensorInfos: [TensorInfo] { file.entries.map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) } }
    public func tensorInfo(_ name: String) -> TensorInfo? { file.entry(name).map { TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape) } }
    public func tensor(_ name: String) throws -> TensorData { try file.readTensor(name) }
}
