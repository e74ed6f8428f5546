import PaveFormat

/// Validation of the names and versions the registry stores. Names never become paths (blobs are stored by
/// digest), but they are shown in terminals, used in `NAME:VERSION` references and in search, so they are
/// kept to a small, safe alphabet.
public enum PatchName {
    /// Longest accepted name, in bytes.
    public static let maxNameLength = 128
    /// Longest accepted version, in bytes.
    public static let maxVersionLength = 64

    /// Checks a patch name: 1…128 ASCII letters, digits, `.`, `_`, `-`; starts with a letter or digit;
    /// no `..`. Refuses path separators, `:` (it separates the version), white space and control characters.
    public static func validate(name: String) throws(RegistryError) {
        if let reason = PatchNameRule.problem(in: name, maxLength: maxNameLength, punctuation: "._-") {
            throw .invalidName(name, reason: reason)
        }
    }

    /// Checks a version: 1…64 ASCII letters, digits, `.`, `_`, `-`, `+`; starts with a letter or digit; no `..`.
    public static func validate(version: String) throws(RegistryError) {
        if let reason = PatchNameRule.problem(in: version, maxLength: maxVersionLength, punctuation: "._-+") {
            throw .invalidVersion(version, reason: reason)
        }
    }
}

/// Orders version strings: semantic versions (`1.2.10` > `1.2.9`, a pre-release sorts before its release),
/// anything else by bytes after every semantic version.
public struct VersionOrder: Comparable, Sendable {
    let text: String
    private let numbers: [Int]?
    private let prerelease: String?

    public init(_ text: String) {
        self.text = text
        let core = text.split(separator: "+", maxSplits: 1).first.map(String.init) ?? text
        let parts = core.split(separator: "-", maxSplits: 1).map(String.init)
        let nums = (parts.first ?? "").split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        if !nums.isEmpty, nums.allSatisfy({ $0 != nil }) {
            numbers = nums.compactMap { $0 }
            prerelease = parts.count > 1 ? parts[1] : nil
        } else {
            numbers = nil
            prerelease = nil
        }
    }

    public static func < (a: VersionOrder, b: VersionOrder) -> Bool {
        switch (a.numbers, b.numbers) {
        case let (x?, y?):
            let n = max(x.count, y.count)
            for i in 0..<n {
                let p = i < x.count ? x[i] : 0
                let q = i < y.count ? y[i] : 0
                if p != q { return p < q }
            }
            switch (a.prerelease, b.prerelease) {
            case (nil, nil): return a.text < b.text
            case (nil, _): return false
            case (_, nil): return true
            case let (p?, q?): return p < q
            }
        case (nil, nil): return a.text < b.text
        case (nil, _): return false
        case (_, nil): return true
        }
    }
}
