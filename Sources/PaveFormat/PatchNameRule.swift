/// The rule for patch names (manifest `name`): the alphabet and length the registry accepts, checked already when a
/// `.pave` is written so that `pack` / `compose` never produce a file `install` would refuse.
///
/// A name is 1…128 bytes of ASCII letters, digits, `.`, `_`, `-`; it starts with a letter or digit and has no `..`.
/// Path separators, `:` (it separates the version in `NAME:VERSION`), white space and control characters are
/// refused.
public enum PatchNameRule {
    /// Longest accepted name, in bytes.
    public static let maxLength = 128
    /// The characters accepted besides ASCII letters and digits.
    public static let allowedPunctuation = "._-"

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        (try? validate(name)) != nil
    }

    /// Throws ``PaveFormatError/invalidPatchName(name:reason:)`` naming the first offending byte when `name`
    /// breaks the rule.
    public static func validate(_ name: String) throws(PaveFormatError) {
        if let reason = problem(in: name, maxLength: maxLength, punctuation: allowedPunctuation) {
            throw .invalidPatchName(name: name, reason: reason)
        }
    }

    /// The first way `s` breaks a name-like rule — 1…`maxLength` bytes of ASCII letters, digits and `punctuation`,
    /// starting with a letter or digit, no `..`, no path separator or control character — or `nil` when it follows
    /// it. Shared by patch names (here) and the registry's names and versions.
    public static func problem(in s: String, maxLength: Int, punctuation: String) -> String? {
        let bytes = Array(s.utf8)
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > maxLength { return "\(bytes.count) bytes long; at most \(maxLength) allowed" }
        let allowed = Set(punctuation.utf8)
        for (i, b) in bytes.enumerated() {
            let alnum = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "\\") { return "contains a path separator at byte \(i)" }
            if b < 0x20 || b == 0x7F { return "contains a control character at byte \(i)" }
            if !alnum && !allowed.contains(b) {
                return "byte \(i) is not allowed; use ASCII letters, digits and \(punctuation.map { "'\($0)'" }.joined(separator: " "))"
            }
            if i == 0 && !alnum { return "must start with a letter or a digit" }
        }
        if s.contains("..") { return "must not contain \"..\"" }
        return nil
    }
}
