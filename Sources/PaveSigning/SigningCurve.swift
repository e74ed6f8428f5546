/// The ECDSA curves the OMS `key` method accepts, each with its fixed hash.
public enum SigningCurve: String, Sendable, Codable, CaseIterable, Equatable {
    /// NIST P-256 with SHA-256 (openssl `prime256v1`).
    case p256 = "P-256"
    /// NIST P-384 with SHA-384 (openssl `secp384r1`).
    case p384 = "P-384"
    /// NIST P-521 with SHA-512 (openssl `secp521r1`); verified, and generated on request.
    case p521 = "P-521"

    /// The hash the signature is made with.
    public var hashName: String {
        switch self {
        case .p256: return "SHA-256"
        case .p384: return "SHA-384"
        case .p521: return "SHA-512"
        }
    }
}
