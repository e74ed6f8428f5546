import Foundation
import PaveKit

// pavepkg-bench SUBCOMMAND [options]: release-mode benchmarks (`swift run -c release pavepkg-bench …`).
// Each subcommand lives in its own file; this table only dispatches.
let benchArguments = Array(CommandLine.arguments.dropFirst())
let benchCommands: [(name: String, usage: String, run: ([String]) throws -> Void)] = [
    ("executor", "executor [--shape audio7b|3d] [--runs N] [--threads N] [--dtype bf16|f32]", { try ExecutorBench.run($0) }),
    ("import", "import [options]   (7B-sized synthetic PAVE checkpoint import)", { try ImportBenchmark.run(arguments: $0) }),
    ("signature", "signature DIR [--threads N] [--repeat K]", { _ in _ = SignatureBench.run(CommandLine.arguments) }),
    ("compose", "compose [options]   (stacked vs single forward / LoRA cost, merge timings)", { try ComposeBench.run($0) }),
    ("make-model-dir", "make-model-dir ...   (sparse LLaVA-OneVision model directory)", { _ in _ = SignatureBench.run(CommandLine.arguments) }),
]
if let name = benchArguments.first, let command = benchCommands.first(where: { $0.name == name }) {
    try command.run(Array(benchArguments.dropFirst()))
} else {
    print("pavepkg-bench \(PaveKitVersion.string)\nusage:")
    for c in benchCommands { print("  pavepkg-bench \(c.usage)") }
}
