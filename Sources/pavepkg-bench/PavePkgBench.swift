import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg-bench SUBCOMMAND [options]`: release-mode benchmarks (`swift run -c release pavepkg-bench …`), parsed
/// by swift-argument-parser like the CLI (`--help` on every subcommand). Each benchmark lives in its own file;
/// BenchCommands.swift turns the flags into its typed parameters.
@main
struct PavePkgBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pavepkg-bench",
        abstract: "Release-mode benchmarks and sample generation for pavepkg.",
        version: PaveKitVersion.string,
        subcommands: [
            GenerateSamplesCommand.self, ContainerRunCommand.self, MicroCommand.self, ToBF16Command.self,
            ExecutorBenchCommand.self, ImportBenchCommand.self, PackZipBenchCommand.self, RegistryBenchCommand.self,
            SignatureBenchCommand.self, MakeModelDirCommand.self, ComposeBenchCommand.self, RemoteBenchCommand.self, GateBenchCommand.self,
        ]
    )

    /// The same heap set-up as `pavepkg` (``HugePages/preferHugePagesForHeap(reserve:)``), then the subcommand.
    static func main() {
        HugePages.setUpProcessHeap(environment: ProcessInfo.processInfo.environment)
        main(nil)
    }
}
