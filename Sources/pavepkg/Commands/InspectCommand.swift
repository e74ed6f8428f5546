import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg inspect FILE [--json]`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a .pave file's manifest, tensors, sizes and digest (no data is decoded)."
    )

    @Argument(help: "The .pave file, or an installed NAME[:VERSION] or digest prefix.", completion: .file(extensions: ["pave"]))
    var file: String

    @Flag(help: "Print the full manifest and index as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let pave = try PatchArgument.open(file)
            if json {
                CLIOutput.printJSON(pave.describe())
            } else {
                print(InspectReport.text(pave), terminator: "")
            }
        }
    }
}

/// The text layout of `inspect`.
enum InspectReport {
    static func text(_ pave: PaveFile) -> String {
        let m = pave.manifest
        var out = ""
        out += "\(m.name ?? "(unnamed)") \(m.version ?? "")  (.pave \(pave.major).\(pave.minor))\n"
        if let d = m.description { out += "  \(d)\n" }
        var meta: [String] = []
        if let l = m.license { meta.append("license \(l)") }
        if !m.authors.isEmpty { meta.append("authors \(m.authors.joined(separator: ", "))") }
        if let c = m.created { meta.append("created \(c)") }
        if let t = m.tool { meta.append("tool \(t)") }
        if !meta.isEmpty { out += "  " + meta.joined(separator: " · ") + "\n" }
        let known: Set<String> = ["format_version", "name", "version", "description", "license", "authors", "created", "tool", "tags"]
        let sections = m.fields.keys.filter { !known.contains($0) }.sorted()
        if !sections.isEmpty { out += "  sections: \(sections.joined(separator: ", "))\n" }
        // Composed patches (PaveCompose, spec/composition.md §8): the member tree.
        if let tree = MemberTree.text(m) { out += "\n" + tree }
        out += "\n"
        let rows = pave.entries.map { e -> [String] in
            [e.name, e.dtype.rawValue, Shape.describe(e.shape), "\(e.byteCount)", "\(e.regionLength)",
             e.byteCount == 0 ? "-" : String(format: "%.3f", Double(e.regionLength) / Double(e.byteCount))]
        }
        let raw = pave.entries.reduce(0) { $0 + $1.byteCount }
        let stored = pave.entries.reduce(0) { $0 + $1.regionLength }
        let header = ["tensor", "dtype", "shape", "bytes", "stored", "ratio"]
        let total = ["total (\(pave.entries.count) tensors)", "", "", "\(raw)", "\(stored)", raw == 0 ? "-" : String(format: "%.3f", Double(stored) / Double(raw))]
        out += table([header] + rows + [total], rightAligned: [3, 4, 5], ruleBeforeLast: true)
        out += "\nfile \(pave.layout.fileSize) bytes\ndigest \(pave.digest)\n"
        return out
    }

    static func table(_ rows: [[String]], rightAligned: Set<Int>, ruleBeforeLast: Bool) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for (k, r) in rows.enumerated() {
            if ruleBeforeLast && k == rows.count - 1 || k == 1 {
                out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            }
            let cells = r.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }
            out += cells.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        return out
    }
}
