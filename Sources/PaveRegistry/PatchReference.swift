import PaveFormat

/// How a command names an installed patch: `NAME`, `NAME:VERSION`, or a digest prefix (`sha256:` optional,
/// at least 8 hex digits).
public enum PatchReference: Sendable, Equatable, CustomStringConvertible {
    /// A name with an optional version (`nil` = the newest installed version).
    case name(String, version: String?)
    /// A lowercase hex prefix of the patch digest (without `sha256:`), 8…64 digits.
    case digestPrefix(String)

    /// Fewest hex digits accepted as a digest prefix.
    public static let minimumDigestPrefix = 8

    /// Parses `text`. A string of 8…64 hex digits is read as a digest prefix only when `preferDigest` is set
    /// (callers try it as a name first; see ``PatchLocator``) or when it starts with `sha256:`.
    public static func parse(_ text: String) throws(RegistryError) -> [PatchReference] {
        var candidates: [PatchReference] = []
        if text.hasPrefix(Digest.algorithmPrefix) {
            let hex = String(text.dropFirst(Digest.algorithmPrefix.count)).lowercased()
            guard isHexPrefix(hex) else {
                throw .invalidReference(text, reason: "a digest needs \(minimumDigestPrefix)…64 hex digits after \"sha256:\"")
            }
            return [.digestPrefix(hex)]
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var nameError: RegistryError?
        do throws(RegistryError) {
            try PatchName.validate(name: parts[0])
            if parts.count == 2 { try PatchName.validate(version: parts[1]) }
            candidates.append(.name(parts[0], version: parts.count == 2 ? parts[1] : nil))
        } catch {
            nameError = error
        }
        if parts.count == 1, isHexPrefix(text.lowercased()) { candidates.append(.digestPrefix(text.lowercased())) }
        if candidates.isEmpty {
            let reason = nameError.map { "\($0)" } ?? "not a name, NAME:VERSION or digest prefix"
            throw .invalidReference(text, reason: reason)
        }
        return candidates
    }

    static func isHexPrefix(_ s: String) -> Bool {
        let n = s.utf8.count
        return n >= minimumDigestPrefix && n <= 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    public var description: String {
        switch self {
        case let .name(n, v?): return "\(n):\(v)"
        case let .name(n, nil): return n
        case let .digestPrefix(p): return "sha256:\(p)"
        }
    }
}
