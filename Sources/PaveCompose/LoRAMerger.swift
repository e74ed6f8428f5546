import PaveExecutor
import PaveFormat
import PaveModel

/// The merged adapter `--merge-lora` writes: config (tensor prefix `base_model.model.`), F32 factors, and the
/// record stored as the manifest's `lora_merge`.
public struct LoRAMergeResult: Sendable {
    public var config: LoRAConfig
    /// Tensor name → data (`<prefix><module>.lora_A.weight` / `.lora_B.weight`).
    public var tensors: [String: TensorData]
    public var record: LoRAMergeRecord
}

/// Merges the LoRA adapters of a stack into one (spec/composition.md §6).
public enum LoRAMerger {
    /// One LoRA term of a module: folded factor `c·B` (out×r) and `A` (r×in).
    struct Term { var a: [Float]; var b: [Float]; var rank: Int }

    /// Merges every LoRA adapter of `stack` (members' and its own) with `mode`. `nil` when no member with a
    /// non-zero weight has LoRA.
    public static func merge(_ stack: PatchStack, mode: LoRAMergeMode) throws -> LoRAMergeResult? {
        let modules = stack.loraModules
        var perModule: [(module: String, a: [Float], b: [Float], rank: Int, inF: Int, outF: Int)] = []
        for module in modules {
            guard let shape = stack.loraShapes[module] else { continue }
            let terms = try self.terms(of: stack, module: module)
            guard !terms.isEmpty else { continue }
            let (a, b, r) = concatenate(terms, outFeatures: shape.outFeatures)
            perModule.append((module, a, b, r, shape.inFeatures, shape.outFeatures))
        }
        guard !perModule.isEmpty else { return nil }

        let rank: Int
        var errors: [String: Double]?
        var factors: [(module: String, a: [Float], b: [Float], rank: Int, inF: Int, outF: Int)]
        switch mode {
        case .cat:
            rank = perModule.map(\.rank).max() ?? 0
            factors = perModule
        case let .svd(r):
            // LAPACK's results depend on OpenBLAS's thread blocking: one thread keeps the file byte-identical
            // whatever the machine's thread count (the factors are small; this costs little).
            let savedThreads = BLAS.threadCount
            BLAS.setThreadCount(1)
            defer { BLAS.setThreadCount(savedThreads) }
            rank = r
            var errs: [String: Double] = [:]
            factors = []
            for m in perModule {
                let t = try truncate(a: m.a, b: m.b, rank: m.rank, inFeatures: m.inF, outFeatures: m.outF, keep: r, module: m.module)
                errs[m.module] = t.relativeError
                factors.append((m.module, t.a, t.b, t.keptRank, m.inF, m.outF))
            }
            errors = errs
        }

        let prefix = "base_model.model."
        var tensors: [String: TensorData] = [:]
        for f in factors {
            // Zero-pad to the common rank: zero rows of A', zero columns of B' add exact zeros.
            var a = f.a
            a += [Float](repeating: 0, count: (rank - f.rank) * f.inF)
            let b = Matrix.padColumns(f.b, rows: f.outF, cols: f.rank, to: rank)
            tensors[prefix + f.module + ".lora_A.weight"] = try TensorData.f32(shape: [rank, f.inF], a)
            tensors[prefix + f.module + ".lora_B.weight"] = try TensorData.f32(shape: [f.outF, rank], b)
        }
        let targets = factors.map(\.module).sorted()
        let config = LoRAConfig(r: rank, alpha: Double(rank), useRSLoRA: false, targetModules: targets,
                                tensorPrefix: prefix, peftConfig: peftConfig(stack: stack, rank: rank, targets: targets))
        let name: String
        switch mode { case .cat: name = "cat"; case .svd: name = "svd" }
        return LoRAMergeResult(config: config, tensors: tensors,
                               record: LoRAMergeRecord(mode: name, rank: rank, relativeFrobeniusError: errors))
    }

    /// The terms `(wᵢ·sᵢ·Bᵢ, Aᵢ)` of `module`, in member order, then the stack's own adapter; weight-0 terms dropped.
    static func terms(of stack: PatchStack, module: String) throws -> [Term] {
        var sources: [(owner: String, config: LoRAConfig, tensors: any TensorProvider, weight: Double)] = []
        for m in stack.members { if let c = m.lora, c.targetModules.contains(module) { sources.append((m.name, c, m.tensors, m.weight)) } }
        if let own = stack.ownLoRA, own.config.targetModules.contains(module) {
            sources.append(("(merged adapter)", own.config, own.tensors, 1))
        }
        var terms: [Term] = []
        for s in sources where s.weight != 0 {
            let (aName, bName) = s.config.tensorNames(module: module)
            let a = try FloatTensor(try s.tensors.tensor(aName), name: aName)
            let b = try FloatTensor(try s.tensors.tensor(bName), name: bName)
            let c = s.weight * s.config.scale
            terms.append(Term(a: a.values, b: b.values.map { Float(c * Double($0)) }, rank: a.shape[0]))
        }
        return terms
    }

    /// `A' = [A₁; A₂; …]`, `B' = [c₁B₁ | c₂B₂ | …]`.
    static func concatenate(_ terms: [Term], outFeatures: Int) -> (a: [Float], b: [Float], rank: Int) {
        let total = terms.reduce(0) { $0 + $1.rank }
        var a: [Float] = []
        a.reserveCapacity(terms.reduce(0) { $0 + $1.a.count })
        for t in terms { a += t.a }
        var b = [Float](repeating: 0, count: outFeatures * total)
        var col = 0
        for t in terms {
            for o in 0..<outFeatures { for j in 0..<t.rank { b[o * total + col + j] = t.b[o * t.rank + j] } }
            col += t.rank
        }
        return (a, b, total)
    }

    /// Best rank-`keep` approximation of `B·A` (`B: out×rank`, `A: rank×in`) without forming it: thin SVDs of
    /// both factors, then of the small core. Returns factors of rank `min(keep, rank of the SVD)` and
    /// `√(Σ_{k>keep} σ²) / √(Σ σ²)`.
    static func truncate(a: [Float], b: [Float], rank: Int, inFeatures: Int, outFeatures: Int, keep: Int, module: String)
        throws -> (a: [Float], b: [Float], keptRank: Int, relativeError: Double)
    {
        guard rank > 0, inFeatures > 0, outFeatures > 0 else { return ([], [], 0, 0) }
        guard let sb = BLAS.svd(b, m: outFeatures, n: rank), let sa = BLAS.svd(a, m: rank, n: inFeatures) else {
            throw ComposeError.svdFailed(module: module)
        }
        let p1 = min(outFeatures, rank), p2 = min(rank, inFeatures)
        // Core K = diag(σ_B) · V_Bᵀ · U_A · diag(σ_A)   (p1 × p2).
        var core = Matrix.multiply(sb.vt, sa.u, m: p1, k: rank, n: p2)
        for i in 0..<p1 { for j in 0..<p2 { core[i * p2 + j] *= sb.s[i] * sa.s[j] } }
        guard let sk = BLAS.svd(core, m: p1, n: p2) else { throw ComposeError.svdFailed(module: module) }
        let q = min(p1, p2)
        let k = min(keep, q)
        // B_R = U_B · U[:, :k] · diag(σ[:k])   (out × k);  A_R = Vᵀ[:k, :] · V_Aᵀ   (k × in).
        var bR = Matrix.multiply(sb.u, sk.u, m: outFeatures, k: p1, n: k, lda: p1, ldb: q)
        for o in 0..<outFeatures { for j in 0..<k { bR[o * k + j] *= sk.s[j] } }
        let aR = Matrix.multiply(sk.vt, sa.vt, m: k, k: p2, n: inFeatures)
        var total = 0.0, tail = 0.0
        for (j, s) in sk.s.enumerated() {
            let s2 = Double(s) * Double(s)
            total += s2
            if j >= k { tail += s2 }
        }
        let err = total > 0 ? (tail / total).squareRoot() : 0
        return (aR, bR, k, err)
    }

    /// The merged adapter's PEFT config: the first member's `peft_config` with `r`, `lora_alpha`,
    /// `target_modules`, `use_rslora`, `rank_pattern`, `alpha_pattern` replaced; `nil` when no member has one.
    static func peftConfig(stack: PatchStack, rank: Int, targets: [String]) -> JSONValue? {
        guard var fields = stack.members.lazy.compactMap({ $0.declaredLoRA?.peftConfig?.objectValue }).first else { return nil }
        fields["r"] = .int(Int64(rank))
        fields["lora_alpha"] = .int(Int64(rank))
        fields["target_modules"] = .array(targets.map { .string($0) })
        fields["use_rslora"] = .bool(false)
        fields["rank_pattern"] = .object([:])
        fields["alpha_pattern"] = .object([:])
        return .object(fields)
    }
}
