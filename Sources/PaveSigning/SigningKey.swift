@preconcurrency import Crypto
import Foundation
import PaveFormat

#if canImport(Glibc)
import Glibc
#endif

/// An ECDSA private key that makes OMS signatures. Loads the PEM files openssl writes (SEC1
/// `EC PRIVATE KEY` from `openssl ecparam -genkey`, PKCS#8 `PRIVATE KEY` from `openssl genpkey`) and writes
/// PKCS#8, which openssl and `model_signing` read.
public struct SigningKey: Sendable {
    enum Storage: Sendable {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
    }

    let storage: Storage

    /// A new random key on `curve`.
    public init(generating curve: SigningCurve = .p256) {
        switch curve {
        case .p256: storage = .p256(P256.Signing.PrivateKey())
        case .p384: storage = .p384(P384.Signing.PrivateKey())
        case .p521: storage = .p521(P521.Signing.PrivateKey())
        }
    }

    /// Parses PEM text holding an `EC PRIVATE KEY` or `PRIVATE KEY` block (other blocks, such as openssl's
    /// `EC PARAMETERS`, are skipped).
    /// - Throws: ``SigningError`` `.badKey` naming `source`.
    public init(pem text: String, source: String) throws(SigningError) {
        let blocks = PEM.blocks(text)
        guard let block = blocks.first(where: { $0.label == "EC PRIVATE KEY" || $0.label == "PRIVATE KEY" }) else {
            if blocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) {
                throw SigningError(.badKey, "\(source): the private key is encrypted; decrypt it first (openssl pkey -in \(source) -out plain.pem)")
            }
            throw SigningError(.badKey, "\(source): no \"EC PRIVATE KEY\" or \"PRIVATE KEY\" PEM block" +
                (blocks.contains { $0.label == "PUBLIC KEY" } ? " (this is a public key; signing needs the private key)" : ""))
        }
        let pem = PEM.encode(label: block.label, der: block.der)
        if let k = try? P256.Signing.PrivateKey(pemRepresentation: pem) { storage = .p256(k); return }
        if let k = try? P384.Signing.PrivateKey(pemRepresentation: pem) { storage = .p384(k); return }
        if let k = try? P521.Signing.PrivateKey(pemRepresentation: pem) { storage = .p521(k); return }
        throw SigningError(.badKey, "\(source): the private key is not ECDSA on P-256, P-384 or P-521 (OMS key signatures accept only those; Ed25519 and RSA are refused by model_signing too)")
    }

    /// Reads a PEM private key file.
    public init(contentsOf url: URL) throws(SigningError) {
        try self.init(pem: SmallFile.text(url, what: "the private key"), source: url.path)
    }

    /// The curve of the key.
    public var curve: SigningCurve { publicKey.curve }

    /// The matching public key.
    public var publicKey: VerifyingKey {
        switch storage {
        case let .p256(k): return VerifyingKey(.p256(k.publicKey))
        case let .p384(k): return VerifyingKey(.p384(k.publicKey))
        case let .p521(k): return VerifyingKey(.p521(k.publicKey))
        }
    }

    /// The PKCS#8 `PRIVATE KEY` PEM text (64-column lines, final newline).
    public var pemRepresentation: String {
        let der: Data
        switch storage {
        case let .p256(k): der = k.derRepresentation
        case let .p384(k): der = k.derRepresentation
        case let .p521(k): der = k.derRepresentation
        }
        return PEM.encode(label: "PRIVATE KEY", der: [UInt8](der))
    }

    /// A DER ECDSA signature over `message` with the curve's hash.
    /// - Throws: ``SigningError`` `.badKey` if the crypto library refuses (never for a loaded key).
    public func signature(for message: [UInt8]) throws(SigningError) -> [UInt8] {
        do {
            switch storage {
            case let .p256(k): return [UInt8](try k.signature(for: message).derRepresentation)
            case let .p384(k): return [UInt8](try k.signature(for: message).derRepresentation)
            case let .p521(k): return [UInt8](try k.signature(for: message).derRepresentation)
            }
        } catch {
            throw SigningError(.badKey, "signing failed: \(error)")
        }
    }

    /// Writes `BASE.pem` (the private key, mode 0600) and `BASE.pub` (the public key), each atomically.
    /// - Returns: the two URLs.
    /// - Throws: ``SigningError`` `.io` if either file exists already (a key is never overwritten) or cannot
    ///   be written.
    @discardableResult
    public func write(base: URL) throws(SigningError) -> (privateKey: URL, publicKey: URL) {
        let priv = URL(fileURLWithPath: base.path + ".pem"), pub = URL(fileURLWithPath: base.path + ".pub")
        for url in [priv, pub] where FileManager.default.fileExists(atPath: url.path) {
            throw SigningError(.io, "\(url.path) exists already; a key file is never overwritten (choose another name or remove it)")
        }
        do {
            // The private key is owner-only before it gets its name.
            let w = try AtomicFileWriter(destination: priv)
            guard chmod(w.temporaryURL.path, 0o600) == 0 else {
                w.abort()
                throw SigningError(.io, "\(priv.path): cannot make the private key readable by its owner only")
            }
            try w.write(Array(pemRepresentation.utf8))
            try w.commit()
            try AtomicFileWriter.write(Data(publicKey.pemRepresentation.utf8), to: pub)
        } catch let e as SigningError {
            throw e
        } catch {
            throw SigningError(.io, "cannot write the key pair \(base.path).pem/.pub: \(error)")
        }
        return (priv, pub)
    }
}
