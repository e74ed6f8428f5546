import ArgumentParser
import PaveKit

/// `pavepkg show NAME[:VERSION]|DIGEST [--json]`
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an installed patch: its index entry, manifest and how it is stored.")

    @Argument(help: "NAME (newest version), NAME:VERSION, or a digest prefix of at least 8 hex digits.")
    var reference: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let registry = try RegistryCLI.open()
            let d = try registry.show(reference)
            let signatures = try registry.signatures(of: d.patch)  // issue 12
            if json {
                var value = try JSONValue.from(d)
                if case var .object(o) = value {
                    o["signatures"] = try JSONValue.from(signatures)
                    value = .object(o)
                }
                return CLIOutput.printJSON(value)
            }
            let p = d.patch
            print("\(p.reference)  \(p.digest)")
            if !p.description.isEmpty { print("  \(p.description)") }
            print("  size          \(ProgressLine.bytes(Int64(p.size))) (\(p.size) bytes)")
            print("  base          \(p.baseModel ?? "-")  \(p.baseSignature ?? "")")
            print("  side channel  \(p.sideChannel ?? "-")\(p.sideChannelEncoder.map { " (\($0))" } ?? "")")
            print("  lora          \(p.loraRank.map { "r=\($0), \(p.loraModules.count) modules" } ?? "-")")
            if !p.tags.isEmpty { print("  tags          \(p.tags.joined(separator: ", "))") }
            print("  created       \(p.created ?? "-")   installed \(p.installedAt)")
            print("  signed by     \(signatures.isEmpty ? "- (unsigned)" : signatures.map { $0.keyID ?? "(no key hint)" }.joined(separator: ", "))")
            print("  stored        \(ProgressLine.bytes(Int64(d.exclusiveBytes))) own, \(ProgressLine.bytes(Int64(d.sharedBytes))) shared with other patches")
            for s in d.segments where s.blob != nil {
                let what = s.tensor ?? (s.offset == 0 ? "(header, manifest, index, small tensors)" : "(small tensors, layout table)")
                let shared = (s.sharedBy ?? 1) > 1 ? "  shared by \(s.sharedBy ?? 0)" : ""
                print("    \(String(s.blob?.prefix(12) ?? ""))  \(ProgressLine.bytes(Int64(s.length)).padding(toLength: 10, withPad: " ", startingAt: 0))  \(what)\(shared)")
            }
        }
    }
}
