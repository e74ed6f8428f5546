import ArgumentParser
import Foundation
import PaveKit

/// `pavepkg verify FILE [--json]`: exit 0 when every check holds, 1 when the file is damaged or invalid, 2 for
/// usage and I/O errors.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a .pave file: structure, limits, digest and every tensor's hash.",
        discussion: "Exit status: 0 all checks pass, 1 damaged or invalid (the message names tensor / chunk / field / byte offset), 2 usage or I/O error."
    )

    @Argument(help: "The .pave file.", completion: .file(extensions: ["pave"]))
    var file: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        var failed = false
        try runReportingErrors(json: json) {
            let pave = try PaveFile.open(URL(fileURLWithPath: file))
            let progress = ProgressLine("verifying", total: 0)
            var report = try pave.verifyAll { done, total in progress.update(done, total: total) }
            progress.finish()
            try extend(&report, pave)
            failed = !report.ok
            if json {
                try CLIOutput.printJSON(report)
            } else {
                for c in report.checks { print("\(c.passed ? "ok  " : "FAIL") \(c.name): \(c.detail)") }
                for p in report.problems { CLIOutput.warn("error: \(p.message)") }
                print(report.ok ? "\(file): OK (\(report.digest ?? ""))" : "\(file): DAMAGED (\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"))")
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Extension point: later layers add their checks to the report here (base-model signature, numerics),
    /// e.g. `report.record("base.signature", detail: …, problems: …)`.
    func extend(_ report: inout PaveVerificationReport, _ pave: PaveFile) throws {
        try verifyComposed(&report, pave)   // composed patches: VerifyCommand+Compose.swift
    }
}
