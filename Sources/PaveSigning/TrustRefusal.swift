import PaveFormat

/// A patch refused because its signatures or the trust policy do not hold: every reason, each with the
/// rule or signature check that failed and the value that broke it.
public struct TrustRefusal: PaveError, Equatable {
    /// The file or reference refused.
    public var path: String
    /// Each reason's code (`policy.licenses`, `signing.key_mismatch`, …) and message.
    public var reasons: [PaveVerificationReport.Problem]

    public init(path: String, report: TrustReport) {
        self.path = path
        reasons = report.signatureProblems.map(PaveVerificationReport.Problem.init) + report.violations.map(PaveVerificationReport.Problem.init)
    }

    /// The first reason's code (`policy.<rule>` or `signing.*`).
    public var code: String { reasons.first?.code ?? "policy.refused" }
    public var category: PaveErrorCategory { .checkFailed }
    public var description: String {
        "\(path) refused: " + reasons.map(\.message).joined(separator: "; ")
    }
}
