import ArgumentParser
import PaveKit

/// `list --json`: the patches and the store's disk use.
private struct ListOutput: Encodable {
    var patches: [InstalledPatch]
    var usage: Registry.Usage
    /// Key ids that signed each signed patch, by digest (issue 12).
    var signedBy: [String: [String]]

    enum CodingKeys: String, CodingKey { case patches, usage, signedBy = "signed_by" }
}

/// `pavepkg list [--base SIG] [--side-channel KIND] [--json]`
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List installed patches.")

    @Option(help: "Only patches for this base (signature file, model name, or structural signature / prefix).")
    var base: String?

    @Option(name: .customLong("side-channel"), help: "Only patches reading this side channel (audio, video, 3d, multiview, custom).")
    var sideChannel: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let registry = try RegistryCLI.open()
            let patches = try registry.list(base: try RegistryCLI.base(base)?.filterText, sideChannel: sideChannel)
            if json {
                return try RegistryCLI.printJSON(ListOutput(patches: patches, usage: try registry.usage(), signedBy: registry.signersByPatch()))
            }
            RegistryCLI.printTable(patches, signedBy: registry.signersByPatch())
            let u = try registry.usage()
            if base == nil && sideChannel == nil && u.patches > 0 {
                print("\(u.patches) patches, \(ProgressLine.bytes(Int64(u.logicalBytes))) as files, "
                      + "\(ProgressLine.bytes(Int64(u.storedBytes))) stored in \(u.blobs) blobs")
            }
        }
    }
}
