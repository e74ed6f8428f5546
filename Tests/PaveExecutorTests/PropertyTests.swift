import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

@Suite struct PropertyTests {
    /// The a2 fixture weights with some tensors replaced.
    static func weights(_ edit: (inout [String: TensorData]) throws -> Void) throws -> (FusionArchitecture, InMemoryTensors) {
        let f = try Fixtures.file("a2.weights.safetensors")
        var map: [String: TensorData] = [:]
        for e in f.entries { map[e.name] = try f.tensor(e.name) }
        try edit(&map)
        return (try Fixtures.architecture(f), InMemoryTensors(map))
    }

    static func inputs() throws -> (FloatTensor, FloatTensor) {
        let c = try Fixtures.file("a2.uneven.safetensors")
        return (try Fixtures.floats(c, "visual"), try Fixtures.floats(c, "side"))
    }

    @Test func zeroInitialisedOutputNormGivesZeros() throws {
        let (arch, w) = try Self.weights { m in
            m["fusion.output_norm.weight"] = try .f32(shape: [24], [Float](repeating: 0, count: 24))
            m["fusion.output_norm.bias"] = try .f32(shape: [24], [Float](repeating: 0, count: 24))
        }
        let (v, s) = try Self.inputs()
        let out = try FusionModule(architecture: arch, tensors: w).forward(visual: v, side: s)
        #expect(out.values.allSatisfy { $0 == 0 })
        #expect(out.shape == [15, 24])
    }

    @Test(arguments: [DType.bf16, .f16])
    func halfPrecisionWeightsAgreeToTheirPrecision(_ dtype: DType) throws {
        let (arch, full) = try Self.weights { _ in }
        let (_, half) = try Self.weights { m in
            for (k, t) in m {
                let v = try FloatTensor(t, name: k).values
                var bytes: [UInt8] = []
                for x in v {
                    let h: UInt16 = dtype == .bf16 ? FloatConversion.floatToBFloat16(x) : Float16(x).bitPattern
                    bytes += [UInt8(truncatingIfNeeded: h), UInt8(truncatingIfNeeded: h >> 8)]
                }
                m[k] = try TensorData(dtype: dtype, shape: t.shape, bytes: bytes)
            }
        }
        let (v, s) = try Self.inputs()
        let a = try FusionModule(architecture: arch, tensors: full).forward(visual: v, side: s)
        let b = try FusionModule(architecture: arch, tensors: half).forward(visual: v, side: s)
        let err = maxAbsError(a.values, b.values), scale = a.values.map(abs).max() ?? 1
        let eps: Float = dtype == .bf16 ? 0x1p-8 : 0x1p-11   // unit roundoff of the format
        #expect(err > 0)
        #expect(err < 40 * eps * scale, "max abs difference \(err) for output scale \(scale)")
    }

    @Test func wrongWeightShapeNamesTheTensor() throws {
        let (arch, w) = try Self.weights { m in m["fusion.cross_attn_layers.1.ffn.3.weight"] = try .f32(shape: [16, 31], [Float](repeating: 0, count: 496)) }
        #expect(throws: ExecutorError.wrongShape(name: "fusion.cross_attn_layers.1.ffn.3.weight", shape: [16, 31], expected: "[16, 32]")) {
            _ = try FusionModule(architecture: arch, tensors: w)
        }
        let (_, w2) = try Self.weights { m in m["fusion.query_input_mapping.bias"] = nil }
        #expect(throws: ExecutorError.missingTensor(name: "fusion.query_input_mapping.bias", role: "fusion parameter")) {
            _ = try FusionModule(architecture: arch, tensors: w2)
        }
    }
}
