import PaveFormat
import PaveModel

/// Runs a whole PAVE patch: its fusion module and its LoRA adapters, from a ``PatchSpec`` and a
/// ``TensorProvider`` (a `.pave` file, a safetensors file, an in-memory map).
///
/// ```swift
/// let exec = try PatchExecutor(spec: PatchSpec(manifest: file.manifest), tensors: file)
/// let fused = try exec.forward(visual: v, side: s)
/// let delta = try exec.loraDelta(module: "model.layers.0.self_attn.q_proj", x: x)
/// ```
public final class PatchExecutor: Sendable {
    /// The patch semantics.
    public let spec: PatchSpec
    /// The fusion module, when the patch has one (weights loaded at init).
    public let fusion: FusionModule?
    let tensors: any TensorProvider

    /// Loads the fusion module (if declared); LoRA adapters are loaded on first use.
    public init(spec: PatchSpec, tensors: any TensorProvider, threads: Int? = nil) throws {
        try spec.check()
        self.spec = spec
        self.tensors = tensors
        fusion = try spec.fusion.map { try FusionModule(architecture: $0, tensors: tensors, threads: threads) }
    }

    /// The fusion forward (see ``FusionModule/forward(visual:side:chunkNum:sideLength:)``).
    public func forward(visual: FloatTensor, side: FloatTensor, chunkNum: Int? = nil, sideLength: Int? = nil) throws(ExecutorError) -> FloatTensor {
        guard let fusion else { throw .notInPatch(what: "fusion module") }
        return try fusion.forward(visual: visual, side: side, chunkNum: chunkNum, sideLength: sideLength)
    }

    /// Module `module`'s adapter.
    public func loraAdapter(module: String) throws(ExecutorError) -> LoRAAdapter {
        guard let lora = spec.lora else { throw .notInPatch(what: "LoRA adapters") }
        return try LoRAAdapter(config: lora, module: module, tensors: tensors)
    }

    /// `scale · x · Aᵀ · Bᵀ` for target module `module`; `x` is `(N, in)`.
    public func loraDelta(module: String, x: FloatTensor) throws(ExecutorError) -> FloatTensor {
        try loraAdapter(module: module).delta(x)
    }

    /// One run: reads inputs named `prefix + {visual, side, lora_x, lora_x.<M>}` from `inputs` and returns the
    /// outputs `fused` (when `visual` and `side` are given, or always when `requireFused`) and
    /// `lora_delta.<M>` for each of `loraModules` (input `lora_x.<M>` if present, else `lora_x`), sorted by name.
    public func run(inputs: any TensorProvider, prefix: String = "", loraModules: [String] = [], chunkNum: Int? = nil,
                    sideLength: Int? = nil, requireFused: Bool = false) throws(ExecutorError) -> [(name: String, tensor: FloatTensor)] {
        func input(_ n: String) throws(ExecutorError) -> FloatTensor? {
            let name = prefix + n
            guard inputs.tensorInfo(name) != nil else { return nil }
            let data: TensorData
            do { data = try inputs.tensor(name) } catch { throw .reading(name, error) }
            return try FloatTensor(data, name: name)
        }
        var out: [(name: String, tensor: FloatTensor)] = []
        let visual = try input(PatchSpec.ReferenceTensor.visual), side = try input(PatchSpec.ReferenceTensor.side)
        if visual != nil || side != nil || requireFused || loraModules.isEmpty {
            guard fusion != nil else { throw .notInPatch(what: "fusion module") }
            guard let visual else { throw .missingTensor(name: prefix + "visual", role: "input [T_q, S_q, \(fusion?.architecture.queryDim ?? 0)]") }
            guard let side else { throw .missingTensor(name: prefix + "side", role: "input [T_k, H, W, \(fusion?.architecture.inputDim ?? 0)]") }
            out.append((PatchSpec.ReferenceTensor.fused, try forward(visual: visual, side: side, chunkNum: chunkNum, sideLength: sideLength)))
        }
        for m in loraModules {
            let own = PatchSpec.ReferenceTensor.loraX(m)
            let adapter = try loraAdapter(module: m)
            if let x = try input(own) {
                out.append((PatchSpec.ReferenceTensor.loraDelta(m), try adapter.delta(x, name: prefix + own)))
            } else if let x = try input(PatchSpec.ReferenceTensor.loraX) {
                out.append((PatchSpec.ReferenceTensor.loraDelta(m), try adapter.delta(x, name: prefix + PatchSpec.ReferenceTensor.loraX)))
            } else {
                throw .missingTensor(name: prefix + PatchSpec.ReferenceTensor.loraX, role: "LoRA input [N, \(adapter.inFeatures)] for \(m)")
            }
        }
        return out.sorted { $0.name < $1.name }
    }
}
