import Foundation
import PaveKit

/// `pavepkg-bench compose`: the cost of stacking at real size (the released 7B shapes).
///
/// - fusion: two patches (LanguageBind video 1024-d side, 120 frames; audio 768-d side, 120 frames), queries
///   32×196×1152, output 3584: each alone, then stacked; the stack's overhead is what it costs beyond the two
///   single forwards (the fp64 weighted sum).
/// - LoRA: four q_proj-sized modules (3584×3584, r = 64) in each patch, N = 2048 tokens: single vs stacked deltas.
/// - merges of two rank-64 gate_proj-sized adapters (18944×3584): cat, svd:64, svd:128, with their errors.
enum ComposeBench {
    struct RNG {
        var stream: SplitMix64
        init(s: UInt64) { stream = SplitMix64(seed: s) }
        mutating func next() -> Float {
            Float(stream.next() >> 40) / Float(1 << 24) * 2 - 1
        }
        mutating func values(_ n: Int, scale: Float) -> [Float] { (0..<n).map { _ in next() * scale } }
    }

    static func patch(name: String, inputDim: Int, seed: UInt64, loraModules: [(String, Int, Int)], rank: Int) throws -> StackInput {
        var rng = RNG(s: seed)
        var m = Manifest(name: name, version: "1.0.0")
        let arch = FusionArchitecture(inputDim: inputDim, outputDim: 3584)
        try m.encode(arch, forKey: ManifestKey.fusion)
        var t: [String: TensorData] = [:]
        for p in arch.parameters {
            let n = p.shape.reduce(1, *)
            let scale: Float = p.shape.count == 2 ? 1 / Float(p.shape[1]).squareRoot() : 0.1
            var v = rng.values(n, scale: scale)
            if p.name.hasSuffix("norm.weight") || p.name.hasSuffix("ffn.0.weight") { v = v.map { 1 + $0 } }
            t[arch.tensorPrefix + p.name] = try TensorData.f32(shape: p.shape, v)
        }
        if !loraModules.isEmpty {
            let lora = LoRAConfig(r: rank, alpha: 16, targetModules: loraModules.map(\.0).sorted())
            try m.encode(lora, forKey: ManifestKey.lora)
            for (mod, inF, outF) in loraModules {
                let (a, b) = lora.tensorNames(module: mod)
                t[a] = try TensorData.f32(shape: [rank, inF], rng.values(rank * inF, scale: 1 / Float(inF).squareRoot()))
                t[b] = try TensorData.f32(shape: [outF, rank], rng.values(outF * rank, scale: 0.01))
            }
        }
        return StackInput(tensors: InMemoryTensors(t), manifest: m, digest: Digest.prefixed([UInt8](repeating: 0, count: 32)), path: name)
    }

    static func time(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }

    static func bench() throws {
        let rounds = 5
        print("pavepkg-bench compose (\(PaveKitVersion.string)), best of \(rounds) interleaved rounds, OpenBLAS threads \(BLAS.threadCount)")
        let q = (0..<4).map { ("model.layers.\($0).self_attn.q_proj", 3584, 3584) }
        let video = try patch(name: "video", inputDim: 1024, seed: 1, loraModules: q, rank: 64)
        let audio = try patch(name: "audio", inputDim: 768, seed: 2, loraModules: q, rank: 64)
        var rng = RNG(s: 9)
        let visual = try require(FloatTensor(shape: [32, 196, 1152], values: rng.values(32 * 196 * 1152, scale: 1)))
        let sideV = try require(FloatTensor(shape: [120, 1, 1, 1024], values: rng.values(120 * 1024, scale: 1)))
        let sideA = try require(FloatTensor(shape: [120, 1, 1, 768], values: rng.values(120 * 768, scale: 1)))
        let x = try require(FloatTensor(shape: [2048, 3584], values: rng.values(2048 * 3584, scale: 1)))

        let execV = try PatchExecutor(spec: PatchSpec(manifest: video.manifest), tensors: video.tensors)
        let execA = try PatchExecutor(spec: PatchSpec(manifest: audio.manifest), tensors: audio.tensors)
        let stack = try StackExecutor(stack: PatchStack.build([video, audio], weights: [("audio", 0.5)]))
        _ = try execV.forward(visual: visual, side: sideV)   // warm-up
        // Interleaved (video, audio, stack) rounds, best of each: the machine is shared, so do not time them apart.
        var tV = Double.infinity, tA = Double.infinity, tS = Double.infinity, tM = Double.infinity
        for _ in 0..<rounds {
            tV = min(tV, try time(1) { _ = try execV.forward(visual: visual, side: sideV) })
            tA = min(tA, try time(1) { _ = try execA.forward(visual: visual, side: sideA) })
            tS = min(tS, try time(1) { _ = try stack.forward(visual: visual, sides: ["video": sideV, "audio": sideA]) })
            tM = min(tM, try time(1) {
                let a = try execV.forward(visual: visual, side: sideV), b = try execA.forward(visual: visual, side: sideA)
                var s = WeightedSum(count: a.values.count)
                s.add(a.values, weight: 1); s.add(b.values, weight: 0.5)
                _ = s.result
            })
        }
        print(String(format: "  (by hand: two forwards + WeightedSum %.3f s)", tM))
        print(String(format: "fusion forward  video %.3f s  audio %.3f s  sum %.3f s  stack %.3f s  overhead %+.1f%% (%.1f ms)",
                     tV, tA, tV + tA, tS, (tS / (tV + tA) - 1) * 100, (tS - tV - tA) * 1e3))

        let mod = q[0].0
        var lV = Double.infinity, lA = Double.infinity, lS = Double.infinity, lM = Double.infinity
        for _ in 0..<rounds {
            lV = min(lV, try time(1) { for (m, _, _) in q { _ = try execV.loraDelta(module: m, x: x) } })
            lA = min(lA, try time(1) { for (m, _, _) in q { _ = try execA.loraDelta(module: m, x: x) } })
            lS = min(lS, try time(1) { for (m, _, _) in q { _ = try stack.loraDelta(module: m, x: x) } })
            lM = min(lM, try time(1) {
                for (m, _, _) in q {
                    let a = try execV.loraDelta(module: m, x: x), b = try execA.loraDelta(module: m, x: x)
                    var s = WeightedSum(count: a.values.count)
                    s.add(a.values, weight: 1); s.add(b.values, weight: 0.5)
                    _ = s.result
                }
            })
        }
        print(String(format: "  (by hand: two deltas + WeightedSum ×4 %.3f s)", lM))
        print(String(format: "lora delta ×4 (N=2048, 3584→3584, r=64)  video %.3f s  audio %.3f s  sum %.3f s  stack %.3f s  overhead %+.1f%%",
                     lV, lA, lV + lA, lS, (lS / (lV + lA) - 1) * 100))
        _ = mod
        let t1 = x.values, t2 = x.values.map { $0 * 0.5 }
        let tSum = time(5) {
            var s = WeightedSum(count: t1.count)
            s.add(t1, weight: 1); s.add(t2, weight: 0.5)
            _ = s.result
        }
        print(String(format: "weighted sum alone (2 terms × %d elements, fp64 accumulate): %.1f ms = %.2f ns/element",
                     t1.count, tSum * 1e3, tSum * 1e9 / Double(t1.count)))

        let g = [("model.layers.0.mlp.gate_proj", 3584, 18944)]
        let gs = try PatchStack.build([patch(name: "video", inputDim: 1024, seed: 3, loraModules: g, rank: 64),
                                       patch(name: "audio", inputDim: 768, seed: 4, loraModules: g, rank: 64)])
        for mode in [LoRAMergeMode.cat, .svd(rank: 64), .svd(rank: 96), .svd(rank: 128)] {
            var result: LoRAMergeResult?
            let t = try time(1) { result = try LoRAMerger.merge(gs, mode: mode) }
            let err = result?.record.relativeFrobeniusError?.values.max()
            print(String(format: "merge-lora %-8@ gate_proj 18944×3584, 2×r64: %.3f s, rank %d%@", mode.description, t, result?.config.r ?? 0,
                         err.map { String(format: ", relative Frobenius error %.3g", $0) } ?? ""))
        }
    }
}

extension Optional {
    /// The wrapped value or an error naming what was missing (bench only).
    fileprivate func get(_ what: String) throws -> Wrapped {
        guard let v = self else { throw ComposeError.badInput(name: what, detail: "could not be built") }
        return v
    }
}

private func require<T>(_ v: T?) throws -> T { try v.get("bench input") }
