import Foundation
import PaveKit

// pavepkg-bench SUBCOMMAND [options]: release-mode benchmarks (`swift run -c release pavepkg-bench …`).
// Each subcommand lives in its own file; this table only dispatches.

/// One benchmark subcommand: its name, a usage line, and the body taking the arguments after the name.
struct BenchCommand {
    let name: String
    let usage: String
    let run: ([String]) throws -> Void
}

/// Adapts the benches that parse the whole `CommandLine.arguments` and report whether they handled them.
func wholeCommandLine(_ body: @escaping ([String]) -> Bool) -> ([String]) throws -> Void {
    { _ in _ = body(CommandLine.arguments) }
}

let benchCommands: [BenchCommand] = [
    BenchCommand(name: "generate-samples", usage: "generate-samples [--out DIR] [--seed N]",
                 run: { try ContainerBench.run("generate-samples", $0) }),
    BenchCommand(name: "run", usage: "run FILE.safetensors [--bf16] [--level L] [--repeats N] [--out-dir DIR] [--no-zstd-cli]",
                 run: { try ContainerBench.run("run", $0) }),
    BenchCommand(name: "micro", usage: "micro FILE   (codec micro-benchmarks)", run: { try ContainerBench.run("micro", $0) }),
    BenchCommand(name: "to-bf16", usage: "to-bf16 IN.safetensors OUT.safetensors", run: { try ContainerBench.run("to-bf16", $0) }),
    BenchCommand(name: "executor", usage: "executor [--shape audio7b|3d] [--runs N] [--threads N] [--dtype bf16|f32]",
                 run: { try ExecutorBench.run($0) }),
    BenchCommand(name: "import", usage: "import [options]   (7B-sized synthetic PAVE checkpoint import)",
                 run: { try ImportBenchmark.run(arguments: $0) }),
    BenchCommand(name: "registry", usage: "registry [--patches N] [--install-mb M] [--runs R] [--dir PATH]",
                 run: { try RegistryBench.run($0) }),
    BenchCommand(name: "signature", usage: "signature DIR [--threads N] [--repeat K]",
                 run: wholeCommandLine(SignatureBench.run)),
    BenchCommand(name: "make-model-dir", usage: "make-model-dir ...   (sparse LLaVA-OneVision model directory)",
                 run: wholeCommandLine(SignatureBench.run)),
    BenchCommand(name: "compose", usage: "compose [options]   (stacked vs single forward / LoRA cost, merge timings)",
                 run: wholeCommandLine(ComposeBench.run)),
    BenchCommand(name: "remote", usage: "remote [--small-mb 20] [--large-mb 340] [--stack FILE --member FILE...]   (push / pull vs skopeo)",
                 run: { try RemoteBench.run($0) }),
]

let benchArguments = Array(CommandLine.arguments.dropFirst())
if let name = benchArguments.first, let command = benchCommands.first(where: { $0.name == name }) {
    do {
        try command.run(Array(benchArguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
} else {
    print("pavepkg-bench \(PaveKitVersion.string)\nusage:")
    for c in benchCommands { print("  pavepkg-bench \(c.usage)") }
}
