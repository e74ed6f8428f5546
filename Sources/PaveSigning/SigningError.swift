import PaveFormat

/// Why a signature, a key or a trust policy was refused. Every case has a stable code (`signing.*`,
/// `policy.*`) and a message naming the file, field or key and what was expected.
public struct SigningError: PaveError, Equatable {
    /// The stable kind of failure; `catch` sites match on it.
    public enum Code: String, Sendable, Codable, Equatable {
        /// The bundle is not JSON, or a field has the wrong type or value.
        case malformedBundle = "signing.malformed_bundle"
        /// The bundle (or its statement) carries a field the OMS format does not define.
        case unknownField = "signing.unknown_field"
        /// A Sigstore feature pavepkg does not verify (certificates, message signatures, transparency logs).
        case unsupported = "signing.unsupported"
        /// The file's SHA-256 differs from the digest the signature records for it: it changed since signing.
        case digestMismatch = "signing.digest_mismatch"
        /// The signature names and covers another file.
        case otherFile = "signing.other_file"
        /// The statement's subject digest is not the hash of its resources.
        case subjectMismatch = "signing.subject_mismatch"
        /// The bundle's key hint names another public key.
        case keyMismatch = "signing.key_mismatch"
        /// The ECDSA signature does not verify over the envelope with this key.
        case badSignature = "signing.bad_signature"
        /// A key file is not a PEM ECDSA key on P-256, P-384 or P-521.
        case badKey = "signing.bad_key"
        /// Reading or writing a file failed.
        case io = "signing.io"
        /// A key, signature or policy file is larger than any such file can be.
        case tooLarge = "signing.too_large"
        /// The trust policy file is not valid.
        case badPolicy = "policy.invalid"
    }

    /// What failed.
    public var kind: Code
    /// The message for a person: names the file / field / key and what was expected.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.kind = code
        self.message = message
    }

    public var description: String { message }

    public var category: PaveErrorCategory {
        switch kind {
        case .io: return .io
        case .digestMismatch, .otherFile, .keyMismatch, .badSignature, .subjectMismatch: return .checkFailed
        default: return .invalidInput
        }
    }

}

extension SigningError.Code {
    /// Matches an error against a code in `catch` / `switch` patterns.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? SigningError)?.kind == code
    }
}

extension SigningError {
    /// The stable dotted code, e.g. `signing.key_mismatch`.
    public var code: String { kind.rawValue }
}
