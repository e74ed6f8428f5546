import ArgumentParser
import PaveKit

/// `pavepkg gc [--dry-run] [--json]`
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blobs no installed patch uses, and leftovers of interrupted installs; report what is freed.")

    @Flag(name: .customLong("dry-run"), help: "Only report what would be freed.")
    var dryRun = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let r = try RegistryCLI.open().gc(dryRun: dryRun)
            if json {
                var obj = try JSONValue.from(r).objectValue ?? [:]
                obj["freed_bytes"] = .int(Int64(r.freedBytes))
                return CLIOutput.printJSON(.object(obj))
            }
            let verb = dryRun ? "would free" : "freed"
            print("\(verb) \(ProgressLine.bytes(Int64(r.freedBytes))): \(r.blobs) unreferenced blobs (\(ProgressLine.bytes(Int64(r.bytes)))), "
                  + "\(r.temporaryFiles) temporary files, \(r.staleRecipes) stale recipes, \(r.staleRows) stale index rows")
        }
    }
}
