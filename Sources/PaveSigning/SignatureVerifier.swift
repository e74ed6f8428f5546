import Foundation
import PaveFormat

/// What a verified signature says: who signed which file.
public struct VerifiedSignature: Sendable, Equatable, Codable {
    /// The signature file.
    public var signature: String
    /// The signer's key id (``VerifyingKey/keyID``).
    public var keyID: String
    /// The curve of the key.
    public var curve: SigningCurve
    /// SHA-256 of the signed file.
    public var fileDigest: PaveFormat.Digest
}

/// Verifies an OMS signature over one file with one public key, as `model_signing verify key` does.
public enum SignatureVerifier {
    /// Checks `signature` against the file at `url` (hashed in bounded memory unless `knownDigest` is given)
    /// and `key`. Order: format, key, signature, then the file's digest.
    /// - Throws: ``SigningError`` with the code naming what failed.
    public static func verify(fileAt url: URL, signature: OMSSignature, key: VerifyingKey, knownDigest: PaveFormat.Digest? = nil) throws(SigningError) -> VerifiedSignature {
        try signature.checkSigned(by: key)
        let digest: PaveFormat.Digest
        if let knownDigest { digest = knownDigest } else { digest = try FileHasher.sha256(of: url).digest }
        try signature.checkCovers(fileName: url.lastPathComponent, digest: digest)
        return VerifiedSignature(signature: signature.source, keyID: key.keyID, curve: key.curve, fileDigest: digest)
    }

    /// Reads the signature at `signatureURL` and verifies it (see ``verify(fileAt:signature:key:knownDigest:)``).
    public static func verify(fileAt url: URL, signatureAt signatureURL: URL, key: VerifyingKey, knownDigest: PaveFormat.Digest? = nil) throws(SigningError) -> VerifiedSignature {
        try verify(fileAt: url, signature: OMSSignature(contentsOf: signatureURL), key: key, knownDigest: knownDigest)
    }
}
