import PaveFormat
import PaveModel
import PaveExecutor
import Testing
@testable import PaveCompose

/// `--merge-lora cat` is exact; `--merge-lora svd:R` reports its true error, which falls with R to ~0.
@Suite struct LoRAMergeTests {
    func stack(weights: [(String, Double)] = [("b", 0.5), ("c", -1.25)], bf16: Bool = false) throws -> PatchStack {
        try PatchStack.build([
            TestPatches.patch(name: "a", seed: 11, rank: 2, alpha: 4),
            TestPatches.patch(name: "b", seed: 12, rank: 3, alpha: 16, bf16LoRA: bf16),
            TestPatches.patch(name: "c", seed: 13, rank: 1, alpha: 1, modules: [TestPatches.modules[0]]),
        ], weights: weights)
    }

    func maxRelError(_ got: [Double], _ want: [Double]) -> Double {
        let scale = want.map(abs).max() ?? 1
        return zip(got, want).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-30) } ?? 0
    }

    @Test(arguments: [false, true])
    func catEqualsTheStackDelta(bf16: Bool) throws {
        let s = try stack(bf16: bf16)
        let merged = try #require(try LoRAMerger.merge(s, mode: .cat))
        #expect(merged.config.r == 6)               // Σrᵢ over the module targeted by all three: 2 + 3 + 1
        #expect(merged.config.alpha == 6)           // scale alpha/r = 1
        #expect(merged.config.scale == 1)
        #expect(merged.config.targetModules == TestPatches.modules.sorted())
        #expect(merged.config.peftConfig?["r"] == 6 && merged.config.peftConfig?["lora_alpha"] == 6)
        for module in s.loraModules {
            let shape = try #require(s.loraShapes[module])
            let a = TestPatches.floats(try #require(merged.tensors["base_model.model." + module + ".lora_A.weight"]))
            let b = TestPatches.floats(try #require(merged.tensors["base_model.model." + module + ".lora_B.weight"]))
            let got = TestPatches.denseProduct(a: a, b: b, rank: 6, inF: shape.inFeatures, outF: shape.outFeatures)
            #expect(maxRelError(got, try TestPatches.denseDelta(s, module: module)) < 1e-6)
        }
        // down_proj is targeted by a and b only (Σr = 5): zero-padded to rank 6.
        let a = TestPatches.floats(try #require(merged.tensors["base_model.model.model.layers.0.mlp.down_proj.lora_A.weight"]))
        #expect(a.suffix(24).allSatisfy { $0 == 0 })
    }

    @Test func weightZeroMembersAreLeftOutOfTheMerge() throws {
        let withZero = try #require(try LoRAMerger.merge(try stack(weights: [("b", 0)]), mode: .cat))
        let without = try #require(try LoRAMerger.merge(try PatchStack.build([
            TestPatches.patch(name: "a", seed: 11, rank: 2, alpha: 4),
            TestPatches.patch(name: "c", seed: 13, rank: 1, alpha: 1, modules: [TestPatches.modules[0]]),
        ]), mode: .cat))
        #expect(withZero.tensors == without.tensors)
        #expect(withZero.config == without.config)
    }

    @Test func svdErrorFallsWithRankAndVanishesAtFullRank() throws {
        let s = try stack()
        var previous: [String: Double] = [:]
        for r in 1...7 {
            let merged = try #require(try LoRAMerger.merge(s, mode: .svd(rank: r)))
            #expect(merged.config.r == r && merged.config.alpha == Double(r))
            let errors = try #require(merged.record.relativeFrobeniusError)
            for module in s.loraModules {
                let reported = try #require(errors[module])
                if let p = previous[module] { #expect(reported <= p + 1e-7) }
                previous[module] = reported
                // The reported error is the true one (measured on the dense matrices, fp64).
                let shape = try #require(s.loraShapes[module])
                let a = TestPatches.floats(try #require(merged.tensors["base_model.model." + module + ".lora_A.weight"]))
                let b = TestPatches.floats(try #require(merged.tensors["base_model.model." + module + ".lora_B.weight"]))
                let approx = TestPatches.denseProduct(a: a, b: b, rank: r, inF: shape.inFeatures, outF: shape.outFeatures)
                let exact = try TestPatches.denseDelta(s, module: module)
                let measured = TestPatches.frobenius(zip(approx, exact).map { $0 - $1 }) / TestPatches.frobenius(exact)
                #expect(abs(measured - reported) < 1e-5, "module \(module) rank \(r): measured \(measured), reported \(reported)")
                let full = module.hasSuffix("q_proj") ? 6 : 5
                if r >= full { #expect(reported < 1e-6 && measured < 1e-5) } else { #expect(reported > 1e-3) }
            }
        }
    }

    @Test func svdMatchesEckartYoungOnAKnownSpectrum() throws {
        // B = diag-like (out×3), A = (3×in) with orthonormal rows: singular values are exactly 4, 2, 1.
        let out = 5, inF = 4
        var b = [Float](repeating: 0, count: out * 3), a = [Float](repeating: 0, count: 3 * inF)
        b[0 * 3 + 0] = 4; b[1 * 3 + 1] = 2; b[2 * 3 + 2] = 1
        a[0 * inF + 1] = 1; a[1 * inF + 0] = 1; a[2 * inF + 3] = 1
        let t = try LoRAMerger.truncate(a: a, b: b, rank: 3, inFeatures: inF, outFeatures: out, keep: 2, module: "m")
        #expect(t.keptRank == 2)
        #expect(abs(t.relativeError - 1 / (16.0 + 4 + 1).squareRoot()) < 1e-6)
        let approx = TestPatches.denseProduct(a: t.a, b: t.b, rank: 2, inF: inF, outF: out)
        #expect(abs(approx[0 * inF + 1] - 4) < 1e-5 && abs(approx[1 * inF + 0] - 2) < 1e-5 && abs(approx[2 * inF + 3]) < 1e-5)
    }

    @Test func mergeModesParse() throws {
        #expect(LoRAMergeMode("cat") == .cat)
        #expect(LoRAMergeMode("svd:16") == .svd(rank: 16))
        #expect(LoRAMergeMode.svd(rank: 16).description == "svd:16")
        for bad in ["svd", "svd:0", "svd:-1", "svd:x", "CAT", ""] { #expect(LoRAMergeMode(bad) == nil, "\(bad)") }
    }

    @Test func composedPlanWithMergeDropsMemberFactorsAndRecordsTheMerge() throws {
        let s = try stack()
        let plan = try StackComposer.plan(s, options: ComposeOptions(name: "m", mergeLoRA: .svd(rank: 3)))
        #expect(!plan.tensors.contains { $0.name.hasPrefix("m.") && $0.name.hasSuffix(".lora_A.weight") })
        #expect(plan.tensors.contains { $0.name == "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight" })
        let record = try #require(try plan.manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge))
        #expect(record.mode == "svd" && record.rank == 3 && record.relativeFrobeniusError?.count == 2)
        let records = try #require(try plan.manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members))
        #expect(records.allSatisfy { $0.lora == "merged" })
        #expect(record.adapter?.r == 3 && record.adapter?.alpha == 3)
        #expect(plan.manifest[ManifestKey.lora] == nil)
    }

    @Test func mergeIsDeterministicWhateverTheBLASThreadCount() throws {
        // Large enough for OpenBLAS to split work between threads.
        let big = try PatchStack.build([
            TestPatches.patch(name: "a", seed: 21, dims: .init(outputDim: 512), rank: 48, modules: [TestPatches.modules[1]]),
            TestPatches.patch(name: "b", seed: 22, dims: .init(outputDim: 512), rank: 40, modules: [TestPatches.modules[1]]),
        ])
        let saved = BLAS.threadCount
        defer { BLAS.setThreadCount(saved) }
        BLAS.setThreadCount(2)
        let two = try #require(try LoRAMerger.merge(big, mode: .svd(rank: 32)))
        BLAS.setThreadCount(1)
        let one = try #require(try LoRAMerger.merge(big, mode: .svd(rank: 32)))
        let identical = one.tensors == two.tensors
        #expect(identical, "svd merge factors differ between 1 and 2 OpenBLAS threads")
        #expect(BLAS.threadCount == 1)   // restored to what it was before the merge
    }
}

@Suite struct WeightedSumTests {
    @Test func oneTermWithWeightOneIsIdentity() {
        let v: [Float] = [1.1, -3.3e-8, .greatestFiniteMagnitude, 0, 7]
        var s = WeightedSum(count: v.count)
        s.add(v, weight: 1)
        #expect(s.result == v)
    }

    @Test func twoTermsCommute() {
        var rng = SeededRNG(seed: 9)
        let x = rng.floats(100), y = rng.floats(100)
        var s1 = WeightedSum(count: 100), s2 = WeightedSum(count: 100)
        s1.add(x, weight: 0.3); s1.add(y, weight: -1.7)
        s2.add(y, weight: -1.7); s2.add(x, weight: 0.3)
        #expect(s1.result == s2.result)
    }
}
