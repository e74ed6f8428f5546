import PaveKit
print("pavepkg-bench \(PaveKitVersion.string)")
let benchArguments = Array(CommandLine.arguments.dropFirst())
if benchArguments.first == "import" { try ImportBenchmark.run(arguments: Array(benchArguments.dropFirst())) }
