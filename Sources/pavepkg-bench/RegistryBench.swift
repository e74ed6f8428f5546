import Crypto
import Foundation
import PaveKit

/// `pavepkg-bench registry [--patches N] [--install-mb M] [--runs R] [--dir PATH]`: the registry at size.
///
/// 1. install of one ~M MB patch into a fresh store (R runs; verification included), and the same patch's
///    next version sharing all but one tensor;
/// 2. N small patches (shared + own tensor, varied side channels, bases, tags) installed in batches of 100;
///    then `list` (all, by side channel, by base) and `search` (broad, selective) through the library;
/// 3. `gc --dry-run` and `gc` on that store, with 1,000 orphan 64 KiB blobs (as killed installs leave).
///
/// `--keep PATH` keeps everything under PATH and, when PATH already holds the many-patch store, reuses it
/// (only the queries and gc are measured again).
enum RegistryBench {
    static func run(patches: Int, installMB: Int, runs: Int, base: URL, keep: URL?) throws {
        let root = keep ?? base.appendingPathComponent("pave-registry-bench-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: root) } }
        let reuse = keep != nil && FileManager.default.fileExists(atPath: root.appendingPathComponent("many/index.sqlite").path)
        print("load average: \(loadAverage())")
        print("pavepkg-bench registry: \(patches) patches, \(installMB) MB install, \(runs) runs, SQLite \(Registry.sqliteVersion), dir \(root.path)")

        if !reuse { try installBenchmarks(root: root, installMB: installMB, runs: runs) }

        // 2. A store with many patches.
        let home = root.appendingPathComponent("many")
        let files = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        let registry = try Registry(layout: StoreLayout(home: home))
        if !reuse { try fill(registry, files: files, patches: patches) }
        let u = try registry.usage()
        try queryAndGCBenchmarks(registry, home: home, patches: u.patches, runs: runs)
    }

    static func installBenchmarks(root: URL, installMB: Int, runs: Int) throws {
        let bigTensors = 5
        // Random mantissas and signs, exponents over 64 values: compresses to ~94 %, so the file is ~M MB.
        let perTensor = Int(Double(installMB) * 1e6 / 0.94 / 4 / Double(bigTensors))
        let big = root.appendingPathComponent("big-1.0.0.pave")
        let big2 = root.appendingPathComponent("big-1.1.0.pave")
        try writeBig(big, version: "1.0.0", tensors: bigTensors, floats: perTensor, changed: -1)
        try writeBig(big2, version: "1.1.0", tensors: bigTensors, floats: perTensor, changed: 0)
        let size = (try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int) ?? 0
        var verifyTimes: [Double] = [], installTimes: [Double] = [], sharedTimes: [Double] = []
        for r in 0..<runs {
            let home = root.appendingPathComponent("install-\(r)")
            let registry = try Registry(layout: StoreLayout(home: home))
            verifyTimes.append(try time { _ = try PaveFileReader().verifiedImage(ofFileAt: big.path, base: nil) })
            installTimes.append(try time { try registry.install(paths: [big.path]) })
            sharedTimes.append(try time { try registry.install(paths: [big2.path]) })
            try FileManager.default.removeItem(at: home)
        }
        print(String(format: "install %.1f MB patch (%d tensors), fresh store: median %@ (min %@); of which open+verify alone: median %@",
                     Double(size) / 1e6, bigTensors, ms(median(installTimes)), ms(installTimes.min() ?? 0), ms(median(verifyTimes))))
        print("install next version (1 of \(bigTensors) tensors changed): median \(ms(median(sharedTimes)))")
    }

    static func fill(_ registry: Registry, files: URL, patches: Int) throws {
        let writeTime = try time {
            for n in 0..<patches { _ = try writeSmall(files, n) }
        }
        var installTotal = 0.0
        var batch: [String] = []
        for n in 0..<patches {
            batch.append(files.appendingPathComponent(smallName(n)).path)
            if batch.count == 100 || n == patches - 1 {
                installTotal += try time { try registry.install(paths: batch) }
                batch.removeAll()
            }
        }
        let u = try registry.usage()
        print(String(format: "wrote %d small .pave files in %.1f s; installed them in %.1f s (%.2f ms each, batches of 100): %d blobs, %@ stored for %@ of files",
                     patches, writeTime, installTotal, installTotal * 1000 / Double(patches), u.blobs,
                     mb(u.storedBytes), mb(u.logicalBytes)))
    }

    static func queryAndGCBenchmarks(_ registry: Registry, home: URL, patches: Int, runs: Int) throws {
        // Wall time and this process's CPU time: on a shared, loaded machine the wall figure includes waiting
        // for a core; the CPU figure is what the query itself costs.
        func bench(_ label: String, _ body: () throws -> Int) throws {
            var count = 0
            var times: [Double] = [], cpu: [Double] = []
            for _ in 0..<max(runs, 20) {
                let c0 = cpuTime()
                times.append(try time { count = try body() })
                cpu.append(cpuTime() - c0)
            }
            print("\(label): \(count) results, wall median \(ms(median(times))) (min \(ms(times.min() ?? 0))), CPU median \(ms(median(cpu)))")
        }
        try bench("list (all)") { try registry.list().count }
        try bench("list --side-channel audio") { try registry.list(sideChannel: "audio").count }
        try bench("list --base qwen2-7b") { try registry.list(base: "lmms-lab/qwen2-7b").count }
        try bench("search audio") { try registry.search("audio").count }
        try bench("search \"speech llava\"") { try registry.search("speech llava").count }
        let one = String(format: "patch-%05d", patches * 42 / 100)
        try bench("search \(one)") { try registry.search(one).count }
        try bench("show \(one)") { try registry.show(one).segments.count }

        // 3. gc with garbage of the kind a killed install leaves.
        let orphans = 1000
        for k in 0..<orphans {
            var bytes = [UInt8](repeating: 0, count: 65_536)
            withUnsafeBytes(of: UInt64(k + 1_000_000)) { bytes.replaceSubrange(0..<8, with: $0) }
            let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            let dir = home.appendingPathComponent("blobs/sha256/\(hex.prefix(2))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(bytes).write(to: dir.appendingPathComponent(hex))
        }
        print("load average: \(loadAverage())")
        var report = try registry.gc(dryRun: true)
        let dry = try time { report = try registry.gc(dryRun: true) }
        print("gc --dry-run on \(patches) patches + \(orphans) orphan blobs: \(ms(dry)), would free \(mb(report.freedBytes)) in \(report.blobs) blobs")
        let real = try time { report = try registry.gc() }
        print("gc: \(ms(real)), freed \(mb(report.freedBytes)) in \(report.blobs) blobs")
        let again = try time { report = try registry.gc() }
        print("gc with nothing to free: \(ms(again)) (\(report.blobs) blobs)")
    }

    static func writeBig(_ url: URL, version: String, tensors: Int, floats: Int, changed: Int) throws {
        var m = Manifest(name: "big", version: version)
        m.created = "2026-01-01T00:00:00Z"
        m.description = "registry benchmark patch"
        var sources: [any TensorSource] = []
        for t in 0..<tensors {
            var s: UInt64 = UInt64(t + 1) &* 0x9E37_79B9_7F4A_7C15 &+ (t == changed ? 77 : 0)
            let values = (0..<floats).map { _ -> Float in
                s ^= s << 13; s ^= s >> 7; s ^= s << 17
                let bits = UInt32(truncatingIfNeeded: s)
                return Float(bitPattern: (bits & 0x807F_FFFF) | ((0x60 + (bits >> 23) & 0x3F) << 23))
            }
            sources.append(InMemoryTensorSource(name: "lora.t\(t)", tensor: try .f32(shape: [floats], values)))
        }
        _ = try PaveWriter.write(manifest: m, tensors: sources, to: url, options: PackOptions())
    }

    static func smallName(_ n: Int) -> String { String(format: "patch-%05d.pave", n) }

    static let sides = ["audio", "video", "3d", "multiview"]
    static let bases = ["lmms-lab/qwen2-7b", "lmms-lab/qwen2-0.5b", "llava-hf/llava-onevision-7b"]
    static let words = ["speech", "music", "depth", "lidar", "camera", "event", "thermal", "sonar", "llava", "asr"]

    static func writeSmall(_ dir: URL, _ n: Int) throws -> URL {
        var m = Manifest(name: String(format: "patch-%05d", n), version: "1.0.\(n % 7)")
        m.created = "2026-01-01T00:00:00Z"
        m.description = "benchmark patch \(n) for \(words[n % words.count]) and \(words[(n / 10) % words.count])"
        m.tags = [words[(n * 7) % words.count], sides[n % sides.count]]
        m["side_channel"] = ["kind": .string(sides[n % sides.count]), "encoder": "bench encoder", "layout": ["T": nil, "H": 1, "W": 1, "C": 16]]
        m["base"] = ["name": .string(bases[n % bases.count]), "source": "signature"]
        let module = "model.layers.0.self_attn.q_proj"
        try m.encode(LoRAConfig(r: 4, alpha: 8, targetModules: [module], tensorPrefix: ""), forKey: ManifestKey.lora)
        let shared = (0..<256).map { Float($0) * 0.001 }
        let own = (0..<256).map { Float($0 + n) * 0.01 }
        let url = dir.appendingPathComponent(smallName(n))
        _ = try PaveWriter.write(manifest: m, tensors: [
            InMemoryTensorSource(name: module + ".lora_A.weight", tensor: try .f32(shape: [4, 64], shared)),
            InMemoryTensorSource(name: module + ".lora_B.weight", tensor: try .f32(shape: [64, 4], own)),
        ], to: url, options: PackOptions(threads: 1))
        return url
    }

    static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// CPU time of this process (user + system), in seconds.
    static func cpuTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? loads.map { String(format: "%.2f", $0) }.joined(separator: " ") : "?"
    }

    static func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
    static func mb(_ b: Int) -> String { String(format: "%.1f MB", Double(b) / 1e6) }
}
