@preconcurrency import Crypto
import Foundation
import PaveFormat

/// An ECDSA public key that checks OMS signatures, loaded from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) file
/// such as `openssl ec -pubout` writes.
public struct VerifyingKey: Sendable {
    enum Storage: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
    }

    let storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    /// The curve (and so the hash) of the key.
    public var curve: SigningCurve {
        switch storage {
        case .p256: return .p256
        case .p384: return .p384
        case .p521: return .p521
        }
    }

    /// The DER SubjectPublicKeyInfo.
    public var derRepresentation: [UInt8] {
        switch storage {
        case let .p256(k): return [UInt8](k.derRepresentation)
        case let .p384(k): return [UInt8](k.derRepresentation)
        case let .p521(k): return [UInt8](k.derRepresentation)
        }
    }

    /// The PEM text, 64-column lines and a final newline (byte for byte what openssl and Python write).
    public var pemRepresentation: String { PEM.encode(label: "PUBLIC KEY", der: derRepresentation) }

    /// The key id: lowercase hex SHA-256 of ``pemRepresentation``. It is the OMS bundle's
    /// `verificationMaterial.publicKey.hint`, and what trust policies and `list` name keys by.
    public var keyID: String { PaveFormat.Digest(of: Array(pemRepresentation.utf8)).hex }

    /// Parses PEM text holding a `PUBLIC KEY` block.
    /// - Throws: ``SigningError`` `.badKey` naming `source` when there is no such block or the key is not ECDSA
    ///   on P-256, P-384 or P-521.
    public init(pem text: String, source: String) throws(SigningError) {
        guard let block = PEM.blocks(text).first(where: { $0.label == "PUBLIC KEY" }) else {
            let found = PEM.blocks(text).map(\.label)
            throw SigningError(.badKey, "\(source): no \"PUBLIC KEY\" PEM block" +
                (found.isEmpty ? " (not a PEM file)" : " (found \(found.map { "\"\($0)\"" }.joined(separator: ", ")); give the public key, e.g. from `openssl ec -pubout`)"))
        }
        let der = Data(block.der)
        if let k = try? P256.Signing.PublicKey(derRepresentation: der) { self.init(.p256(k)); return }
        if let k = try? P384.Signing.PublicKey(derRepresentation: der) { self.init(.p384(k)); return }
        if let k = try? P521.Signing.PublicKey(derRepresentation: der) { self.init(.p521(k)); return }
        throw SigningError(.badKey, "\(source): the public key is not ECDSA on P-256, P-384 or P-521 (OMS key signatures accept only those)")
    }

    /// Reads a PEM public key file.
    public init(contentsOf url: URL) throws(SigningError) {
        try self.init(pem: SmallFile.text(url, what: "the public key"), source: url.path)
    }

    /// Whether `signature` (DER ECDSA) is valid over `message` with this key and its curve's hash.
    public func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        let der = Data(signature)
        switch storage {
        case let .p256(k):
            guard let s = try? P256.Signing.ECDSASignature(derRepresentation: der) else { return false }
            return k.isValidSignature(s, for: message)
        case let .p384(k):
            guard let s = try? P384.Signing.ECDSASignature(derRepresentation: der) else { return false }
            return k.isValidSignature(s, for: message)
        case let .p521(k):
            guard let s = try? P521.Signing.ECDSASignature(derRepresentation: der) else { return false }
            return k.isValidSignature(s, for: message)
        }
    }
}
