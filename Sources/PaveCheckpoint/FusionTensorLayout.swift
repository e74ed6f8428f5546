import PaveFormat
import PaveModel
import PaveTorch

/// Which widths and layer count a PAVE fusion state_dict's tensor shapes imply (PAVE_FORWARD §7), and
/// whether a set of tensors is exactly an architecture's.
public enum FusionTensorLayout {
    /// Every tensor of the module, relative to the fusion prefix, with its shape, in `state_dict()` order
    /// (``FusionArchitecture/parameters``).
    public static func expectedShapes(_ a: FusionArchitecture) -> [(name: String, shape: [Int])] {
        a.parameters.map { ($0.name, $0.shape) }
    }

    /// What the shapes of a fusion state_dict determine (everything except heads and RoPE).
    public struct Inferred: Sendable, Equatable {
        public var inputDim: Int, embedDim: Int, queryDim: Int, hiddenDim: Int, outputDim: Int, layers: Int
        public var outputMLP: Bool, mlpDepth: Int, outputNorm: Bool
    }

    /// Infers widths and the layer count from `shapes` (relative names), then checks every tensor against
    /// the resulting layout: missing, unexpected or misshapen tensors are errors naming the tensor.
    public static func infer(shapes: [String: [Int]], file: String, prefix: String) throws(CheckpointImportError) -> Inferred {
        func shape(_ n: String, rank: Int) throws(CheckpointImportError) -> [Int] {
            guard let s = shapes[n] else { throw .invalidTensor(file: file, tensor: prefix + n, reason: "missing (every PAVE fusion module has it)") }
            guard s.count == rank else { throw .invalidTensor(file: file, tensor: prefix + n, reason: "shape \(Shape.describe(s)), expected \(rank) dimensions") }
            return s
        }
        let im = try shape("input_mapping.weight", rank: 2)
        let qim = try shape("query_input_mapping.weight", rank: 2)
        var layers = 0
        while shapes.keys.contains(where: { $0.hasPrefix("cross_attn_layers.\(layers).") }) { layers += 1 }
        guard layers > 0 else { throw .invalidTensor(file: file, tensor: prefix + "cross_attn_layers.0.*", reason: "missing: no decoder layers") }
        if shapes.keys.contains(where: { $0.hasPrefix("start_end_tokens") }) {
            throw .unsupported(file: file, reason: "tensor \(prefix)start_end_tokens (train_addition_start_end_tokens=True; no released config uses it)")
        }
        let outputMLP = shapes.keys.contains { $0.hasPrefix("output_mapping.") }
        let mlpDepth = shapes["output_mapping.2.weight"] != nil ? 2 : 1
        if outputMLP, mlpDepth != 2 {
            throw .unsupported(file: file, reason: "output MLP of depth 1 (\(prefix)output_mapping.0 without output_mapping.2)")
        }
        let outputNorm = shapes["output_norm.weight"] != nil
        let hidden = qim[0]
        let outputDim = outputMLP ? try shape("output_mapping.2.weight", rank: 2)[0] : (outputNorm ? try shape("output_norm.weight", rank: 1)[0] : hidden)
        let inferred = Inferred(inputDim: im[1], embedDim: im[0], queryDim: qim[1], hiddenDim: hidden, outputDim: outputDim,
                                layers: layers, outputMLP: outputMLP, mlpDepth: outputMLP ? mlpDepth : 2, outputNorm: outputNorm)
        try check(shapes: shapes, against: architecture(inferred, heads: 1, rope: .none, prefix: prefix), file: file)
        return inferred
    }

    /// Checks that `shapes` are exactly the tensors of `a`.
    public static func check(shapes: [String: [Int]], against a: FusionArchitecture, file: String) throws(CheckpointImportError) {
        let expected = expectedShapes(a)
        let names = Set(expected.map(\.name))
        for (n, s) in expected {
            guard let got = shapes[n] else { throw .invalidTensor(file: file, tensor: a.tensorPrefix + n, reason: "missing (expected shape \(Shape.describe(s)))") }
            guard got == s else { throw .invalidTensor(file: file, tensor: a.tensorPrefix + n, reason: "shape \(Shape.describe(got)), expected \(Shape.describe(s)) for this architecture") }
        }
        if let extra = shapes.keys.sorted().first(where: { !names.contains($0) }) {
            throw .invalidTensor(file: file, tensor: a.tensorPrefix + extra, reason: "not a parameter of the PAVE fusion module (\(a.layers) layers)")
        }
    }

    static func architecture(_ i: Inferred, heads: Int, rope: RoPEMode, prefix: String) -> FusionArchitecture {
        FusionArchitecture(inputDim: i.inputDim, embedDim: i.embedDim, queryDim: i.queryDim, hiddenDim: i.hiddenDim, outputDim: i.outputDim,
                           heads: heads, layers: i.layers, rope: rope, outputMLP: i.outputMLP, mlpDepth: i.mlpDepth,
                           outputNorm: i.outputNorm, tensorPrefix: prefix)
    }
}
