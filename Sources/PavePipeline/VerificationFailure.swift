import PaveFormat

/// Thrown by ``PatchVerifier/require(_:progress:)`` when a patch fails verification: the whole report, so a
/// caller can print every problem. Category ``PaveErrorCategory/checkFailed`` (exit status 1).
public struct VerificationFailure: PaveError {
    /// The report with at least one failed check.
    public let report: PaveVerificationReport

    /// The failure of `report` (whose ``PaveVerificationReport/ok`` is false).
    public init(report: PaveVerificationReport) { self.report = report }

    public var code: String { "verify.failed" }
    public var category: PaveErrorCategory { .checkFailed }

    public var description: String {
        let failed = report.checks.filter { !$0.passed }.map(\.name)
        let problems = report.problems.map(\.message)
        return "\(report.path) failed verification (\(failed.joined(separator: ", "))): " + problems.joined(separator: "; ")
    }
}
