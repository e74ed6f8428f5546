import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg unpack FILE -o DIR`.
struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Write a .pave's tensors as a standard safetensors file plus manifest.json.",
        discussion: "Writes DIR/tensors.safetensors and DIR/manifest.json; every tensor is hash-checked on the way."
    )

    @Argument(help: "The .pave file, or an installed NAME[:VERSION] or digest prefix.", completion: .file(extensions: ["pave"]))
    var file: String

    @Option(name: .shortAndLong, help: "Output directory (created if missing).")
    var output: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let pave = try PatchArgument.open(file)
            let progress = ProgressLine("unpacking", total: 0)
            let result = try PaveUnpacker.unpack(pave, to: URL(fileURLWithPath: output)) { done, total in progress.update(done, total: total) }
            progress.finish()
            if json {
                try CLIOutput.printJSON(result)
            } else {
                print("wrote \(result.safetensors) (\(result.tensorCount) tensors, \(ProgressLine.bytes(Int64(result.bytes)))) and \(result.manifest)")
            }
        }
    }
}
