import Foundation
import PaveKit

/// Deterministic, realistic sample inputs: a PAVE fusion module (`VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B`,
/// 30 tensors, 8,996,352 parameters, names and shapes of the module state_dict, PAVE_FORWARD.md §7) in BF16.
///
/// Values come from a SplitMix64 stream turned into approximately normal numbers with plain arithmetic
/// (Irwin–Hall, no libm), so every machine produces the same bytes: linear weights ~ N(0, 1/fan_in) with a few
/// heavy-tailed outliers, biases ~ N(0, 0.02²), LayerNorm weights ~ 1 + N(0, 0.05²).
enum SampleGenerator {
    struct Spec {
        var name: String
        var shape: [Int]
        var kind: Kind
        enum Kind { case linear(fanIn: Int), bias, normWeight, normBias }
    }

    /// The module state_dict for input dim `cin`, output dim `dout`, `layers` cross-attention layers.
    static func paveFusionModule(cin: Int = 1024, dout: Int = 3584, layers: Int = 2) -> [Spec] {
        var s: [Spec] = [
            Spec(name: "input_mapping.weight", shape: [512, cin], kind: .linear(fanIn: cin)),
            Spec(name: "input_mapping.bias", shape: [512], kind: .bias),
            Spec(name: "query_input_mapping.weight", shape: [512, 1152], kind: .linear(fanIn: 1152)),
            Spec(name: "query_input_mapping.bias", shape: [512], kind: .bias),
        ]
        for i in 0..<layers {
            let p = "cross_attn_layers.\(i)."
            for l in ["q_linear", "k_linear", "v_linear"] {
                s.append(Spec(name: p + "attn.\(l).weight", shape: [512, 512], kind: .linear(fanIn: 512)))
                s.append(Spec(name: p + "attn.\(l).bias", shape: [512], kind: .bias))
            }
            s.append(Spec(name: p + "ffn.0.weight", shape: [512], kind: .normWeight))
            s.append(Spec(name: p + "ffn.0.bias", shape: [512], kind: .normBias))
            s.append(Spec(name: p + "ffn.1.weight", shape: [1024, 512], kind: .linear(fanIn: 512)))
            s.append(Spec(name: p + "ffn.3.weight", shape: [512, 1024], kind: .linear(fanIn: 1024)))
        }
        s += [
            Spec(name: "output_mapping.0.weight", shape: [1024, 512], kind: .linear(fanIn: 512)),
            Spec(name: "output_mapping.0.bias", shape: [1024], kind: .bias),
            Spec(name: "output_mapping.2.weight", shape: [dout, 1024], kind: .linear(fanIn: 1024)),
            Spec(name: "output_mapping.2.bias", shape: [dout], kind: .bias),
            Spec(name: "output_norm.weight", shape: [dout], kind: .normWeight),
            Spec(name: "output_norm.bias", shape: [dout], kind: .normBias),
        ]
        return s
    }

    /// A ``SplitMix64`` stream with the normal approximation used for the sample weights.
    struct RNG {
        var stream: SplitMix64
        init(state: UInt64) { stream = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { stream.next() }
        /// Approximately N(0, 1): sum of 12 uniforms − 6 (exact arithmetic, identical everywhere).
        mutating func normal() -> Double {
            var s = 0.0
            for _ in 0..<12 { s += Double(next() >> 11) * 0x1p-53 }
            return s - 6
        }
    }

    /// The tensors of `specs` as BF16, deterministically from `seed`.
    static func tensors(_ specs: [Spec], seed: UInt64) throws -> [(name: String, tensor: TensorData)] {
        var rng = RNG(state: seed)
        return try specs.map { spec in
            let n = Shape.elementCount(spec.shape) ?? 0
            var bytes = [UInt8](repeating: 0, count: 2 * n)
            for i in 0..<n {
                var v: Double
                switch spec.kind {
                case let .linear(fanIn):
                    v = rng.normal() / Double(fanIn).squareRoot()
                    if rng.next() % 1000 == 0 { v *= 6 }  // trained weights have heavier tails than a Gaussian
                case .bias: v = 0.02 * rng.normal()
                case .normWeight: v = 1 + 0.05 * rng.normal()
                case .normBias: v = 0.02 * rng.normal()
                }
                let b = BF16.fromFloat(Float(v))
                bytes[2 * i] = UInt8(truncatingIfNeeded: b)
                bytes[2 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
            }
            return (spec.name, try TensorData(dtype: .bf16, shape: spec.shape, bytes: bytes))
        }
    }
}

/// bfloat16 conversion.
enum BF16 {
    /// Round-to-nearest-even from Float (NaN stays a quiet NaN).
    static func fromFloat(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        if f.isNaN { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        let rounded = u &+ 0x7FFF &+ ((u >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// A copy of `tensor` with F32 converted to BF16 (round-to-nearest-even); other dtypes unchanged.
    static func convert(_ tensor: TensorData) throws -> TensorData {
        guard tensor.dtype == .f32 else { return tensor }
        let n = tensor.bytes.count / 4
        var out = [UInt8](repeating: 0, count: 2 * n)
        tensor.bytes.withUnsafeBytes { src in
            for i in 0..<n {
                let b = fromFloat(Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                out[2 * i] = UInt8(truncatingIfNeeded: b)
                out[2 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
            }
        }
        return try TensorData(dtype: .bf16, shape: tensor.shape, bytes: out)
    }
}
