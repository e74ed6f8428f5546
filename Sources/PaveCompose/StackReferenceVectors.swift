import PaveExecutor
import PaveFormat
import PaveModel

/// Reference vectors of a whole stack (spec/composition.md §7): made and checked like a single patch's
/// (``ReferenceVectors``), with inputs `side.<side name>` per fusion member and the stack as the executor.
public enum StackReferenceVectors {
    /// Composed manifest key of the stack's own sets (kept apart from `reference_vectors`, which belongs to
    /// single patches and is checked against their own `lora` section).
    public static let manifestKey = ComposeManifestKey.stackReferenceVectors

    /// A self-check set for `executor`'s stack: seeded inputs of the shapes a single patch's self-check uses
    /// (`visual (2, 4, C_q)`, each side `(3, H, W, C_in)`, `lora_x.<M> (2, in)` for the first two modules) and
    /// the outputs the stack computes.
    public static func selfCheck(executor: StackExecutor, seed: UInt64 = 0) throws -> (set: ReferenceVectorSet, tensors: [(name: String, tensor: TensorData)]) {
        let stack = executor.stack
        let p = ReferenceVectors.prefix(for: ReferenceVectors.selfCheckName)
        var rng = SeededRandom(seed: seed)
        var inputs: [String: TensorData] = [:]
        if let widths = stack.fusionWidths {
            inputs[p + PatchSpec.ReferenceTensor.visual] = try tensor([2, 4, widths.query], rng.values(8 * widths.query))
            for m in stack.members where m.weight != 0 {
                guard let f = m.fusion else { continue }
                var h = 1, w = 1
                if let l = m.sideChannel?.layout, l.h * l.w <= 16, f.rope == .none || l.h == l.w { h = l.h; w = l.w }
                if f.rope == .threeD, h * w == 1 { h = 2; w = 2 }
                inputs[p + stack.sideInputName(for: m)] = try tensor([3, h, w, f.inputDim], rng.values(3 * h * w * f.inputDim))
            }
        }
        let modules = Array(stack.loraModules.prefix(ReferenceVectors.selfCheckLoRAModules))
        for m in modules {
            let inF = stack.loraShapes[m]?.inFeatures ?? 0
            let rows = ReferenceVectors.selfCheckLoRARows
            inputs[p + PatchSpec.ReferenceTensor.loraX(m)] = try tensor([rows, inF], rng.values(rows * inF))
        }
        let outputs = try executor.run(inputs: InMemoryTensors(inputs), prefix: p, loraModules: modules,
                                       requireFused: stack.fusionWidths != nil)
        var tensors = inputs.map { (name: $0.key, tensor: $0.value) }
        tensors += outputs.map { (name: p + $0.name, tensor: $0.tensor.tensorData()) }
        let set = ReferenceVectorSet(name: ReferenceVectors.selfCheckName, tensorPrefix: p, loraModules: modules,
                                     atol: ReferenceVectors.defaultTolerance.atol, rtol: ReferenceVectors.defaultTolerance.rtol,
                                     source: "pavepkg self-check", seed: seed)
        return (set, tensors.sorted { $0.name < $1.name })
    }

    static func tensor(_ shape: [Int], _ values: [Float]) throws -> TensorData {
        guard let t = FloatTensor(shape: shape, values: values) else {
            throw ExecutorError.wrongShape(name: "self-check input", shape: [values.count], expected: Shape.describe(shape))
        }
        return t.tensorData()
    }
}
