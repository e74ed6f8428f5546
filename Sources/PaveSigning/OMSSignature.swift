import Foundation
import PaveFormat

/// A parsed OMS signature file: the bundle and the statement it signs. Parsing checks the format; the two
/// checks a verifier makes are ``checkSigned(by:)`` (the key) and ``checkCovers(fileName:digest:)`` (the file).
public struct OMSSignature: Sendable, Equatable {
    public var bundle: OMSBundle
    public var statement: OMSStatement
    /// Where it was read from, for messages.
    public var source: String

    /// Parses a bundle and its statement strictly (``OMSBundle/parse(_:source:)``, ``OMSStatement/parse(_:source:)``).
    public init(bytes: [UInt8], source: String) throws(SigningError) {
        bundle = try OMSBundle.parse(bytes, source: source)
        statement = try OMSStatement.parse(bundle.payload, source: source)
        self.source = source
    }

    /// Reads and parses a signature file.
    public init(contentsOf url: URL) throws(SigningError) {
        try self.init(bytes: SmallFile.read(url, what: "the signature"), source: url.path)
    }

    /// The key id the bundle names (`verificationMaterial.publicKey.hint`), if any.
    public var keyHint: String? { bundle.keyHint }

    /// The SHA-256 the statement records for a single signed file (resource `"."`), or `nil` when it signs
    /// a directory.
    public var singleFileDigest: PaveFormat.Digest? {
        guard statement.resources.count == 1, statement.resources[0].name == "." else { return nil }
        return statement.resources[0].digest
    }

    /// Checks that the envelope was signed by `key`: the hint (when present) must be the key's id, and the
    /// ECDSA signature must verify over the DSSE PAE.
    /// - Throws: `.keyMismatch` (another key's hint), `.badSignature` (the signature does not verify: another
    ///   key without a hint, or a signature taken from another bundle).
    public func checkSigned(by key: VerifyingKey) throws(SigningError) {
        if let hint = bundle.keyHint, !hint.isEmpty, hint != key.keyID {
            throw SigningError(.keyMismatch, "\(source) was signed by key \(hint.prefix(16))…, not by the given key \(key.keyID.prefix(16))… (wrong public key?)")
        }
        let pae = DSSE.preAuthenticationEncoding(payloadType: bundle.payloadType, payload: bundle.payload)
        guard key.isValid(signature: bundle.signature, for: pae) else {
            throw SigningError(.badSignature, "\(source): the \(key.curve.rawValue) ECDSA signature does not verify over the signed statement with key \(key.keyID.prefix(16))… (the signature was replaced or made by another key)")
        }
    }

    /// Checks that the statement signs the single file `fileName` with bytes hashing to `digest`.
    /// - Throws: `.digestMismatch` when the signature names this file but records another hash (the file
    ///   changed since signing), `.otherFile` when it names and hashes another file, or signs a directory.
    public func checkCovers(fileName: String, digest: PaveFormat.Digest) throws(SigningError) {
        guard let signed = singleFileDigest else {
            let names = statement.resources.prefix(4).map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw SigningError(.otherFile, "\(source) signs the directory \"\(statement.subjectName)\" (resources \(names)\(statement.resources.count > 4 ? ", …" : "")), not the single file \(fileName)")
        }
        guard signed != digest else { return }
        if statement.subjectName == fileName {
            throw SigningError(.digestMismatch, "\(fileName) changed since it was signed: its SHA-256 is \(digest.hex), the signature \(source) records \(signed.hex) for resource \".\"")
        }
        throw SigningError(.otherFile, "\(source) is a signature over another file, \"\(statement.subjectName)\" (SHA-256 \(signed.hex)), not \(fileName) (SHA-256 \(digest.hex))")
    }
}
