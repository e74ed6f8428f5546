import ArgumentParser
import PaveKit

@main
struct PavePkg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pavepkg",
        abstract: "Pack, inspect, verify, run, compose and store PAVE patches (.pave files).",
        version: PaveKitVersion.string,
        subcommands: [
            SignatureCommand.self,
        ]
    )
}
