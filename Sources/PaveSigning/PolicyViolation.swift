import PaveFormat

/// One rule of a trust policy a patch breaks: the rule (the policy key), the offending value, and a message.
public struct PolicyViolation: PaveError, Codable, Equatable {
    /// The policy key, e.g. `licenses`.
    public var rule: String
    /// The value that broke it, e.g. `GPL-3.0`.
    public var value: String
    /// For a person: names the patch, the rule, the value and what the policy allows.
    public var message: String

    public init(rule: String, value: String, message: String) {
        self.rule = rule
        self.value = value
        self.message = message
    }

    /// `policy.<rule>`.
    public var code: String { "policy." + rule }
    public var category: PaveErrorCategory { .checkFailed }
    public var description: String { message }
}
