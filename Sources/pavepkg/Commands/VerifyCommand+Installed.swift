import ArgumentParser
import PaveKit

/// `pavepkg verify --installed [--json]` (registry, issue 7): re-hashes every blob installed patches use and
/// checks every recipe. Exit status 1 when anything is damaged or missing.
extension VerifyCommand {
    func verifyInstalled() throws {
        guard paths.isEmpty else { throw ValidationError("--installed checks the whole registry; give no file") }
        var failed = false
        try runReportingErrors(json: json) {
            let registry = try RegistryCLI.open()
            let progress = ProgressLine("re-hashing store", total: 0)
            let report = try registry.verifyInstalled { done, total in progress.update(Int64(done), total: Int64(total)) }
            progress.finish()
            failed = !report.ok
            if json { return try CLIOutput.printJSON(report) }
            for d in report.damaged {
                print("DAMAGED blob \(d.blob) (\(d.problem)): \(d.tensors.isEmpty ? "head" : d.tensors.joined(separator: ", ")) of \(d.patches.joined(separator: ", "))")
            }
            for r in report.badRecipes { print("DAMAGED recipe: \(r)") }
            let summary = "\(report.patches) patches, \(report.blobs) blobs, \(ProgressLine.bytes(Int64(report.bytes))) re-hashed"
            print(report.ok ? "\(summary): OK" : "\(summary): \(report.damaged.count + report.badRecipes.count) problems (reinstall the patches named)")
        }
        if failed { throw ExitCode(1) }
    }
}
