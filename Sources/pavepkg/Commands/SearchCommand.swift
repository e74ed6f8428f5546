import ArgumentParser
import PaveKit

/// `pavepkg search TEXT... [--json]`
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search of installed patches (name, description, tags, side channel, base model).",
        discussion: "Every word must match the start of a word; best matches first.")

    @Argument(help: "Words to look for.")
    var text: [String]

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let hits = try RegistryCLI.open().search(text.joined(separator: " "))
            if json { return try RegistryCLI.printJSON(["patches": hits]) }
            RegistryCLI.printTable(hits)
        }
    }
}
