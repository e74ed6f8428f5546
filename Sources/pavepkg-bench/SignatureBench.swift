import Foundation
import PaveKit
import PaveTestSupport

/// The base-signature part of the benchmark executable:
///
/// - `pavepkg-bench make-model-dir PRESET OUT [--shards N] [--fill sparse|SEED]` writes a LLaVA-OneVision
///   model directory from the published config (real headers; a hole or seeded bytes for the data);
///   presets: `llava-onevision-qwen2-0.5b-ov`, `llava-onevision-qwen2-7b-ov`.
/// - `pavepkg-bench signature DIR [--threads N] [--repeat K]` times the structural signature (headers only)
///   and the content fingerprint, and prints the hashing rate.
enum SignatureBench {
    /// Runs the subcommand named by `arguments[1]` if it is one of ours; returns `false` otherwise.
    static func run(_ arguments: [String]) -> Bool {
        guard arguments.count > 1, ["make-model-dir", "signature"].contains(arguments[1]) else { return false }
        do {
            if arguments[1] == "make-model-dir" { try makeModelDir(Array(arguments.dropFirst(2))) } else { try signature(Array(arguments.dropFirst(2))) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
        return true
    }

    static func option(_ name: String, in args: inout [String]) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        let v = args[i + 1]
        args.removeSubrange(i...(i + 1))
        return v
    }

    static func makeModelDir(_ arguments: [String]) throws {
        var args = arguments
        let shards = Int(option("--shards", in: &args) ?? "1") ?? 1
        let fillArg = option("--fill", in: &args) ?? "sparse"
        guard args.count == 2, let preset = ModelDirectoryBuilder.Preset(rawValue: args[0]) else {
            throw BenchUsage("usage: pavepkg-bench make-model-dir {\(ModelDirectoryBuilder.Preset.allCases.map(\.rawValue).joined(separator: "|"))} OUT [--shards N] [--fill sparse|SEED]")
        }
        let fill: ModelDirectoryBuilder.Fill = fillArg == "sparse" ? .sparse : .pattern(seed: UInt64(fillArg) ?? 0)
        let builder = try ModelDirectoryBuilder(config: preset.config, dtype: .bf16, shardCount: shards, fill: fill)
        let names = try builder.write(to: URL(fileURLWithPath: args[1]))
        print("wrote \(args[1]): config.json + \(names.count) shard(s), \(builder.tensors.count) tensors (\(fillArg))")
    }

    static func signature(_ arguments: [String]) throws {
        var args = arguments
        let threads = Int(option("--threads", in: &args) ?? "2") ?? 2
        let repeats = max(1, Int(option("--repeat", in: &args) ?? "3") ?? 3)
        guard args.count == 1 else { throw BenchUsage("usage: pavepkg-bench signature DIR [--threads N] [--repeat K]") }
        let url = URL(fileURLWithPath: args[0])
        var best = Double.infinity
        var sig = ""
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let dir = try ModelDirectory(url)
            sig = dir.description.structuralSignature
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let dir = try ModelDirectory(url)
        print(String(format: "structural signature: %.1f ms (best of %d; %d shards, %d covered tensors) %@", best * 1000, repeats, dir.shards.count, dir.locations.count, sig))
        var bestHash = Double.infinity
        var fp = ""
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            fp = try ContentFingerprint.compute(dir, threads: threads).fingerprint
            bestHash = min(bestHash, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let mb = Double(dir.coveredByteCount) / 1e6
        print(String(format: "content fingerprint: %.0f MB in %.2f s = %.0f MB/s (%d threads, best of %d) %@", mb, bestHash, mb / bestHash, threads, repeats, fp))
    }
}

struct BenchUsage: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
