import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg verify FILE [--json]`: exit 0 when every check holds, 1 when the file is damaged or invalid, 2 for
/// usage and I/O errors.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a patch: structure, limits, digest, every hash, its semantics, its reference vectors, and (--base) its base model.",
        discussion: "Exit status: 0 all checks pass, 1 damaged or invalid (the message names tensor / chunk / field / byte offset), 2 usage or I/O error."
    )

    @Argument(help: "The .pave file, or an installed NAME[:VERSION] or digest prefix.", completion: .file(extensions: ["pave"]))
    var file: String?

    // Registry (issue 7): see VerifyCommand+Installed.swift.
    @Flag(help: "Instead of a file, re-hash every blob of the local registry (PAVE_HOME) and report bit rot.")
    var installed = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    // Base-model check (signature helper): `--base SIG.json|MODEL`, see Support/BaseOption.swift.
    @OptionGroup var baseOption: BaseOption

    func run() throws {
        if installed { return try verifyInstalled() }
        guard let file else { throw ValidationError("give a .pave file (or NAME[:VERSION]), or --installed") }
        var failed = false
        try runReportingErrors(json: json) {
            let pave = try PatchArgument.open(file)
            let progress = PhasedProgress()
            let report = try PatchVerifier(policy: .full.checking(base: baseOption.source)).verify(pave, progress: progress.update)
            progress.finish()
            failed = !report.ok
            if json {
                try CLIOutput.printJSON(report)
            } else {
                for c in report.checks { print("\(c.passed ? "ok  " : "FAIL") \(c.name): \(c.detail)") }
                for p in report.problems { CLIOutput.warn("error: \(p.message)") }
                print(report.ok ? "\(file): OK (\(report.digest ?? ""))" : "\(file): FAILED (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
