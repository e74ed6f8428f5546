import PaveFormat
import PaveModel

/// The fusion module's parameters converted to fp32 (the unused `v_linear` tensors are not loaded).
struct FusionWeights: Sendable {
    struct Layer: Sendable {
        var qW: [Float], qB: [Float], kW: [Float], kB: [Float]
        var lnW: [Float], lnB: [Float], ffn1: [Float], ffn3: [Float]
    }
    var inputW: [Float], inputB: [Float], queryW: [Float], queryB: [Float]
    var layers: [Layer]
    /// Output MLP Linears in order (`output_mapping.0`, `.2`, `.4`, …).
    var outputMLP: [(w: [Float], b: [Float], outDim: Int)]
    var outputNorm: (w: [Float], b: [Float])?

    /// Loads every used parameter `architecture.tensorPrefix + P` from `tensors`, checking dtype and shape.
    init(architecture a: FusionArchitecture, tensors: any TensorProvider) throws(ExecutorError) {
        var shapes: [String: [Int]] = [:]
        for p in a.parameters { shapes[p.name] = p.shape }
        func load(_ p: String) throws(ExecutorError) -> [Float] {
            let name = a.tensorPrefix + p
            let expected = shapes[p] ?? []
            guard let info = tensors.tensorInfo(name) else { throw .missingTensor(name: name, role: "fusion parameter") }
            guard info.shape == expected else { throw .wrongShape(name: name, shape: info.shape, expected: Shape.describe(expected)) }
            let data: TensorData
            do { data = try tensors.tensor(name) } catch { throw .reading(name, error) }
            return try FloatTensor(data, name: name).values
        }
        inputW = try load("input_mapping.weight"); inputB = try load("input_mapping.bias")
        queryW = try load("query_input_mapping.weight"); queryB = try load("query_input_mapping.bias")
        var layers: [Layer] = []
        for i in 0..<a.layers {
            let l = "cross_attn_layers.\(i)."
            layers.append(Layer(
                qW: try load(l + "attn.q_linear.weight"), qB: try load(l + "attn.q_linear.bias"),
                kW: try load(l + "attn.k_linear.weight"), kB: try load(l + "attn.k_linear.bias"),
                lnW: try load(l + "ffn.0.weight"), lnB: try load(l + "ffn.0.bias"),
                ffn1: try load(l + "ffn.1.weight"), ffn3: try load(l + "ffn.3.weight")))
        }
        self.layers = layers
        var mlp: [(w: [Float], b: [Float], outDim: Int)] = []
        if a.outputMLP {
            mlp.append((try load("output_mapping.0.weight"), try load("output_mapping.0.bias"), 2 * a.hiddenDim))
            if a.mlpDepth >= 2 {
                for j in 1..<a.mlpDepth {
                    mlp.append((try load("output_mapping.\(2 * j).weight"), try load("output_mapping.\(2 * j).bias"), a.outputDim))
                }
            }
        }
        outputMLP = mlp
        outputNorm = a.outputNorm ? (try load("output_norm.weight"), try load("output_norm.bias")) : nil
    }
}
