import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg signature MODEL [-o SIG.json] [--content] [--json]`: the base-model signature of a Hugging Face
/// style model directory.
struct SignatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature",
        abstract: "Compute the structural signature (and optionally the content fingerprint) of a base model directory.",
        discussion: """
            Reads only config.json and the safetensors headers (never tensor data) unless --content is given, \
            which also hashes the bytes of every tensor a patch can touch. The signature file (-o) is what \
            `pack --base` records and `verify --base` checks against. Spec: spec/base-signature.md.
            """)

    @Argument(help: "Model directory (config.json + model.safetensors or model.safetensors.index.json with shards).")
    var model: String

    @Option(name: .shortAndLong, help: "Write the signature file here (default: print it to stdout).")
    var output: String?

    @Flag(help: "Also compute the content fingerprint (reads the covered tensors' bytes).")
    var content = false

    @Option(help: "Name recorded in the signature (default: the hub id from config.json, else the directory name).")
    var name: String?

    @Option(help: "Threads for --content (default 2).")
    var threads = 2

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be 1…64") }
            let start = Date()
            let directory = try ModelDirectory(URL(fileURLWithPath: model))
            var fingerprint: String?
            if content {
                let line = ProgressLine("hashing", total: Int64(directory.coveredByteCount))
                let box = ProgressBox(line)
                fingerprint = try ContentFingerprint.compute(directory, threads: threads, progress: { box.update($0) }).fingerprint
                line.finish()
            }
            let sig = BaseSignature(name: name ?? BaseSignature.defaultName(directory), description: directory.description, contentFingerprint: fingerprint)
            let seconds = Date().timeIntervalSince(start)
            if let output { try sig.write(to: URL(fileURLWithPath: output)) }
            if json {
                var summary: [String: JSONValue] = [
                    "name": .string(sig.name), "structural_signature": .string(sig.structuralSignature),
                    "tensors": .int(Int64(sig.description.tensors.count)),
                    "layers": .int(Int64(sig.description.architecture.numHiddenLayers)),
                ]
                if let f = sig.contentFingerprint { summary["content_fingerprint"] = .string(f) }
                if let output { summary["output"] = .string(output) }
                CLIOutput.printJSON(output == nil ? sig.jsonValue : .object(summary))
            } else if output == nil {
                CLIOutput.printJSON(sig.jsonValue)
            } else {
                let a = sig.description.architecture
                print("\(sig.name): \(a.numHiddenLayers) layers, hidden \(a.hiddenSize), \(sig.description.tensors.count) covered tensors")
                print("structural_signature \(sig.structuralSignature)")
                if let f = sig.contentFingerprint { print("content_fingerprint  \(f)") }
                print(String(format: "wrote %@ (%.2f s)", output ?? "", seconds))
            }
        }
    }
}

/// Lets the hashing threads report progress to the (single-threaded) progress line: the library calls the
/// callback under its own lock, one thread at a time.
private final class ProgressBox: @unchecked Sendable {
    private let line: ProgressLine
    init(_ line: ProgressLine) { self.line = line }
    func update(_ done: Int) { line.update(Int64(done)) }
}
