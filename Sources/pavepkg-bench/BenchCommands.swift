import PaveTestSupport
import ArgumentParser
import Foundation
import PaveKit

/// `generate-samples`: the demo and tiny samples (samples/README.md).
struct GenerateSamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate-samples", abstract: "Write the deterministic sample patches.")
    @Option(help: "Output directory.") var out = "samples/out"
    @Option(help: "Seed of the 7B audio fusion sample.") var seed: UInt64 = 20_260_101
    func run() throws { try Samples.generate(into: URL(fileURLWithPath: out), seed: seed) }
}

/// `run FILE.safetensors`: pack / unpack / verify figures and the compression ratio vs. the zstd CLI.
struct ContainerRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Container pack / unpack / verify throughput and ratio.")
    @Argument(help: "A safetensors file.") var input: String
    @Flag(help: "Convert the tensors to BF16 first.") var bf16 = false
    @Option(help: "zstd level.") var level = 3
    @Option(help: "Repeats (best is reported).") var repeats = 3
    @Option(help: "Where the .pave and unpacked files go (default: the temporary directory).") var outDir: String?
    @Flag(help: "Skip the zstd CLI comparison.") var noZstdCli = false

    func run() throws {
        var o = Benchmark.Options(input: URL(fileURLWithPath: input))
        o.toBF16 = bf16
        o.zstdCLI = !noZstdCli
        o.level = level
        o.repeats = repeats
        o.outDir = outDir.map { URL(fileURLWithPath: $0) }
        print("pavepkg-bench \(PaveKitVersion.string)")
        try Benchmark.run(o)
    }
}

/// `micro FILE`: codec micro-benchmarks.
struct MicroCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "micro", abstract: "Codec micro-benchmarks.")
    @Argument(help: "A safetensors file.") var input: String
    func run() throws { try Micro.run(URL(fileURLWithPath: input)) }
}

/// `to-bf16 IN OUT`: a safetensors file with every float tensor converted to BF16.
struct ToBF16Command: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "to-bf16", abstract: "Convert a safetensors file's float tensors to BF16.")
    @Argument(help: "Input safetensors.") var input: String
    @Argument(help: "Output safetensors.") var output: String
    func run() throws {
        let src = try SafetensorsFile(URL(fileURLWithPath: input))
        let out = try src.entries.map { ($0.name, try BF16.convert(try src.tensor($0.name))) }
        try SafetensorsWriter.write(out, metadata: src.metadata.isEmpty ? nil : src.metadata, to: URL(fileURLWithPath: output))
    }
}

/// `executor`: the fusion forward at real size vs. its GEMMs alone.
struct ExecutorBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "executor", abstract: "Fusion forward at real 7B / 3D size.")
    @Option(help: "audio7b or 3d.") var shape = "audio7b"
    @Option(help: "Runs (median is reported).") var runs = 3
    @Option(help: "Worker threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "bf16 or f32 weights.") var dtype = "bf16"

    func validate() throws {
        guard ExecutorBench.shapes.contains(where: { $0.name == shape }) else { throw ValidationError("--shape must be audio7b or 3d") }
        guard ["bf16", "f32"].contains(dtype) else { throw ValidationError("--dtype must be bf16 or f32") }
        guard runs >= 1, threads >= 1 else { throw ValidationError("--runs and --threads must be at least 1") }
    }

    func run() throws {
        guard let s = ExecutorBench.shapes.first(where: { $0.name == shape }) else { return }
        try ExecutorBench.bench(s, runs: runs, threads: threads, dtype: dtype == "f32" ? .f32 : .bf16)
    }
}

/// `import [DIR]`: a synthetic 7B-sized PAVE checkpoint, imported and streamed.
struct ImportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a synthetic 7B-sized PAVE checkpoint.")
    @Argument(help: "Where the synthetic checkpoint is written (kept; reused when present). Default: a temporary directory.")
    var directory: String?
    func run() throws { try ImportBenchmark.run(arguments: directory.map { [$0] } ?? []) }
}

/// `pack-zip [DIR] [--runs N]`: pack from a 7B DEFLATE zip against pack from its extracted directory.
struct PackZipBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack-zip",
        abstract: "Pack a 7B-shaped PAVE checkpoint from its DEFLATE zip and from its directory; zlib inflate vs Python zipfile.")
    @Argument(help: "Where the synthetic checkpoint and its zip are written (kept; reused when present). Default: a temporary directory.")
    var directory: String?
    @Option(help: "Runs of each pack (best of N is reported).")
    var runs = 3
    func validate() throws { guard runs > 0 else { throw ValidationError("--runs must be at least 1") } }
    func run() throws { try PackFromZipBenchmark.run(directory: directory, runs: runs) }
}

/// `registry`: install, queries and gc at 10,000 patches.
struct RegistryBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registry", abstract: "The registry at many patches.")
    @Option(help: "Installed patches for the query benchmarks.") var patches = 10_000
    @Option(help: "Size of the install benchmark's patch, MB.") var installMb = 20
    @Option(help: "Runs.") var runs = 5
    @Option(help: "Parent directory of the benchmark store.") var dir: String?
    @Option(help: "Keep everything under this directory (and reuse the many-patch store found there).") var keep: String?

    func validate() throws {
        guard patches >= 1, installMb >= 1, runs >= 1 else { throw ValidationError("--patches, --install-mb and --runs must be at least 1") }
    }

    func run() throws {
        try RegistryBench.run(patches: patches, installMB: installMb, runs: runs,
                              base: dir.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory,
                              keep: keep.map { URL(fileURLWithPath: $0) })
    }
}

/// `signature DIR`: structural signature and content fingerprint timings.
struct SignatureBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signature", abstract: "Time a model directory's signature and content fingerprint.")
    @Argument(help: "A model directory.") var directory: String
    @Option(help: "Hashing threads.") var threads = 2
    @Option(help: "Repeats (best is reported).") var `repeat` = 3
    func run() throws { try SignatureBench.signature(URL(fileURLWithPath: directory), threads: threads, repeats: max(1, `repeat`)) }
}

/// `make-model-dir PRESET OUT`: a LLaVA-OneVision model directory from the published config.
struct MakeModelDirCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "make-model-dir", abstract: "Write a (sparse) LLaVA-OneVision model directory.")
    @Argument(help: "llava-onevision-qwen2-0.5b-ov or llava-onevision-qwen2-7b-ov.") var preset: String
    @Argument(help: "Output directory.") var output: String
    @Option(help: "Shards.") var shards = 1
    @Option(help: "sparse, or a seed for pseudo-random bytes.") var fill = "sparse"

    func validate() throws {
        guard ModelDirectoryBuilder.Preset(rawValue: preset) != nil else {
            throw ValidationError("PRESET must be one of \(ModelDirectoryBuilder.Preset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard fill == "sparse" || UInt64(fill) != nil else { throw ValidationError("--fill must be sparse or an integer seed") }
    }

    func run() throws {
        guard let p = ModelDirectoryBuilder.Preset(rawValue: preset) else { return }
        try SignatureBench.makeModelDir(preset: p, output: URL(fileURLWithPath: output), shards: shards,
                                        fill: fill == "sparse" ? .sparse : .pattern(seed: UInt64(fill) ?? 0), fillLabel: fill)
    }
}

/// `compose`: stacked vs. single forward and LoRA cost, merge timings.
struct ComposeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compose", abstract: "The cost of stacking at real 7B size.")
    func run() throws { try ComposeBench.bench() }
}
