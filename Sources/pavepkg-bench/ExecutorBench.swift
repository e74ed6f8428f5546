import Foundation
import PaveKit

#if canImport(Glibc)
import Glibc
#endif

/// `pavepkg-bench executor [--shape audio7b|3d] [--runs N] [--threads N] [--dtype bf16|f32]`:
/// the fusion forward at real size, its matrix products alone through OpenBLAS, GFLOP/s and peak memory.
enum ExecutorBench {
    struct Shape {
        var name: String, visual: [Int], side: [Int], inputDim: Int, outputDim: Int, layers: Int
    }
    static let shapes = [
        // VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B: queries 32×196×1152, side 120×1×1×1024.
        Shape(name: "audio7b", visual: [32, 196, 1152], side: [120, 1, 1, 1024], inputDim: 1024, outputDim: 3584, layers: 2),
        // VideoFeatModelArgumentsV5_1_3_3d_7B: side 32×24×24×1024.
        Shape(name: "3d", visual: [32, 196, 1152], side: [32, 24, 24, 1024], inputDim: 1024, outputDim: 3584, layers: 2),
    ]

    static func bench(_ s: Shape, runs: Int, threads: Int, dtype: DType) throws {
        let arch = FusionArchitecture(inputDim: s.inputDim, outputDim: s.outputDim, layers: s.layers)
        let t0 = Date()
        // Build the stored weights in a scope of their own so that only the fp32 copy stays alive.
        let (module, storedBytes) = try { () throws -> (FusionModule, Int) in
            var rng = SeededRandom(seed: 42)
            var map: [String: TensorData] = [:]
            var bytes = 0
            for p in arch.parameters {
                let n = p.shape.reduce(1, *)
                let scale = 1 / Float(p.shape.last ?? 1).squareRoot()
                let offset: Float = p.name.hasSuffix("norm.weight") || p.name.hasSuffix("ffn.0.weight") ? 1 : 0
                let values = (0..<n).map { _ in rng.nextSigned() * scale + offset }
                let t = try tensor(p.shape, values)
                map[arch.tensorPrefix + p.name] = dtype == .f32 ? t.tensorData() : try bf16(t)
                bytes += map[arch.tensorPrefix + p.name]?.bytes.count ?? 0
            }
            return (try FusionModule(architecture: arch, tensors: InMemoryTensors(map), threads: threads), bytes)
        }()
        let loadTime = Date().timeIntervalSince(t0)
        var rng = SeededRandom(seed: 7)
        let visual = try tensor(s.visual, rng.values(s.visual.reduce(1, *)))
        let side = try tensor(s.side, rng.values(s.side.reduce(1, *)))
        let g = try module.geometry(visualShape: s.visual, sideShape: s.side)
        let work = module.workload(g)
        let usedWeightFloats = arch.parameters.filter(\.usedInForward).reduce(0) { $0 + $1.shape.reduce(1, *) }
        let inputBytes = (visual.values.count + side.values.count) * 4
        let weightBytes = usedWeightFloats * 4
        let outputBytes = g.tq * g.sq * module.outputDim * 4

        print("shape \(s.name): visual \(s.visual) side \(s.side) → fused [\(g.tq * g.sq), \(module.outputDim)]; \(s.layers) layers; chunks \(Set(g.chunkLengths).sorted()) frames; threads \(threads); weights stored \(dtype.rawValue) (\(storedBytes / 1_048_576) MiB), load+convert \(fmt(loadTime)) s")
        var checksum = 0.0
        var fwdCPU: [Double] = [], gemmCPU: [Double] = []
        func timeForward() throws -> Double {
            let t = Date(), c = cpuSeconds()
            let out = try module.forward(visual: visual, side: side)
            let dt = Date().timeIntervalSince(t)
            fwdCPU.append(cpuSeconds() - c)
            checksum = out.values.prefix(1000).reduce(0) { $0 + Double($1) }
            return dt
        }
        _ = try timeForward()   // warm-up
        fwdCPU.removeAll()
        var fwd: [Double] = [], gemm: [Double] = []
        for _ in 0..<runs {
            fwd.append(try timeForward())
            let t = Date(), c = cpuSeconds()
            work.run(threads: threads)
            gemm.append(Date().timeIntervalSince(t)); gemmCPU.append(cpuSeconds() - c)
        }
        let f = fwd.min() ?? 0, gm = gemm.min() ?? 0
        let gflop = work.flops / 1e9
        print("  forward      best \(fmt(f)) s  median \(fmt(median(fwd))) s  \(fmt(gflop / f)) GFLOP/s  (checksum \(String(format: "%.6g", checksum)))")
        print("  GEMMs alone  best \(fmt(gm)) s  median \(fmt(median(gemm))) s  \(fmt(gflop / gm)) GFLOP/s  (\(fmt(gflop)) GFLOP in \(work.phases.reduce(0) { $0 + $1.tiles.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }) sgemm calls)")
        let paired = zip(fwd, gemm).map { $0 / $1 }
        print("  forward / GEMMs alone = \(fmt(f / gm)) best/best, \(fmt(median(paired))) median of \(runs) back-to-back pairs  (target ≤ 1.2)")
        let fc = fwdCPU.min() ?? 0, gc = gemmCPU.min() ?? 0
        print("  CPU time (user+sys, all threads): forward best \(fmt(fc)) s, GEMMs alone best \(fmt(gc)) s, ratio \(fmt(fc / gc))")
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peak = Double(usage.ru_maxrss) * 1024
        let budget = Double(inputBytes + weightBytes + outputBytes)
        print("  peak RSS (before the 1-thread comparison module exists) \(mib(peak)) MiB; inputs \(mib(Double(inputBytes))) + fp32 weights \(mib(Double(weightBytes))) + output \(mib(Double(outputBytes))) = \(mib(budget)) MiB; ratio \(fmt(peak / budget)) (target < 2)")
        if threads > 1 {
            let one = try FusionModule(architecture: arch, tensors: try { () throws -> InMemoryTensors in
                var m: [String: TensorData] = [:]
                for p in arch.parameters { m[arch.tensorPrefix + p.name] = try tensor(p.shape, [Float](repeating: 0.01, count: p.shape.reduce(1, *))).tensorData() }
                return InMemoryTensors(m)
            }(), threads: 1)
            let t = Date(); _ = try one.forward(visual: visual, side: side); let single = Date().timeIntervalSince(t)
            print("  forward with 1 thread \(fmt(single)) s → speed-up ×\(fmt(single / f)) on \(threads) threads")
        }
    }

    struct ShapeMismatch: Error {}
    static func tensor(_ shape: [Int], _ values: [Float]) throws -> FloatTensor {
        guard let t = FloatTensor(shape: shape, values: values) else { throw ShapeMismatch() }
        return t
    }

    static func bf16(_ t: FloatTensor) throws -> TensorData {
        var bytes = [UInt8](repeating: 0, count: t.values.count * 2)
        for (i, v) in t.values.enumerated() {
            let h = FloatConversion.floatToBFloat16(v)
            bytes[2 * i] = UInt8(truncatingIfNeeded: h); bytes[2 * i + 1] = UInt8(truncatingIfNeeded: h >> 8)
        }
        return try TensorData(dtype: .bf16, shape: t.shape, bytes: bytes)
    }

    /// User + system CPU time of the process so far (all threads).
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
    static func fmt(_ v: Double) -> String { String(format: "%.3f", v) }
    static func mib(_ v: Double) -> String { String(format: "%.1f", v / 1_048_576) }
}
