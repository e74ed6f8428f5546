import ArgumentParser
import Foundation
import PaveKit

extension GateFormat: ExpressibleByArgument {}

/// `pavepkg verify PATH... [--format text|json|junit|github] [--policy FILE] [--key PUB] [--base B]` (issue 12): the CI
/// gate. Every file and every `*.pave` under the directories is verified in parallel (PatchGate); one summary;
/// exit 1 if any patch fails.
extension VerifyCommand {
    /// Several paths, a directory, or --format: the gate.
    var isGate: Bool {
        get throws {
            if paths.count > 1 || format != nil { return true }
            var isDirectory: ObjCBool = false
            return paths.count == 1 && FileManager.default.fileExists(atPath: paths[0], isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    func runGate() throws {
        if !signing.signature.isEmpty { throw ValidationError("--signature names one file's signature; with several paths each FILE.sig beside its file is checked") }
        let format = self.format ?? (json ? .json : .text)
        var failed = false
        try runReportingErrors(json: format == .json) {
            let gate = PatchGate(policy: try signing.loadPolicy(), keys: try signing.loadKeys(),
                                 verification: .full.checking(base: baseOption.source))
            let files = try PatchGate.collect(paths)
            if files.isEmpty { throw ValidationError("no .pave files in \(paths.joined(separator: ", "))") }
            let report = gate.run(files)
            FileHandle.standardOutput.write(Data(format.render(report).utf8))
            failed = !report.ok
        }
        if failed { throw ExitCode(1) }
    }
}
