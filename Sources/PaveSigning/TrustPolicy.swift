import Foundation
import PaveFormat

/// A trust policy (spec/signing.md §5, spec/policy.schema.json): which keys are trusted, whether a signature
/// is required, and which patches are acceptable at all. Read from `PAVE_HOME/policy.json` or a file given
/// by the user; ``default`` (no file) accepts everything, which is pavepkg's behaviour without a policy.
///
/// Parsed strictly: an unknown key is an error naming it, so a typo (`"require_signatures"`) cannot silently
/// weaken the policy.
public struct TrustPolicy: Sendable {
    /// A public key the policy trusts.
    public struct TrustedKey: Sendable {
        /// The entry as written in the policy (a path or a key id).
        public var entry: String
        /// The key.
        public var key: VerifyingKey
        /// ``VerifyingKey/keyID``.
        public var keyID: String { key.keyID }
    }

    /// `trusted_keys`, each resolved to its public key.
    public var trustedKeys: [TrustedKey] = []
    /// `require_signature`: a patch needs a signature verified by a trusted key.
    public var requireSignature = false
    /// `allowed_bases`: the base structural signatures a patch may declare (`nil` = any, even none).
    public var allowedBases: Set<PaveFormat.Digest>?
    /// `allowed_side_channels`: side-channel kinds (`audio`, `3d`, …) a patch may use (`nil` = any).
    public var allowedSideChannels: Set<String>?
    /// `licenses`: SPDX identifiers a patch's `license` must be one of (`nil` = any).
    public var licenses: Set<String>?
    /// `max_size`: the largest acceptable `.pave` file in bytes (`nil` = no limit).
    public var maxSize: Int?
    /// `require_reference_vectors`: a patch must carry at least one stored reference vector set.
    public var requireReferenceVectors = false
    /// The file the policy was read from (`nil` for ``default``).
    public var source: String?

    public init() {}

    /// Accepts everything: what pavepkg does without a policy file.
    public static let `default` = TrustPolicy()

    /// Whether signatures are checked at all under this policy.
    public var checksSignatures: Bool { requireSignature || !trustedKeys.isEmpty }

    /// The trusted key with id `keyID`.
    public func trustedKey(id keyID: String) -> TrustedKey? { trustedKeys.first { $0.keyID == keyID } }

    /// The keys of the schema, in documentation order.
    public static let keys = ["trusted_keys", "require_signature", "allowed_bases", "allowed_side_channels", "licenses", "max_size", "require_reference_vectors"]

    /// Reads a policy file. Relative `trusted_keys` paths are resolved against the file's directory; key ids
    /// (64 lowercase hex) are resolved against the `*.pub` files of that directory and its `keys/` folder.
    /// - Throws: ``SigningError`` `.badPolicy` naming the file and the key or entry at fault; `.io` when the
    ///   file cannot be read.
    public static func load(contentsOf url: URL) throws(SigningError) -> TrustPolicy {
        try parse(SmallFile.read(url, what: "the trust policy"), directory: url.deletingLastPathComponent(), source: url.path)
    }

    /// `PAVE_HOME/policy.json` when it exists, else ``default``.
    public static func load(home: URL) throws(SigningError) -> TrustPolicy {
        let url = home.appendingPathComponent("policy.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return .default }
        return try load(contentsOf: url)
    }

    /// Parses policy JSON; see ``load(contentsOf:)``.
    public static func parse(_ bytes: [UInt8], directory: URL, source: String) throws(SigningError) -> TrustPolicy {
        func bad(_ message: String) -> SigningError { SigningError(.badPolicy, "trust policy \(source): \(message)") }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw bad("not JSON") }
        guard case let .object(o) = json else { throw bad("the policy is not a JSON object") }
        if let unknown = o.keys.sorted().first(where: { !keys.contains($0) }) {
            throw bad("unknown key \"\(unknown)\" (allowed: \(keys.joined(separator: ", "))); a misspelt rule would silently not apply")
        }
        var policy = TrustPolicy()
        policy.source = source
        func strings(_ key: String) throws(SigningError) -> [String]? {
            guard let v = o[key] else { return nil }
            guard case let .array(a) = v else { throw bad("\"\(key)\" must be an array of strings") }
            var out: [String] = []
            for (i, e) in a.enumerated() {
                guard case let .string(s) = e, !s.isEmpty else { throw bad("\"\(key)\"[\(i)] must be a non-empty string") }
                out.append(s)
            }
            return out
        }
        func bool(_ key: String) throws(SigningError) -> Bool {
            guard let v = o[key] else { return false }
            guard case let .bool(b) = v else { throw bad("\"\(key)\" must be true or false") }
            return b
        }
        policy.requireSignature = try bool("require_signature")
        policy.requireReferenceVectors = try bool("require_reference_vectors")
        if let v = o["max_size"] {
            guard case let .int(n) = v, n > 0, let size = Int(exactly: n) else { throw bad("\"max_size\" must be a positive integer number of bytes") }
            policy.maxSize = size
        }
        if let bases = try strings("allowed_bases") {
            var set = Set<PaveFormat.Digest>()
            for (i, b) in bases.enumerated() {
                guard let d = PaveFormat.Digest(parsing: b) else { throw bad("\"allowed_bases\"[\(i)] \"\(b)\" is not a structural signature (sha256:<64 lowercase hex>)") }
                set.insert(d)
            }
            policy.allowedBases = set
        }
        policy.allowedSideChannels = try strings("allowed_side_channels").map(Set.init)
        policy.licenses = try strings("licenses").map(Set.init)
        for entry in try strings("trusted_keys") ?? [] {
            policy.trustedKeys.append(try resolveKey(entry, directory: directory, bad: bad))
        }
        if policy.requireSignature, policy.trustedKeys.isEmpty {
            throw bad("\"require_signature\" is true but \"trusted_keys\" is empty: no signature could ever be trusted")
        }
        return policy
    }

    /// A `trusted_keys` entry: a key id, or a PEM path relative to the policy's directory.
    private static func resolveKey(_ entry: String, directory: URL, bad: (String) -> SigningError) throws(SigningError) -> TrustedKey {
        if PaveFormat.Digest(hex: entry) != nil {
            // A key id: find its public key beside the policy.
            for dir in [directory, directory.appendingPathComponent("keys")] {
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".pub") }.sorted()
                for f in files {
                    if let k = try? VerifyingKey(contentsOf: dir.appendingPathComponent(f)), k.keyID == entry {
                        return TrustedKey(entry: entry, key: k)
                    }
                }
            }
            throw bad("trusted key id \(entry) has no public key: put it as a .pub file in \(directory.path) or \(directory.appendingPathComponent("keys").path), or list its path instead")
        }
        let url = entry.hasPrefix("/") ? URL(fileURLWithPath: entry) : directory.appendingPathComponent(entry)
        do {
            return TrustedKey(entry: entry, key: try VerifyingKey(contentsOf: url))
        } catch {
            throw bad("trusted key \"\(entry)\": \(error.message)")
        }
    }
}
