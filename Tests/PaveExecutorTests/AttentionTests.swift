import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// Cross-attention checked by hand on a 2-wide module whose mappings are identities, FFN zero, no output MLP and
/// no output norm, so `fused = x + attention(x, side)`.
@Suite struct AttentionTests {
    static let arch = FusionArchitecture(inputDim: 2, embedDim: 2, queryDim: 2, hiddenDim: 2, outputDim: 2, heads: 1, layers: 1,
                                         outputMLP: false, outputNorm: false, tensorPrefix: "")

    static func module(threads: Int = 1) throws -> FusionModule {
        let id: [Float] = [1, 0, 0, 1], zero2: [Float] = [0, 0]
        var t: [String: TensorData] = [:]
        for n in ["input_mapping", "query_input_mapping", "cross_attn_layers.0.attn.q_linear", "cross_attn_layers.0.attn.k_linear"] {
            t[n + ".weight"] = try .f32(shape: [2, 2], id); t[n + ".bias"] = try .f32(shape: [2], zero2)
        }
        // v_linear is stored but must not be used: make it wildly different.
        t["cross_attn_layers.0.attn.v_linear.weight"] = try .f32(shape: [2, 2], [100, 0, 0, 100])
        t["cross_attn_layers.0.attn.v_linear.bias"] = try .f32(shape: [2], [7, 7])
        t["cross_attn_layers.0.ffn.0.weight"] = try .f32(shape: [2], [1, 1]); t["cross_attn_layers.0.ffn.0.bias"] = try .f32(shape: [2], zero2)
        t["cross_attn_layers.0.ffn.1.weight"] = try .f32(shape: [4, 2], [Float](repeating: 0, count: 8))
        t["cross_attn_layers.0.ffn.3.weight"] = try .f32(shape: [2, 4], [Float](repeating: 0, count: 8))
        return try FusionModule(architecture: arch, tensors: InMemoryTensors(t), threads: threads)
    }

    @Test func unmaskedAttentionOverOneChunk() throws {
        // One query frame of one token x = (1, 0); side frames k1 = (1, 0), k2 = (0, 1); scale 1/√2.
        let m = try Self.module()
        let out = try m.forward(visual: FloatTensor(shape: [1, 1, 2], values: [1, 0])!,
                                side: FloatTensor(shape: [2, 1, 1, 2], values: [1, 0, 0, 1])!)
        let e = exp(1 / 2.0.squareRoot()), w1 = e / (e + 1), w2 = 1 / (e + 1)
        #expect(out.shape == [1, 2])
        #expect(abs(Double(out.values[0]) - (1 + w1)) < 1e-6)
        #expect(abs(Double(out.values[1]) - w2) < 1e-6)
    }

    @Test func maskedUnevenSplitIgnoresPadding() throws {
        // Two query frames, three side frames: chunks [0,1] and [2] (longer first). Frame 1 sees only k3, so its
        // attention output is exactly k3 whatever the padded keys are.
        let m = try Self.module()
        let out = try m.forward(visual: FloatTensor(shape: [2, 1, 2], values: [1, 0, 0.5, 0.5])!,
                                side: FloatTensor(shape: [3, 1, 1, 2], values: [1, 0, 0, 1, -3, 2])!)
        let e = exp(1 / 2.0.squareRoot()), w1 = e / (e + 1)
        #expect(abs(Double(out.values[0]) - (1 + w1)) < 1e-6)
        #expect(abs(out.values[2] - (0.5 - 3)) < 1e-6 && abs(out.values[3] - (0.5 + 2)) < 1e-6)
    }

    @Test func zeroLengthChunkGivesZeroAttention() throws {
        // chunk_num 1 < T_q 2 → no upsampling; one side frame → chunks [0] and []: frame 1 keeps its residual.
        let m = try Self.module()
        let out = try m.forward(visual: FloatTensor(shape: [2, 1, 2], values: [1, 0, 0.25, -0.5])!,
                                side: FloatTensor(shape: [1, 1, 1, 2], values: [0, 1])!, chunkNum: 1)
        #expect(out.values[0] == 1 && out.values[1] == 1)
        #expect(out.values[2] == 0.25 && out.values[3] == -0.5)
    }

    @Test func badInputShapesNameTheTensor() throws {
        let m = try Self.module()
        #expect(throws: ExecutorError.wrongShape(name: "visual", shape: [1, 1, 3], expected: "[T_q ≥ 1, S_q ≥ 1, 2]")) {
            try m.forward(visual: FloatTensor(shape: [1, 1, 3], values: [1, 0, 0])!, side: FloatTensor(shape: [1, 1, 1, 2], values: [0, 1])!)
        }
        #expect(throws: ExecutorError.wrongShape(name: "side", shape: [2, 2], expected: "[T_k ≥ 1, H ≥ 1, W ≥ 1, 2]")) {
            try m.forward(visual: FloatTensor(shape: [1, 1, 2], values: [1, 0])!, side: FloatTensor(shape: [2, 2], values: [0, 1, 1, 0])!)
        }
        #expect(throws: ExecutorError.self) {
            try m.forward(visual: FloatTensor(shape: [1, 1, 2], values: [1, 0])!, side: FloatTensor(shape: [1, 1, 1, 2], values: [0, 1])!, sideLength: 2)
        }
    }
}
