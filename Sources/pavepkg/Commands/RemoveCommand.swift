import ArgumentParser
import PaveKit

/// `pavepkg remove NAME[:VERSION]... [--json]`
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Uninstall patches and delete the blobs no other installed patch uses.",
        discussion: "NAME alone is accepted when only one version is installed.")

    @Argument(help: "NAME[:VERSION] or a digest prefix of at least 8 hex digits.")
    var references: [String]

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let registry = try RegistryCLI.open()
            var results: [RemoveResult] = []
            for r in references { results.append(try registry.remove(r)) }
            if json { return try CLIOutput.printJSON(["removed": results]) }
            for r in results {
                print("removed \(r.name):\(r.version); freed \(r.freedBlobs) blobs (\(ProgressLine.bytes(Int64(r.freedBytes))))")
            }
        }
    }
}
