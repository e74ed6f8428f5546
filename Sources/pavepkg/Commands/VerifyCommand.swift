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

    @Argument(help: "The .pave file, or an installed NAME[:VERSION] or digest prefix; several files or directories (searched for *.pave) run the CI gate.", completion: .file(extensions: ["pave"]))
    var paths: [String] = []

    /// The one patch of a single-file verify.
    var file: String? { paths.count == 1 ? paths[0] : nil }

    // Registry (issue 7): see VerifyCommand+Installed.swift.
    @Flag(help: "Instead of a file, re-hash every blob of the local registry (PAVE_HOME) and report bit rot.")
    var installed = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    // The CI gate (issue 12): VerifyCommand+Gate.swift.
    @Option(help: "Report format of the gate: text, json, junit (JUnit XML) or github (workflow annotations).")
    var format: GateFormat?

    // Base-model check (signature helper): `--base SIG.json|MODEL`, see Support/BaseOption.swift.
    @OptionGroup var baseOption: BaseOption

    // OpenSSF Model Signing signature (issue 12): `--key PUB [--signature SIG]`, see Support/SigningOptions.swift.
    @OptionGroup var signing: SigningOptions

    func run() throws {
        if installed { return try verifyInstalled() }
        if try isGate { return try runGate() }  // VerifyCommand+Gate.swift
        guard let file else { throw ValidationError("give a .pave file (or NAME[:VERSION]), or --installed") }
        var failed = false
        try runReportingErrors(json: json) {
            let pave = try PatchArgument.open(file)
            let progress = PhasedProgress()
            var report = try PatchVerifier(policy: .full.checking(base: baseOption.source)).verify(pave, progress: progress.update)
            progress.finish()
            try signing.check(&report, path: pave.path, manifest: pave.manifest)  // signature.oms, policy (issue 12)
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
