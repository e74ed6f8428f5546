import Foundation
import PaveFormat
import PaveModel
import PaveExecutor
@testable import PaveCompose

/// Deterministic generator for test tensors (SplitMix64).
struct SeededRNG {
    var stream: SplitMix64
    init(seed: UInt64) { stream = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { stream.next() }
    /// Uniform in [-scale, scale).
    mutating func float(_ scale: Float = 1) -> Float { (Float(next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in float(scale) } }
}

/// Small synthetic PAVE patches: a full fusion state dict (PAVE_FORWARD.md §7 names) and LoRA factors.
enum TestPatches {
    struct Dims {
        var inputDim = 6, embedDim = 8, queryDim = 10, hiddenDim = 8, outputDim = 12, heads = 2, layers = 1
    }

    static let baseA = "sha256:" + String(repeating: "a", count: 64)
    static let baseB = "sha256:" + String(repeating: "b", count: 64)
    static let modules = ["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj"]
    /// (in, out) of the LoRA target modules for outputDim-wide hidden states.
    static func moduleShape(_ module: String, hidden: Int) -> (inF: Int, outF: Int) {
        module.hasSuffix("down_proj") ? (2 * hidden, hidden) : (hidden, hidden)
    }

    /// A patch: manifest + in-memory tensors.
    static func patch(name: String, seed: UInt64, dims: Dims = Dims(), rank: Int? = 2, alpha: Double = 4,
                      modules: [String] = modules, base: String? = TestPatches.baseA, sideName: String? = nil,
                      fusion: Bool = true, bf16LoRA: Bool = false) throws -> StackInput {
        var rng = SeededRNG(seed: seed)
        var tensors: [String: TensorData] = [:]
        var manifest = Manifest(name: name, version: "1.0.0")
        manifest.created = "2026-01-0\(1 + Int(seed % 8))T00:00:00Z"
        if fusion {
            let arch = FusionArchitecture(inputDim: dims.inputDim, embedDim: dims.embedDim, queryDim: dims.queryDim,
                                          hiddenDim: dims.hiddenDim, outputDim: dims.outputDim, heads: dims.heads,
                                          layers: dims.layers)
            try manifest.encode(arch, forKey: ManifestKey.fusion)
            let D = dims.hiddenDim, E = dims.embedDim
            var shapes: [(String, [Int])] = [
                ("input_mapping.weight", [E, dims.inputDim]), ("input_mapping.bias", [E]),
                ("query_input_mapping.weight", [D, dims.queryDim]), ("query_input_mapping.bias", [D]),
            ]
            for l in 0..<dims.layers {
                let p = "cross_attn_layers.\(l)."
                for x in ["q", "k", "v"] {
                    shapes.append((p + "attn.\(x)_linear.weight", [D, x == "q" ? D : E]))
                    shapes.append((p + "attn.\(x)_linear.bias", [D]))
                }
                shapes += [(p + "ffn.0.weight", [D]), (p + "ffn.0.bias", [D]), (p + "ffn.1.weight", [2 * D, D]), (p + "ffn.3.weight", [D, 2 * D])]
            }
            shapes += [("output_mapping.0.weight", [2 * D, D]), ("output_mapping.0.bias", [2 * D]),
                       ("output_mapping.2.weight", [dims.outputDim, 2 * D]), ("output_mapping.2.bias", [dims.outputDim]),
                       ("output_norm.weight", [dims.outputDim]), ("output_norm.bias", [dims.outputDim])]
            for (n, s) in shapes {
                let count = s.reduce(1, *)
                var v = rng.floats(count, scale: 0.5)
                if n.hasSuffix("norm.weight") || n.hasSuffix("ffn.0.weight") { v = v.map { 1 + $0 * 0.2 } }
                tensors[arch.tensorPrefix + n] = try TensorData.f32(shape: s, v)
            }
            if let sideName {
                try manifest.encode(SideChannel(name: sideName, kind: .audio, layout: .init(t: nil, h: 1, w: 1, c: dims.inputDim)), forKey: ManifestKey.sideChannel)
            }
        }
        if let rank {
            let config = LoRAConfig(r: rank, alpha: alpha, targetModules: modules.sorted(),
                                    peftConfig: ["peft_type": "LORA", "r": .int(Int64(rank)), "lora_alpha": .double(alpha)])
            try manifest.encode(config, forKey: ManifestKey.lora)
            for m in modules {
                let (i, o) = moduleShape(m, hidden: dims.outputDim)
                let a = try TensorData.f32(shape: [rank, i], rng.floats(rank * i))
                let b = try TensorData.f32(shape: [o, rank], rng.floats(o * rank))
                tensors[config.tensorPrefix + m + ".lora_A.weight"] = bf16LoRA ? toBF16(a) : a
                tensors[config.tensorPrefix + m + ".lora_B.weight"] = bf16LoRA ? toBF16(b) : b
            }
        }
        if let base {
            try manifest.setBaseReference(BaseReference(name: "test-base", structuralSignature: base, architecture: nil, source: .signature))
        }
        let digest = "sha256:" + String(repeating: String(format: "%02x", seed % 256), count: 32)
        return StackInput(tensors: InMemoryTensors(tensors), manifest: manifest, digest: digest, path: name + ".pave")
    }

    /// Truncates an F32 tensor to BF16.
    static func toBF16(_ t: TensorData) -> TensorData {
        var bytes: [UInt8] = []
        for i in 0..<t.elementCount { bytes += [t.bytes[4 * i + 2], t.bytes[4 * i + 3]] }
        return (try? TensorData(dtype: .bf16, shape: t.shape, bytes: bytes)) ?? t
    }

    /// fp32 values of a tensor.
    static func floats(_ t: TensorData) -> [Float] { (try? FloatTensor(t, name: "t"))?.values ?? [] }

    /// Dense ΔW = Σ wᵢ·sᵢ·Bᵢ·Aᵢ in fp64 for `module` (the reference the merges are checked against).
    static func denseDelta(_ stack: PatchStack, module: String) throws -> [Double] {
        guard let shape = stack.loraShapes[module] else { return [] }
        var dw = [Double](repeating: 0, count: shape.outFeatures * shape.inFeatures)
        var sources: [(LoRAConfig, any TensorProvider, Double)] = stack.members.compactMap { m in m.lora.map { ($0, m.tensors, m.weight) } }
        if let own = stack.ownLoRA { sources.append((own.config, own.tensors, 1)) }
        for (c, store, w) in sources where c.targetModules.contains(module) {
            let (an, bn) = c.tensorNames(module: module)
            let a = floats(try store.tensor(an)), b = floats(try store.tensor(bn))
            let r = a.count / shape.inFeatures
            for o in 0..<shape.outFeatures { for i in 0..<shape.inFeatures {
                var s = 0.0
                for k in 0..<r { s += Double(b[o * r + k]) * Double(a[k * shape.inFeatures + i]) }
                dw[o * shape.inFeatures + i] += w * c.scale * s
            } }
        }
        return dw
    }

    /// Dense B·A (fp64) of merged factors.
    static func denseProduct(a: [Float], b: [Float], rank: Int, inF: Int, outF: Int) -> [Double] {
        var dw = [Double](repeating: 0, count: outF * inF)
        for o in 0..<outF { for i in 0..<inF {
            var s = 0.0
            for k in 0..<rank { s += Double(b[o * rank + k]) * Double(a[k * inF + i]) }
            dw[o * inF + i] = s
        } }
        return dw
    }

    static func frobenius(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
