import Foundation
@testable import PaveFormat
@testable import PaveTorch
import PaveTestSupport

/// Torch-test builders over the shared fixtures of PaveTestSupport.
extension TorchFixtures {
    /// A torch archive `<dir>/<stem>.bin` whose data.pkl is `pickle` and whose storages are `storages`.
    static func torchFile(pickle: [UInt8], storages: [[UInt8]] = [], stem: String = "t", in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("\(stem).bin")
        var records: [(String, [UInt8])] = [("\(stem)/data.pkl", pickle), ("\(stem)/byteorder", Array("little".utf8))]
        for (i, s) in storages.enumerated() { records.append(("\(stem)/data/\(i)", s)) }
        records.append(("\(stem)/version", Array("3\n".utf8)))
        try zip(records, to: url)
        return url
    }

    static func f32Bytes(_ values: [Float]) -> [UInt8] { (try? TensorData.f32(shape: [values.count], values).bytes) ?? [] }

    /// torch dtype name for a DType (as `expected.json` spells it).
    static func torchName(_ d: DType) -> String {
        switch d {
        case .f32: return "float32"
        case .bf16: return "bfloat16"
        case .f16: return "float16"
        case .f64: return "float64"
        case .i64: return "int64"
        case .i32: return "int32"
        case .bool: return "bool"
        default: return d.rawValue
        }
    }
}

extension TorchCheckpointFile {
    /// Every tensor as ``TorchCheckpointWriter`` takes it (contiguous bytes, gathered when needed).
    func writerTensors() throws -> [TorchCheckpointWriter.Tensor] {
        try tensors.map { t in
            let bytes = try gathered(t)
            return TorchCheckpointWriter.Tensor(name: t.name, dtype: t.dtype, shape: t.shape) { chunkSize, sink in
                var offset = 0
                while offset < bytes.count {
                    let n = min(chunkSize, bytes.count - offset)
                    try sink(Array(bytes[offset..<offset + n]))
                    offset += n
                }
            }
        }
    }
}
