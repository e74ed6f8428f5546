import PaveFormat

/// The verdict of the CI gate on one patch file: every check run on it, and its problems.
public struct GateResult: Sendable, Codable, Equatable {
    /// The file as found (relative paths stay relative, so annotations point into the repository).
    public var path: String
    /// `sha256:<hex>` patch digest, when the file could be opened.
    public var digest: String?
    /// Every check, in the order they ran (`container.*`, `semantics`, `reference_vectors.*`, `signature.oms`, `policy`).
    public var checks: [PaveVerificationReport.Check]
    /// Every problem, with its code and message.
    public var problems: [PaveVerificationReport.Problem]
    /// Seconds spent on this file.
    public var seconds: Double
    /// Bytes of the file.
    public var bytes: Int

    /// Whether every check held.
    public var ok: Bool { problems.isEmpty && checks.allSatisfy(\.passed) }
}

/// The gate's verdict on a set of patches: one ``GateResult`` per file, in path order.
public struct GateReport: Sendable, Codable, Equatable {
    public var results: [GateResult]
    /// Wall-clock seconds for the whole run.
    public var seconds: Double
    /// The policy applied (`nil`: none, pavepkg's default behaviour).
    public var policy: String?

    public var passed: Int { results.filter(\.ok).count }
    public var failed: Int { results.count - passed }
    public var bytes: Int { results.reduce(0) { $0 + $1.bytes } }
    /// Whether every patch passed (and there was at least one).
    public var ok: Bool { failed == 0 && !results.isEmpty }

    enum CodingKeys: String, CodingKey { case results, seconds, policy, passed, failed, bytes, ok }

    public init(results: [GateResult], seconds: Double, policy: String?) {
        self.results = results
        self.seconds = seconds
        self.policy = policy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        results = try c.decode([GateResult].self, forKey: .results)
        seconds = try c.decode(Double.self, forKey: .seconds)
        policy = try c.decodeIfPresent(String.self, forKey: .policy)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encode(passed, forKey: .passed)
        try c.encode(failed, forKey: .failed)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(ok, forKey: .ok)
    }
}
