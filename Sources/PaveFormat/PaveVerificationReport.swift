/// The result of checking a `.pave` file: which checks ran, what they covered and every problem found.
///
/// `PaveFile.verifyAll()` fills in the container checks (structure, limits, digest, every tensor hash,
/// padding). `PatchVerifier` (PavePipeline) runs every other check a `.pave` can carry and adds each with
/// ``record(_:detail:problems:)`` (`patch.semantics`, `reference.*`, `base.*`, `member *`, `stack reference *`);
/// the CLI prints the report and exits 1 when ``ok`` is false.
public struct PaveVerificationReport: Sendable, Codable, Equatable {
    /// One named check.
    public struct Check: Sendable, Codable, Equatable {
        /// Stable dotted name, e.g. `"container.hashes"`.
        public var name: String
        public var passed: Bool
        /// What was covered (`"30 tensors, 17.99 MB"`).
        public var detail: String
        public init(name: String, passed: Bool, detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// One problem: the error's stable code, its category and its message (naming tensor / chunk / offset).
    public struct Problem: Sendable, Codable, Equatable {
        public var code: String
        public var category: PaveErrorCategory
        public var message: String
        public init(_ error: any PaveError) {
            code = error.code
            category = error.category
            message = error.description
        }
    }

    public var path: String
    /// `sha256:<64 hex>`, when the file could be opened.
    public var digest: String?
    /// `"1.0"`.
    public var formatVersion: String?
    public var checks: [Check] = []
    public var problems: [Problem] = []
    /// Structured results of the numerical checks (`{"reference_vectors": [...]}`, filled by the executor layer:
    /// max abs / rel error per output); absent when none ran.
    public var numerics: JSONValue?

    public init(path: String, digest: String? = nil, formatVersion: String? = nil) {
        self.path = path
        self.digest = digest
        self.formatVersion = formatVersion
    }

    /// Whether every check passed.
    public var ok: Bool { problems.isEmpty && checks.allSatisfy(\.passed) }

    /// Adds a check; it passed when `problems` is empty.
    public mutating func record(_ name: String, detail: String, problems found: [any PaveError] = []) {
        checks.append(Check(name: name, passed: found.isEmpty, detail: detail))
        problems.append(contentsOf: found.map(Problem.init))
    }
}
