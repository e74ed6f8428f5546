import PaveFormat
import PaveModel

/// One LoRA target module: `delta(x) = scale · (x · Aᵀ) · Bᵀ` with `A (r, in)`, `B (out, r)`,
/// `scale = alpha / r` (or `alpha / √r` with rsLoRA). `B·A` is never formed: the cost is `N·r·(in + out)`.
public struct LoRAAdapter: Sendable {
    /// Full module name (`model.layers.0.self_attn.q_proj`).
    public let module: String
    public let rank: Int
    public let inFeatures: Int
    public let outFeatures: Int
    /// The scale applied to `x · Aᵀ · Bᵀ`.
    public let scale: Float
    let a: [Float]
    let b: [Float]

    /// Loads module `module`'s `lora_A` / `lora_B` tensors (converted to fp32) from `tensors`.
    ///
    /// - Throws: ``ExecutorError/notInPatch(what:)`` when `module` is not a target module; other
    ///   ``ExecutorError`` cases naming a missing tensor or a wrong shape / dtype.
    public init(config: LoRAConfig, module: String, tensors: any TensorProvider) throws(ExecutorError) {
        guard config.targetModules.contains(module) else { throw .notInPatch(what: "LoRA module \"\(module)\"") }
        let (an, bn) = config.tensorNames(module: module)
        func load(_ name: String, role: String, check: ([Int]) -> Bool, expected: String) throws(ExecutorError) -> FloatTensor {
            guard let info = tensors.tensorInfo(name) else { throw .missingTensor(name: name, role: role) }
            guard info.shape.count == 2, check(info.shape) else { throw .wrongShape(name: name, shape: info.shape, expected: expected) }
            let data: TensorData
            do { data = try tensors.tensor(name) } catch { throw .reading(name, error) }
            return try FloatTensor(data, name: name)
        }
        let r = config.r
        let at = try load(an, role: "LoRA A of \(module)", check: { $0[0] == r && $0[1] >= 1 }, expected: "[\(r), in]")
        let bt = try load(bn, role: "LoRA B of \(module)", check: { $0[1] == r && $0[0] >= 1 }, expected: "[out, \(r)]")
        self.module = module; rank = r; inFeatures = at.shape[1]; outFeatures = bt.shape[0]
        scale = Float(config.scale); a = at.values; b = bt.values
    }

    /// `x (N, in)` → `delta (N, out)`.
    ///
    /// - Parameter name: the input's name for error messages (default `lora_x`).
    public func delta(_ x: FloatTensor, name: String = "lora_x") throws(ExecutorError) -> FloatTensor {
        guard x.shape.count == 2, x.shape[1] == inFeatures else {
            throw .wrongShape(name: name, shape: x.shape, expected: "[N, \(inFeatures)] (the input width of \(module))")
        }
        let n = x.shape[0]
        guard n > 0 else { return FloatTensor(unchecked: [0, outFeatures], []) }
        var t = [Float](repeating: 0, count: n * rank)
        var y = [Float](repeating: 0, count: n * outFeatures)
        // Single-threaded OpenBLAS: the result must not depend on its thread count.
        Parallel.withSingleThreadedBLAS {
            x.values.withPointer { xp in a.withPointer { ap in t.withUnsafeMutableBufferPointer { tp in
                guard let tb = tp.baseAddress else { return }
                BLAS.sgemm(transA: false, transB: true, m: n, n: rank, k: inFeatures, a: xp, lda: inFeatures, b: ap, ldb: inFeatures, c: tb, ldc: rank)
            } } }
            t.withPointer { tp in b.withPointer { bp in y.withUnsafeMutableBufferPointer { yp in
                guard let yb = yp.baseAddress else { return }
                BLAS.sgemm(transA: false, transB: true, m: n, n: outFeatures, k: rank, alpha: scale, a: tp, lda: rank, b: bp, ldb: rank, c: yb, ldc: outFeatures)
            } } }
        }
        return FloatTensor(unchecked: [n, outFeatures], y)
    }
}
