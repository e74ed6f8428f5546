import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg export PATCH -o DIR [--format pave-checkpoint|safetensors|peft]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a patch back as a PAVE checkpoint directory, one safetensors file, or a PEFT adapter.",
        discussion: """
            pave-checkpoint: config.json (with temporal_aggregator_config), non_lora_trainables.bin \
            (torch.save zip format; torch.load(path, weights_only=True) reads it), adapter_config.json, \
            adapter_model.safetensors. safetensors: every tensor in one file, the manifest in __metadata__. \
            peft: adapter_config.json and adapter_model.safetensors only. DIR must not exist; it appears \
            complete or not at all, and every tensor read from a .pave is checked against its SHA-256. PATCH is \
            a .pave, a safetensors export of a patch, or a PAVE checkpoint directory / .zip (imported on the \
            fly with the --preset / --heads / --rope options).
            """)

    @Argument(help: "The patch: a .pave (or an installed NAME[:VERSION] / digest prefix), a safetensors patch export, or a PAVE checkpoint directory / .zip.")
    var patch: String

    @Option(name: .shortAndLong, help: "Output directory (must not exist).")
    var output: String

    @Option(help: "pave-checkpoint (default), safetensors or peft.")
    var format: PaveCheckpointExporter.Format = .paveCheckpoint

    @OptionGroup var checkpointOptions: CheckpointImportArguments

    @Flag(help: "Print a JSON summary.")
    var json = false

    func run() throws {
        try runReportingErrors(json: json) {
            let fmt = format
            let progress = PhasedProgress()
            defer { progress.finish() }
            let input = URL(fileURLWithPath: patch)
            var manifest: Manifest
            let tensors: [ImportedTensor]
            var keepAlive: ImportedCheckpoint?
            if PackInput.isCheckpoint(input) {
                let imported = try PaveCheckpointImporter.load(input, options: checkpointOptions.options(progress: progress))
                manifest = imported.manifest
                tensors = imported.tensors
                keepAlive = imported
            } else if patch.lowercased().hasSuffix(".safetensors") {
                (manifest, tensors) = try PaveCheckpointExporter.openSafetensorsPatch(input)
            } else {
                // A .pave file, or an installed NAME[:VERSION] / digest prefix (served from the registry).
                let pave = try PatchArgument.open(patch)
                (manifest, tensors) = (pave.manifest, pave.entries.map { ImportedTensor(name: $0.name, pave: pave, entry: $0) })
            }
            // A composed patch made with --merge-lora exports its merged adapter (PaveCompose, spec/composition.md §6).
            if let merged = StackComposer.mergedAdapterManifest(manifest) { manifest = merged }
            let files = try PaveCheckpointExporter.export(manifest: manifest, tensors: tensors, to: URL(fileURLWithPath: output),
                                                          format: fmt, progress: progress.callback)
            withExtendedLifetime(keepAlive) {}
            progress.finish()
            if json {
                CLIOutput.printJSON(.object(["output": .string(output), "format": .string(fmt.rawValue), "files": .array(files.map { .string($0) })]))
            } else {
                print("exported \(manifest.name ?? "patch") as \(fmt.rawValue) to \(output): \(files.joined(separator: ", "))")
            }
        }
    }
}
