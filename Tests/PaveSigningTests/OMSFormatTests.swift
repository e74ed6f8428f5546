import Crypto
import Foundation
import PaveFormat
import Testing
@testable import PaveSigning

/// The OMS format pieces on their own: PAE, key ids, keys from openssl, the statement and bundle layout.
struct OMSFormatTests {
    @Test func preAuthenticationEncodingIsTheDSSEOne() {
        // The example of the DSSE protocol document.
        let pae = DSSE.preAuthenticationEncoding(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
        // Lengths are byte counts, not character counts.
        let utf8 = DSSE.preAuthenticationEncoding(payloadType: "t", payload: Array("é".utf8))
        #expect(String(decoding: utf8, as: UTF8.self) == "DSSEv1 1 t 2 é")
    }

    @Test(arguments: ["prime256v1", "secp384r1", "secp521r1"])
    func keyIDIsTheSHA256OfTheOpenSSLPublicKeyFile(curve: String) throws {
        let dir = try ScratchDir()
        let (priv, pub) = try dir.opensslKey("k", curve: curve)
        let pubBytes = try [UInt8](Data(contentsOf: pub))
        let verifying = try VerifyingKey(contentsOf: pub)
        // The PEM we write is byte for byte openssl's, so the hint is the hash of the .pub file.
        #expect(verifying.pemRepresentation == String(decoding: pubBytes, as: UTF8.self))
        #expect(verifying.keyID == Digest(of: pubBytes).hex)
        let signing = try SigningKey(contentsOf: priv)
        #expect(signing.publicKey.keyID == verifying.keyID)
        #expect(signing.curve.rawValue == ["prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"][curve])
    }

    @Test func loadsPKCS8AndSEC1KeysWithParametersBlocks() throws {
        let dir = try ScratchDir()
        // PKCS#8 "PRIVATE KEY" from genpkey.
        let p8 = dir.file("p8.pem")
        try Tool.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p8.path])
        #expect(try SigningKey(contentsOf: p8).curve == .p384)
        // SEC1 with an "EC PARAMETERS" block first (ecparam without -noout).
        let sec1 = dir.file("sec1.pem")
        try Tool.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-out", sec1.path])
        #expect(try String(contentsOf: sec1, encoding: .utf8).contains("BEGIN EC PARAMETERS"))
        #expect(try SigningKey(contentsOf: sec1).curve == .p256)
        // A public key where a private one is expected, and an Ed25519 key: refused with .badKey.
        let (_, pub) = try dir.opensslKey("x")
        #expect(throws: SigningError.self) { try SigningKey(contentsOf: pub) }
        let ed = dir.file("ed.pem")
        try Tool.openssl(["genpkey", "-algorithm", "ED25519", "-out", ed.path])
        do {
            _ = try SigningKey(contentsOf: ed)
            Issue.record("an Ed25519 key was accepted")
        } catch {
            #expect(error.kind == .badKey && error.message.contains("P-256"))
        }
    }

    @Test func generatedKeysAreReadByOpenSSL() throws {
        let dir = try ScratchDir()
        for curve in SigningCurve.allCases {
            let base = dir.file("gen-\(curve.rawValue)")
            let (priv, pub) = try SigningKey(generating: curve).write(base: base)
            try Tool.openssl(["ec", "-in", priv.path, "-noout"])
            try Tool.openssl(["pkey", "-pubin", "-in", pub.path, "-noout"])
            let attributes = try FileManager.default.attributesOfItem(atPath: priv.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // openssl derives the same public key file from the private key.
            let derived = try Tool.openssl(["ec", "-in", priv.path, "-pubout"]).stdout
            #expect(derived == (try String(contentsOf: pub, encoding: .utf8)))
            // An existing key is never overwritten.
            #expect(throws: SigningError.self) { try SigningKey(generating: curve).write(base: base) }
        }
    }

    @Test func streamingHashEqualsTheOneShotHash() throws {
        let dir = try ScratchDir()
        for size in [0, 1, FileHasher.bufferSize - 1, FileHasher.bufferSize, 3 * FileHasher.bufferSize + 17] {
            let url = try dir.bytes("f\(size)", count: size, seed: UInt64(size))
            let (digest, count) = try FileHasher.sha256(of: url)
            #expect(count == size)
            #expect(digest == Digest(of: try [UInt8](Data(contentsOf: url))))
        }
    }

    @Test func singleFileStatementHasResourceDotAndTheSubjectDigestOfItsDigest() throws {
        let fileDigest = Digest(of: Array("patch bytes".utf8))
        let statement = OMSStatement.singleFile(name: "p.pave", digest: fileDigest)
        let json = try JSONValue.parse(statement.encoded())
        #expect(json["_type"]?.stringValue == "https://in-toto.io/Statement/v1")
        #expect(json["predicateType"]?.stringValue == "https://model_signing/signature/v1.0")
        #expect(json["subject"]?.arrayValue?.first?["name"]?.stringValue == "p.pave")
        // Subject digest = SHA-256 of the raw 32-byte resource digest.
        #expect(json["subject"]?.arrayValue?.first?["digest"]?["sha256"]?.stringValue == Digest(of: fileDigest.bytes).hex)
        let resource = json["predicate"]?["resources"]?.arrayValue?.first
        #expect(resource?["name"]?.stringValue == "." && resource?["digest"]?.stringValue == fileDigest.hex && resource?["algorithm"]?.stringValue == "sha256")
        #expect(json["predicate"]?["serialization"]?["method"]?.stringValue == "files")
        #expect(try OMSStatement.parse(statement.encoded(), source: "t") == statement)
        // Several resources: sorted by name, subject over the concatenation in that order.
        let a = Digest(of: [1]), b = Digest(of: [2])
        let two = OMSStatement(subjectName: "dir", resources: [OMSResource(name: "b", digest: b), OMSResource(name: "a", digest: a)])
        #expect(two.resources.map(\.name) == ["a", "b"])
        #expect(two.subjectDigest == Digest(of: a.bytes + b.bytes))
    }

    @Test func signedBundleRoundTripsAndIsDeterministicExceptTheSignature() throws {
        let key = SigningKey(generating: .p256)
        let digest = Digest(of: [9, 9, 9])
        let bundleBytes = try PatchSigner.sign(fileName: "x.pave", digest: digest, key: key)
        let json = try JSONValue.parse(bundleBytes)
        #expect(json["mediaType"]?.stringValue == "application/vnd.dev.sigstore.bundle.v0.3+json")
        #expect(json["verificationMaterial"]?["publicKey"]?["hint"]?.stringValue == key.publicKey.keyID)
        #expect(json["verificationMaterial"]?["tlogEntries"]?.arrayValue == [])
        #expect(json["dsseEnvelope"]?["payloadType"]?.stringValue == "application/vnd.in-toto+json")
        #expect(json["dsseEnvelope"]?["signatures"]?.arrayValue?.first?["keyid"]?.stringValue == "")
        let sig = try OMSSignature(bytes: bundleBytes, source: "x.pave.sig")
        try sig.checkSigned(by: key.publicKey)
        try sig.checkCovers(fileName: "x.pave", digest: digest)
        #expect(sig.singleFileDigest == digest)
    }
}
