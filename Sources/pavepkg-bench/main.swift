import PaveKit

// pavepkg-bench SUBCOMMAND [options]: release-mode benchmarks. Each subcommand lives in its own file.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "executor":
    try ExecutorBench.run(Array(arguments.dropFirst()))
default:
    print("pavepkg-bench \(PaveKitVersion.string)\nusage: pavepkg-bench executor [--shape audio7b|3d] [--runs N] [--threads N] [--dtype bf16|f32]")
}
