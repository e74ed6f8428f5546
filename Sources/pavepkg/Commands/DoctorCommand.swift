import ArgumentParser
import PaveKit

/// `pavepkg doctor [--rebuild] [--json]`
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the registry's index against its blobs; --rebuild recreates the index from the blobs.",
        discussion: """
            Checks SQLite integrity, every installed patch's recipe and blobs (presence and size), reference \
            counts and the search index, and reports garbage `gc` can free. `verify --installed` re-hashes \
            every blob. --rebuild reassembles and re-verifies every stored patch and writes a new index \
            (the old one is kept as index.sqlite.old-<time>). Exit status 1 when an error is found.
            """)

    @Flag(help: "Rebuild the index from the stored recipes and blobs.")
    var rebuild = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let layout = StoreLayout.fromEnvironment()
            if rebuild {
                let r = try Registry.rebuildIndex(layout: layout, reader: PaveFileReader())
                if json { try CLIOutput.printJSON(r) } else {
                    print("rebuilt \(layout.indexURL.path): \(r.restored.count) patches restored")
                    for s in r.skipped { print("  skipped \(s)") }
                    if let p = r.previousIndex { print("previous index kept as \(p)") }
                }
                if !r.skipped.isEmpty { throw ExitCode(1) }
                return
            }
            let report = try RegistryCLI.open().doctor()
            if json { try CLIOutput.printJSON(report) } else {
                let u = report.usage
                print("\(report.home): schema \(report.schemaVersion), SQLite \(report.sqliteVersion)")
                print("\(u.patches) patches, \(ProgressLine.bytes(Int64(u.logicalBytes))) as files, \(ProgressLine.bytes(Int64(u.storedBytes))) stored in \(u.blobs) blobs")
                for f in report.findings { print("\(f.severity): \(f.detail)") }
                print(report.ok ? "ok" : "problems found")
            }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
