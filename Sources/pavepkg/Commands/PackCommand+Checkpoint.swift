import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg pack CHECKPOINT_DIR_OR_ZIP -o OUT.pave [--preset NAME | --heads N --rope none|3d]`: the import
/// branch of `pack` (issue 4). The checkpoint is read by ``PaveCheckpointImporter`` (restricted pickle
/// reader, nothing executed), then written through the same ``PackPlan`` and checks as safetensors inputs.
extension PackCommand {
    func packCheckpoint() throws {
        let input = URL(fileURLWithPath: inputs[0])
        let progress = PhasedProgress()
        defer { progress.finish() }
        let imported = try PaveCheckpointImporter.load(input, options: try checkpointOptions.options(
            name: name, version: version, created: created, progress: progress))
        progress.finish()
        var m = imported.manifest
        if let manifest {
            // Extra fields (description, license, authors, …) from --manifest override the imported ones.
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: manifest)) } catch {
                throw PaveFormatError.io(path: manifest, reason: "cannot read the manifest file")
            }
            do { for (k, v) in try Manifest(jsonBytes: [UInt8](data)).fields { m[k] = v } } catch {
                throw PaveFormatError.invalidManifest(path: manifest, offset: 0, reason: "not a JSON object")
            }
            if let name { m.name = name }
            if let version { m.version = version }
        }
        var plan = PackPlan(manifest: m, tensors: imported.tensors, options: PackOptions(level: level, chunkSize: chunkSize, threads: threads))
        try plan.options.validate()
        try extend(&plan)
        if !json { for note in imported.notes { CLIOutput.warn("note: \(note)") } }
        let line = ProgressLine("packing", total: 0)
        plan.options.progress = { done, total in line.update(done, total: total) }
        let summary = try withExtendedLifetime(imported) { try plan.write(to: URL(fileURLWithPath: output)) }
        line.finish()
        if json {
            try CLIOutput.printJSON(summary)
        } else {
            print("wrote \(summary.path): \(summary.tensorCount) tensors from \(input.lastPathComponent), \(ProgressLine.bytes(Int64(summary.rawBytes))) raw → \(ProgressLine.bytes(Int64(summary.fileBytes)))")
            print("digest \(summary.digest)")
        }
    }
}
