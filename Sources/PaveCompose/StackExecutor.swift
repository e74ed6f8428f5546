import PaveExecutor
import PaveFormat
import PaveModel

/// Runs a ``PatchStack`` with the executor: each member's fusion module and LoRA adapters through
/// ``PatchExecutor``, summed with the stack's rule (``WeightedSum``: member order, fp64, one rounding).
///
/// A composed file and the load-time stack of its members build the same ``PatchStack`` and so give identical
/// bits; a one-member stack with weight 1 gives the single patch's output bit for bit.
public final class StackExecutor: Sendable {
    public let stack: PatchStack
    /// One executor per member; `nil` for members with weight 0 (not evaluated, spec §1).
    let executors: [PatchExecutor?]
    let own: PatchExecutor?

    /// Loads every member with a non-zero weight (fusion weights now, LoRA factors on first use).
    public init(stack: PatchStack, threads: Int? = nil) throws {
        self.stack = stack
        executors = try stack.members.map { m in
            m.weight == 0 ? nil : try PatchExecutor(spec: PatchSpec(fusion: m.fusion, lora: m.lora, sideChannel: m.sideChannel),
                                                    tensors: m.tensors, threads: threads)
        }
        own = try stack.ownLoRA.map { try PatchExecutor(spec: PatchSpec(lora: $0.config), tensors: $0.tensors, threads: threads) }
    }

    /// `fused = Σᵢ wᵢ · fᵢ(visual, sideᵢ)`; `sides` maps member names to their side inputs (only members
    /// with a fusion module and a non-zero weight need one).
    public func forward(visual: FloatTensor, sides: [String: FloatTensor], chunkNum: Int? = nil, sideLength: Int? = nil) throws -> FloatTensor {
        guard let widths = stack.fusionWidths else { throw ExecutorError.notInPatch(what: "fusion module (no member has one)") }
        guard visual.shape.count == 3 else {
            throw ExecutorError.wrongShape(name: "visual", shape: visual.shape, expected: "[T_q, S_q, \(widths.query)]")
        }
        let rows = visual.shape[0] * visual.shape[1]
        let outDim = stack.fusionMembers.first?.fusion?.effectiveOutputDim ?? widths.output
        var sum = WeightedSum(count: rows * outDim)
        for (m, exec) in zip(stack.members, executors) {
            guard let exec, exec.fusion != nil else { continue }
            let inputName = stack.sideInputName(for: m)
            guard let side = sides[m.name] else {
                throw ExecutorError.missingTensor(name: inputName, role: "side input of member \(m.name) [T_k, H, W, \(m.fusion?.inputDim ?? 0)]")
            }
            let f: FloatTensor
            do { f = try exec.forward(visual: visual, side: side, chunkNum: chunkNum, sideLength: sideLength) } catch {
                throw Self.renamed(error, side: inputName)
            }
            sum.add(f.values, weight: m.weight)
        }
        return try Self.tensor([rows, outDim], sum.result)
    }

    /// `delta(x) = Σᵢ wᵢ · sᵢ · x · Aᵢᵀ · Bᵢᵀ` over the members targeting `module` (plus the file's own merged
    /// adapter, weight 1); `x` is `(N, in)`.
    public func loraDelta(module: String, x: FloatTensor) throws -> FloatTensor {
        guard let shape = stack.loraShapes[module] else { throw ExecutorError.notInPatch(what: "LoRA module \"\(module)\" (no member targets it)") }
        guard x.shape.count == 2, x.shape[1] == shape.inFeatures else {
            throw ExecutorError.wrongShape(name: "lora_x", shape: x.shape, expected: "[N, \(shape.inFeatures)] (the input width of \(module))")
        }
        var sum = WeightedSum(count: x.shape[0] * shape.outFeatures)
        for (m, exec) in zip(stack.members, executors) {
            guard let exec, let lora = m.lora, lora.targetModules.contains(module) else { continue }
            sum.add(try exec.loraDelta(module: module, x: x).values, weight: m.weight)
        }
        if let own, let lora = own.spec.lora, lora.targetModules.contains(module) {
            sum.add(try own.loraDelta(module: module, x: x).values, weight: 1)
        }
        return try Self.tensor([x.shape[0], shape.outFeatures], sum.result)
    }

    /// One run, like ``PatchExecutor/run(inputs:prefix:loraModules:chunkNum:sideLength:requireFused:)``: reads
    /// `prefix + {visual, side.<side name> (or side), lora_x, lora_x.<M>}` and returns `fused` and
    /// `lora_delta.<M>`, sorted by name.
    public func run(inputs: any TensorProvider, prefix: String = "", loraModules: [String] = [], chunkNum: Int? = nil,
                    sideLength: Int? = nil, requireFused: Bool = false) throws -> [(name: String, tensor: FloatTensor)] {
        func input(_ n: String) throws -> FloatTensor? {
            let name = prefix + n
            guard inputs.tensorInfo(name) != nil else { return nil }
            return try FloatTensor(try inputs.tensor(name), name: name)
        }
        var out: [(name: String, tensor: FloatTensor)] = []
        let visual = try input(PatchSpec.ReferenceTensor.visual)
        if visual != nil || requireFused || loraModules.isEmpty {
            guard let visual else {
                throw ExecutorError.missingTensor(name: prefix + "visual", role: "input [T_q, S_q, \(stack.fusionWidths?.query ?? 0)]")
            }
            var sides: [String: FloatTensor] = [:]
            for (m, exec) in zip(stack.members, executors) where exec != nil && m.fusion != nil {
                let name = stack.sideInputName(for: m)
                guard let s = try input(name) else {
                    throw ExecutorError.missingTensor(name: prefix + name, role: "side input of member \(m.name) [T_k, H, W, \(m.fusion?.inputDim ?? 0)]")
                }
                sides[m.name] = s
            }
            out.append((PatchSpec.ReferenceTensor.fused, try forward(visual: visual, sides: sides, chunkNum: chunkNum, sideLength: sideLength)))
        }
        for m in loraModules {
            guard let x = try input(PatchSpec.ReferenceTensor.loraX(m)) ?? input(PatchSpec.ReferenceTensor.loraX) else {
                throw ExecutorError.missingTensor(name: prefix + PatchSpec.ReferenceTensor.loraX,
                                                  role: "LoRA input [N, \(stack.loraShapes[m]?.inFeatures ?? 0)] for \(m)")
            }
            out.append((PatchSpec.ReferenceTensor.loraDelta(m), try loraDelta(module: m, x: x)))
        }
        return out.sorted { $0.name < $1.name }
    }

    static func tensor(_ shape: [Int], _ values: [Float]) throws -> FloatTensor {
        guard let t = FloatTensor(shape: shape, values: values) else {
            throw ExecutorError.wrongShape(name: "stack output", shape: [values.count], expected: Shape.describe(shape))
        }
        return t
    }

    /// The executor names its input `side`; in a stack the input is `side.<name>`.
    static func renamed(_ error: Error, side: String) -> Error {
        guard side != "side", let e = error as? ExecutorError else { return error }
        switch e {
        case let .wrongShape(name, shape, expected) where name == "side": return ExecutorError.wrongShape(name: side, shape: shape, expected: expected)
        case let .unsupportedInput(name, reason) where name == "side": return ExecutorError.unsupportedInput(name: side, reason: reason)
        default: return e
        }
    }
}

extension StackExecutor: ReferenceSetRunner {}
