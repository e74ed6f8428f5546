import Foundation
import PaveFormat

/// A Sigstore bundle v0.3 holding a DSSE envelope signed with a plain public key: the signature file of the
/// OpenSSF Model Signing (OMS) `key` method (spec/signing.md §2).
public struct OMSBundle: Sendable, Equatable {
    /// The media type pavepkg writes.
    public static let mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// The other spelling of v0.3 Sigstore clients accept.
    static let acceptedMediaTypes: Set<String> = [mediaType, "application/vnd.dev.sigstore.bundle+json;version=0.3"]

    /// `verificationMaterial.publicKey.hint`: hex SHA-256 of the signer's public key PEM (``VerifyingKey/keyID``).
    public var keyHint: String?
    /// `dsseEnvelope.payloadType`.
    public var payloadType: String
    /// The decoded `dsseEnvelope.payload`: the in-toto statement's bytes.
    public var payload: [UInt8]
    /// The decoded `dsseEnvelope.signatures[0].sig`: a DER ECDSA signature over the PAE.
    public var signature: [UInt8]

    public init(keyHint: String?, payloadType: String = DSSE.inTotoPayloadType, payload: [UInt8], signature: [UInt8]) {
        self.keyHint = keyHint
        self.payloadType = payloadType
        self.payload = payload
        self.signature = signature
    }

    /// The bundle as JSON (RFC 8785 canonical, so the same signature always gives the same file), with a final
    /// newline.
    public func encoded() -> [UInt8] {
        let sig: JSONValue = .object(["sig": .string(Data(signature).base64EncodedString()), "keyid": .string("")])
        let material: [String: JSONValue] = ["publicKey": .object(keyHint.map { ["hint": .string($0)] } ?? [:]), "tlogEntries": .array([])]
        let value: JSONValue = .object([
            "mediaType": .string(Self.mediaType),
            "verificationMaterial": .object(material),
            "dsseEnvelope": .object([
                "payload": .string(Data(payload).base64EncodedString()),
                "payloadType": .string(payloadType),
                "signatures": .array([sig]),
            ]),
        ])
        // Only strings, arrays and objects: canonical encoding cannot fail.
        return (CanonicalJSON.encode(value) ?? []) + [0x0A]
    }

    /// Parses a bundle strictly: unknown fields anywhere, a second kind of verification material, a message
    /// signature instead of an envelope, or bad base64 are each refused with a ``SigningError`` naming the field.
    /// - Parameter source: the file name for messages.
    public static func parse(_ bytes: [UInt8], source: String) throws(SigningError) -> OMSBundle {
        let what = "signature bundle \(source)"
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw SigningError(.malformedBundle, "\(what) is not JSON (a Sigstore bundle v0.3 is expected)")
        }
        let top = try StrictObject(json, path: "", allowed: ["mediaType", "verificationMaterial", "dsseEnvelope", "messageSignature"], what: what)
        let media = try top.string("mediaType", what: what)
        guard acceptedMediaTypes.contains(media) else {
            throw SigningError(.malformedBundle, "\(what): mediaType \"\(media)\" is not \"\(mediaType)\"")
        }
        if top.has("messageSignature") {
            throw SigningError(.unsupported, "\(what) holds a message signature (as cosign sign-blob writes), not a DSSE envelope; OMS signatures are DSSE envelopes")
        }
        // Verification material: exactly one kind, and pavepkg checks only a plain public key.
        let material = try StrictObject(try top.value("verificationMaterial", what: what), path: "verificationMaterial",
                                        allowed: ["publicKey", "certificate", "x509CertificateChain", "tlogEntries", "timestampVerificationData"], what: what)
        let kinds = ["publicKey", "certificate", "x509CertificateChain"].filter(material.has)
        guard kinds.count == 1 else {
            throw SigningError(.malformedBundle, "\(what): verificationMaterial must hold exactly one of publicKey, certificate, x509CertificateChain (found \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))")
        }
        guard kinds[0] == "publicKey" else {
            throw SigningError(.unsupported, "\(what) is signed with a Sigstore certificate (keyless signing); pavepkg verifies key signatures only (model_signing sign key)")
        }
        let publicKey = try StrictObject(try material.value("publicKey", what: what), path: "verificationMaterial.publicKey", allowed: ["hint"], what: what)
        let hint = try publicKey.optionalString("hint", what: what)
        if material.has("tlogEntries"), !(try material.array("tlogEntries", what: what)).isEmpty {
            throw SigningError(.unsupported, "\(what) carries transparency log entries; pavepkg verifies key signatures without a log (tlogEntries must be empty)")
        }
        if material.has("timestampVerificationData") {
            throw SigningError(.unsupported, "\(what) carries timestampVerificationData; pavepkg verifies key signatures without timestamps")
        }
        // The envelope.
        let envelope = try StrictObject(try top.value("dsseEnvelope", what: what), path: "dsseEnvelope", allowed: ["payload", "payloadType", "signatures"], what: what)
        let payload = try envelope.base64("payload", what: what)
        let payloadType = try envelope.string("payloadType", what: what)
        guard payloadType == DSSE.inTotoPayloadType else {
            throw SigningError(.malformedBundle, "\(what): dsseEnvelope.payloadType \"\(payloadType)\" is not \"\(DSSE.inTotoPayloadType)\"")
        }
        let signatures = try envelope.array("signatures", what: what)
        guard !signatures.isEmpty else { throw SigningError(.malformedBundle, "\(what): dsseEnvelope.signatures is empty") }
        var first: [UInt8] = []
        for (i, s) in signatures.enumerated() {
            let entry = try StrictObject(s, path: "dsseEnvelope.signatures[\(i)]", allowed: ["sig", "keyid"], what: what)
            let sig = try entry.base64("sig", what: what)
            _ = try entry.optionalString("keyid", what: what)
            if i == 0 { first = sig }
        }
        guard !first.isEmpty else { throw SigningError(.malformedBundle, "\(what): dsseEnvelope.signatures[0].sig is empty") }
        return OMSBundle(keyHint: hint, payloadType: payloadType, payload: payload, signature: first)
    }
}
