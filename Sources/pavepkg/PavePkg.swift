import ArgumentParser
import Foundation
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
            RunCommand.self,
            InstallCommand.self,
            ListCommand.self,
            SearchCommand.self,
            ShowCommand.self,
            RemoveCommand.self,
            GCCommand.self,
            DoctorCommand.self,
            ComposeCommand.self,
            PushCommand.self,
            PullCommand.self,
            TagsCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
            KeyCommand.self,
            SignCommand.self,
        ]
    )

    /// Sets up the heap (``HugePages/preferHugePagesForHeap(reserve:)``), then runs the command; argument errors (unknown option, missing argument, bad value) exit with status 2 like
    /// other usage errors, instead of ArgumentParser's 64.
    static func main() {
        // Fewer page faults for tensors and fp32 weight copies; PAVEPKG_SYSTEM_MALLOC=1 keeps glibc's defaults.
        HugePages.setUpProcessHeap(environment: ProcessInfo.processInfo.environment)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((TerminalText.escaped(fullMessage(for: error)) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
