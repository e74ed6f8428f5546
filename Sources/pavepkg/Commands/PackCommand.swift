import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg pack INPUT... -o OUT.pave`: safetensors in, one `.pave` out.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack safetensors files (and a manifest), or a PAVE checkpoint directory or .zip, into a .pave file.",
        discussion: """
            A single input that is a PAVE training output directory or .zip is imported instead (never \
            executed; the name defaults to the checkpoint folder's): see --preset / --heads / --rope and \
            `pavepkg presets`. \
            Tensor names are kept and must be unique across inputs. Fields of --manifest are merged in; --name, \
            --version and --created override them. `created` is deterministic: --created, else the manifest's, else \
            SOURCE_DATE_EPOCH, else the newest modification time of the inputs.
            """
    )

    @Argument(help: "Input safetensors files, or one PAVE checkpoint directory / .zip.", completion: .file(extensions: ["safetensors", "zip"]))
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output .pave file.")
    var output: String

    @Option(help: "Patch name (default: the manifest's, else the output file's stem).")
    var name: String?

    @Option(help: "Patch version, semver (default: the manifest's, else 0.1.0).")
    var version: String?

    @Option(help: "JSON file whose fields are merged into the manifest (fusion, lora, base, …).")
    var manifest: String?

    @Option(help: "zstd level, 1 … 22.")
    var level: Int = 3

    @Option(help: ArgumentHelp("Creation time, RFC 3339 (e.g. 2026-01-31T12:00:00Z).", valueName: "RFC3339"))
    var created: Timestamp?

    @Option(help: "Raw bytes per chunk (multiple of 64, 4096 … 67108864).")
    var chunkSize: Int = PaveLimits.defaultChunkSize

    @Option(help: "Worker threads (the output does not depend on it).")
    var threads: Int = ParallelWork.defaultThreads

    // Base model (signature helper): `--base SIG.json|MODEL [--pin-content]`, see Support/BaseOption.swift.
    @OptionGroup var baseOptions: PackBaseOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    // MARK: Patch semantics and reference vectors (executor, spec/patch-semantics.md)

    @Option(help: "Reference inputs (visual, side, lora_x, lora_x.MODULE) to store as a vector set; needs --expected.",
            completion: .file(extensions: ["safetensors"]))
    var reference: String?

    @Option(help: "Expected outputs (fused, lora_delta.MODULE) for --reference; checked now, stored in the patch.",
            completion: .file(extensions: ["safetensors"]))
    var expected: String?

    @Option(help: ArgumentHelp("Tolerance of the stored vector set: two non-negative numbers (default 1e-4,1e-4).", valueName: "ATOL,RTOL"))
    var tolerance: Tolerance?

    /// Used when the single input is a PAVE checkpoint directory or .zip.
    @OptionGroup(title: "PAVE checkpoint import (single input that is a training output directory or .zip)")
    var checkpointOptions: CheckpointImportArguments

    func validate() throws {
        if (reference == nil) != (expected == nil) { throw ValidationError("--reference and --expected go together") }
        if tolerance != nil, reference == nil { throw ValidationError("--tolerance applies to --reference / --expected") }
    }

    func run() throws {
        try runReportingErrors(json: json) {
            let progress = PhasedProgress()
            let result = try PatchPacker.pack(request(progress: progress), to: URL(fileURLWithPath: output))
            progress.finish()
            let summary = result.summary
            if json { return try CLIOutput.printJSON(summary) }
            for note in result.notes { CLIOutput.warn("note: \(note)") }
            if case let .checkpoint(url, _) = input {
                print("wrote \(summary.path): \(summary.tensorCount) tensors from \(url.lastPathComponent), \(ProgressLine.bytes(Int64(summary.rawBytes))) raw → \(ProgressLine.bytes(Int64(summary.fileBytes)))")
            } else {
                let ratio = String(format: "%.3f", Double(summary.storedBytes) / Double(max(1, summary.rawBytes)))
                print("wrote \(summary.path): \(summary.tensorCount) tensors, \(ProgressLine.bytes(Int64(summary.rawBytes))) raw → \(ProgressLine.bytes(Int64(summary.storedBytes))) stored (\(ratio) of raw), file \(ProgressLine.bytes(Int64(summary.fileBytes)))")
            }
            print("digest \(summary.digest)")
        }
    }

    /// One checkpoint directory or .zip, or safetensors files.
    var input: PackInput {
        let urls = inputs.map { URL(fileURLWithPath: $0) }
        if urls.count == 1, PackInput.isCheckpoint(urls[0]) { return .checkpoint(urls[0], checkpointOptions.options(progress: nil)) }
        return .safetensors(urls)
    }

    /// The flags as a library request.
    func request(progress: PhasedProgress) -> PackRequest {
        PackRequest(input: input, manifestFile: manifest.map { URL(fileURLWithPath: $0) }, name: name, version: version,
                    created: created?.date, tool: "pavepkg \(PaveKitVersion.string)",
                    referenceVectors: reference.flatMap { inputs in
                        expected.map { ReferenceVectorFiles(inputs: URL(fileURLWithPath: inputs), expected: URL(fileURLWithPath: $0),
                                                            tolerance: tolerance ?? .default) }
                    },
                    base: baseOptions.baseOption.source, pinBaseContent: baseOptions.pinContent,
                    options: PackOptions(level: level, chunkSize: chunkSize, threads: threads), progress: progress.callback)
    }
}
