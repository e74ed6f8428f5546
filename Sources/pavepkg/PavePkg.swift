import ArgumentParser
import PaveKit

@main
struct PavePkg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pavepkg",
        abstract: "Pack, inspect, verify, run, compose and store PAVE patches (.pave files).",
        version: PaveKitVersion.string,
        subcommands: [
            PackCommand.self,
            InspectCommand.self,
            UnpackCommand.self,
            VerifyCommand.self,
            SignatureCommand.self,
            PresetsCommand.self,
            ExportCommand.self,
            ComposeCommand.self,
        ]
    )
}
