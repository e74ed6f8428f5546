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

    @Option(help: "Creation time, RFC 3339 (e.g. 2026-01-31T12:00:00Z).")
    var created: String?

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

    @Option(help: "Tolerance of the stored vector set, ATOL,RTOL (default 1e-4,1e-4).")
    var tolerance: String?

    /// Used when the single input is a PAVE checkpoint directory or .zip (see PackCommand+Checkpoint.swift).
    @OptionGroup(title: "PAVE checkpoint import (single input that is a training output directory or .zip)")
    var checkpointOptions: CheckpointImportArguments

    func run() throws {
        if inputs.count == 1, CheckpointImportArguments.isCheckpoint(inputs[0]) {
            try runReportingErrors(json: json) { try packCheckpoint() }
            return
        }
        try runReportingErrors(json: json) {
            var plan = try makePlan()
            try extend(&plan)
            let progress = ProgressLine("packing", total: 0)
            plan.options.progress = { done, total in progress.update(done, total: total) }
            let summary = try plan.write(to: URL(fileURLWithPath: output))
            progress.finish()
            if json {
                try CLIOutput.printJSON(summary)
            } else {
                let ratio = String(format: "%.3f", Double(summary.storedBytes) / Double(max(1, summary.rawBytes)))
                print("wrote \(summary.path): \(summary.tensorCount) tensors, \(ProgressLine.bytes(Int64(summary.rawBytes))) raw → \(ProgressLine.bytes(Int64(summary.storedBytes))) stored (\(ratio) of raw), file \(ProgressLine.bytes(Int64(summary.fileBytes)))")
                print("digest \(summary.digest)")
            }
        }
    }

    /// Manifest (file fields, then options), tensors and options.
    func makePlan() throws -> PackPlan {
        var fields: [String: JSONValue] = [:]
        if let manifest {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: manifest)) } catch {
                throw PaveFormatError.io(path: manifest, reason: "cannot read the manifest file")
            }
            do { fields = try Manifest(jsonBytes: [UInt8](data)).fields } catch {
                throw PaveFormatError.invalidManifest(path: manifest, offset: 0, reason: "not a JSON object")
            }
        }
        var m = Manifest(fields: fields)
        let out = URL(fileURLWithPath: output)
        if let name { m.name = name } else if m.name == nil { m.name = out.deletingPathExtension().lastPathComponent }
        if let name = m.name { try PatchNameRule.validate(name) }  // up front; PackCheck.manifestBasics checks it again
        if let version { m.version = version } else if m.version == nil { m.version = "0.1.0" }
        let urls = inputs.map { URL(fileURLWithPath: $0) }
        if created != nil || m.created == nil {
            m.created = try RFC3339.created(explicit: created, environment: ProcessInfo.processInfo.environment, inputs: urls)
        }
        m.tool = "pavepkg \(PaveKitVersion.string)"
        var plan = PackPlan(manifest: m, options: PackOptions(level: level, chunkSize: chunkSize, threads: threads))
        try plan.options.validate()
        try plan.addSafetensors(urls)
        return plan
    }

    /// Extension point: later layers add their checks here (manifest semantics, reference vectors, base
    /// signature), e.g. `plan.checks.append(PatchValidation.packCheck)`.
    func extend(_ plan: inout PackPlan) throws {
        // A PAVE patch (fusion / lora in the manifest): tensors validated against the declared semantics, then a
        // reference vector set stored (the user's, or a self-check computed by the executor).
        let tol = try tolerance.map(PatchPacking.parseTolerance) ?? ReferenceVectors.defaultTolerance
        try PatchPacking.prepare(&plan, options: .init(inputs: reference.map { URL(fileURLWithPath: $0) },
                                                       expected: expected.map { URL(fileURLWithPath: $0) },
                                                       atol: tol.atol, rtol: tol.rtol, threads: threads))
        try baseOptions.record(into: &plan)  // manifest "base" + base.compatibility pack check
    }
}
