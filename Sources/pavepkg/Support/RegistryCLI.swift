import Foundation
import PaveKit

/// Shared pieces of the registry commands (`install`, `list`, `search`, `show`, `remove`, `gc`, `doctor`,
/// `verify --installed`): opening the store at `PAVE_HOME`, reading `--base`, printing patch tables.
enum RegistryCLI {
    /// The store at `PAVE_HOME` (default `~/.pave`), created on first use.
    static func open() throws -> Registry { try Registry(layout: .fromEnvironment()) }

    /// `--base`: an existing file or directory is a signature file or model directory (full compatibility
    /// check); anything else names the base (model name, structural signature or a ≥ 8 hex prefix of it).
    static func base(_ argument: String?) throws -> BaseRequirement? {
        guard let argument else { return nil }
        if FileManager.default.fileExists(atPath: argument) {
            return .signature(try BaseSignature.load(signatureOrModel: URL(fileURLWithPath: argument)))
        }
        return .named(argument)
    }

    /// Prints `value` as JSON formatted like ``CLIOutput/printJSON(_:)-(JSONValue)`` (sorted keys, indented) in a
    /// single encoding pass: `list --json` of ten thousand patches must not round-trip through ``JSONValue``.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        FileHandle.standardOutput.write(try encoder.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// One line per patch: name:version, short digest, size, side channel, LoRA rank, base, and (when any
    /// patch is signed) the short ids of the keys that signed it.
    static func printTable(_ patches: [InstalledPatch], signedBy: [String: [String]] = [:]) {
        guard !patches.isEmpty else { print("(no patches)"); return }
        let rows = patches.map { p -> [String] in
            let signers: [String] = signedBy.isEmpty ? [] : [signedBy[p.digest]?.map { String($0.prefix(12)) }.joined(separator: ",") ?? "-"]
            let cells: [String] = [p.reference, String(p.digest.dropFirst(7).prefix(12)), ProgressLine.bytes(Int64(p.size)), p.sideChannel ?? "-",
             p.loraRank.map { "r\($0)" } ?? "-", p.baseModel ?? p.baseSignature.map { String($0.prefix(19)) } ?? "-"]
            return cells + signers
        }
        let header = ["NAME:VERSION", "DIGEST", "SIZE", "SIDE", "LORA", "BASE"] + (signedBy.isEmpty ? [] : ["SIGNED BY"])
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        print(line(header))
        for r in rows { print(line(r)) }
    }
}
