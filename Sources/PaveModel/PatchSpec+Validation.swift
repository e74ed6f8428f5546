import PaveFormat

extension PatchSpec {
    /// Dtypes accepted for weights and reference tensors (converted to fp32 when run).
    public static let floatDTypes: [DType] = [.f32, .f16, .bf16]

    /// Reference-set tensor names relative to the set's prefix.
    public enum ReferenceTensor {
        public static let visual = "visual"
        public static let side = "side"
        public static let loraX = "lora_x"
        public static let fused = "fused"
        /// `lora_delta.<module>`.
        public static func loraDelta(_ module: String) -> String { "lora_delta." + module }
        /// `lora_x.<module>`: per-module LoRA input, used instead of `lora_x` when present.
        public static func loraX(_ module: String) -> String { "lora_x." + module }
    }

    /// Checks `tensors` against the declared semantics and throws ``PatchSemanticsError/tensorMismatch(issues:)``
    /// listing every missing, extra, wrong-shape or wrong-dtype tensor. Does nothing for a manifest that is
    /// not a PAVE patch.
    public func validate(_ tensors: [TensorInfo]) throws(PatchSemanticsError) {
        try check()
        let issues = tensorIssues(tensors)
        if !issues.isEmpty { throw .tensorMismatch(issues: issues) }
    }

    /// Every way `tensors` fail to match the declared semantics, sorted by tensor name (empty when they match
    /// or the manifest is not a PAVE patch).
    public func tensorIssues(_ tensors: [TensorInfo]) -> [TensorIssue] {
        guard isPAVEPatch else { return [] }
        var byName: [String: TensorInfo] = [:]
        for t in tensors { byName[t.name] = t }
        var issues: [TensorIssue] = []
        var claimed = Set<String>()

        func shapeText(_ s: [Int?]) -> String { "[" + s.map { $0.map(String.init) ?? "*" }.joined(separator: ", ") + "]" }
        /// Checks one expected tensor; returns its info when present with an acceptable dtype and shape.
        @discardableResult
        func expect(_ name: String, role: String, shape: [Int?], required: Bool = true) -> TensorInfo? {
            claimed.insert(name)
            guard let t = byName[name] else {
                if required { issues.append(.missing(name: name, role: role, expected: shapeText(shape))) }
                return nil
            }
            guard Self.floatDTypes.contains(t.dtype) else {
                issues.append(.wrongDType(name: name, role: role, dtype: t.dtype, allowed: Self.floatDTypes)); return nil
            }
            let fits = t.shape.count == shape.count && zip(t.shape, shape).allSatisfy { $1 == nil || $0 == $1 }
            guard fits else { issues.append(.wrongShape(name: name, role: role, shape: t.shape, expected: shapeText(shape))); return nil }
            return t
        }

        // Shapes are derived from the hyperparameters only once they are known to be in range (no overflow).
        if let fusion, (try? fusion.checkHyperparameters()) != nil {
            for p in fusion.parameters {
                expect(fusion.tensorPrefix + p.name, role: p.usedInForward ? "fusion parameter" : "fusion parameter, stored but unused", shape: p.shape)
            }
        }
        var loraIn: [String: Int] = [:], loraOut: [String: Int] = [:]
        if let lora {
            for m in lora.targetModules {
                let (a, b) = lora.tensorNames(module: m)
                if let ta = expect(a, role: "LoRA A of \(m)", shape: [lora.r, nil]) { loraIn[m] = ta.shape[1] }
                if let tb = expect(b, role: "LoRA B of \(m)", shape: [nil, lora.r]) { loraOut[m] = tb.shape[0] }
            }
        }
        for set in referenceVectors {
            let p = set.tensorPrefix
            let role = "reference set \(set.name)"
            var tq: Int?, sq: Int?
            let visual = expect(p + ReferenceTensor.visual, role: role + " input", shape: [nil, nil, fusion?.queryDim], required: fusion != nil)
            let side = expect(p + ReferenceTensor.side, role: role + " input", shape: [nil, nil, nil, fusion?.inputDim], required: fusion != nil)
            if let visual { tq = visual.shape[0]; sq = visual.shape[1] }
            if let fusion {
                // Checked: a zero-width visual tensor can have any T_q·S_q.
                let rows = tq.flatMap { t in sq.flatMap { let (v, o) = t.multipliedReportingOverflow(by: $0); return o ? -1 : v } }
                expect(p + ReferenceTensor.fused, role: role + " expected output", shape: [rows, fusion.effectiveOutputDim], required: visual != nil && side != nil)
            }
            let sharedX = byName[p + ReferenceTensor.loraX]
            if sharedX != nil { claimed.insert(p + ReferenceTensor.loraX) }
            for m in set.loraModules {
                let own = p + ReferenceTensor.loraX(m)
                var n: Int?
                if byName[own] != nil || sharedX == nil {
                    n = expect(own, role: role + " LoRA input of \(m)", shape: [nil, loraIn[m]], required: sharedX == nil)?.shape[0]
                } else {
                    n = expect(p + ReferenceTensor.loraX, role: role + " LoRA input", shape: [nil, loraIn[m]])?.shape[0]
                }
                expect(p + ReferenceTensor.loraDelta(m), role: role + " expected LoRA delta of \(m)", shape: [n, loraOut[m]])
            }
        }
        for t in tensors where !claimed.contains(t.name) {
            issues.append(.extra(name: t.name, shape: t.shape))
        }
        return issues.sorted { ($0.tensorName, $0.description) < ($1.tensorName, $1.description) }
    }
}
