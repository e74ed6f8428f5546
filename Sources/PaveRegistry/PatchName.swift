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
        try check(name, max: maxNameLength, extra: "._-") { s, reason throws(RegistryError) in
            throw RegistryError.invalidName(s, reason: reason)
        }
    }

    /// Checks a version: 1…64 ASCII letters, digits, `.`, `_`, `-`, `+`; starts with a letter or digit; no `..`.
    public static func validate(version: String) throws(RegistryError) {
        try check(version, max: maxVersionLength, extra: "._-+") { s, reason throws(RegistryError) in
            throw RegistryError.invalidVersion(s, reason: reason)
        }
    }

    private static func check(
        _ s: String, max: Int, extra: String, fail: (String, String) throws(RegistryError) -> Never
    ) throws(RegistryError) {
        let bytes = Array(s.utf8)
        if bytes.isEmpty { try fail(s, "must not be empty") }
        if bytes.count > max { try fail(s, "\(bytes.count) bytes long; at most \(max) allowed") }
        let allowed = Set(extra.utf8)
        for (i, b) in bytes.enumerated() {
            let alnum = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "\\") { try fail(s, "contains a path separator at byte \(i)") }
            if b < 0x20 || b == 0x7F { try fail(s, "contains a control character at byte \(i)") }
            if !alnum && !allowed.contains(b) {
                try fail(s, "byte \(i) is not allowed; use ASCII letters, digits and \(extra.map { "'\($0)'" }.joined(separator: " "))")
            }
            if i == 0 && !alnum { try fail(s, "must start with a letter or a digit") }
        }
        if s.contains("..") { try fail(s, "must not contain \"..\"") }
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
