import Foundation
import PaveKit

/// The container part of the benchmark executable: sample generation and pack / unpack / verify figures.
///
/// - `pavepkg-bench generate-samples [--out DIR] [--seed N]`
/// - `pavepkg-bench run FILE.safetensors [--bf16] [--level L] [--repeats N] [--out-dir DIR] [--no-zstd-cli]`
/// - `pavepkg-bench micro FILE`
/// - `pavepkg-bench to-bf16 IN.safetensors OUT.safetensors`
enum ContainerBench {
    static let usage = """
        generate-samples [--out DIR] [--seed N]
          pavepkg-bench run FILE.safetensors [--bf16] [--level L] [--repeats N] [--out-dir DIR] [--no-zstd-cli]
          pavepkg-bench micro FILE
          pavepkg-bench to-bf16 IN.safetensors OUT.safetensors
        """

    static func option(_ args: [String], _ name: String) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    /// Runs `command` with `args` (the arguments after the subcommand name).
    static func run(_ command: String, _ rest: [String]) throws {
        let args = [command] + rest
        switch command {
        case "generate-samples":
            let out = URL(fileURLWithPath: option(args, "--out") ?? "samples/out")
            let seed = UInt64(option(args, "--seed") ?? "20260101") ?? 20_260_101
            try Samples.generate(into: out, seed: seed)
        case "run":
            guard args.count >= 2 else { throw BenchError(usage) }
            var o = Benchmark.Options(input: URL(fileURLWithPath: args[1]))
            o.toBF16 = args.contains("--bf16")
            o.zstdCLI = !args.contains("--no-zstd-cli")
            if let l = option(args, "--level"), let v = Int(l) { o.level = v }
            if let r = option(args, "--repeats"), let v = Int(r) { o.repeats = v }
            if let d = option(args, "--out-dir") { o.outDir = URL(fileURLWithPath: d) }
            print("pavepkg-bench \(PaveKitVersion.string)")
            try Benchmark.run(o)
        case "micro":
            guard args.count >= 2 else { throw BenchError(usage) }
            try Micro.run(URL(fileURLWithPath: args[1]))
        case "to-bf16":
            guard args.count == 3 else { throw BenchError(usage) }
            let src = try SafetensorsFile(URL(fileURLWithPath: args[1]))
            let out = try src.entries.map { ($0.name, try BF16.convert(try src.tensor($0.name))) }
            try SafetensorsWriter.write(out, metadata: src.metadata.isEmpty ? nil : src.metadata, to: URL(fileURLWithPath: args[2]))
        default:
            throw BenchError(usage)
        }
    }
}
