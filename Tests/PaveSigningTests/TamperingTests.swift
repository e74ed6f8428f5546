import Foundation
import PaveFormat
import Testing
@testable import PaveSigning

/// Each way a signature can be wrong is refused with its own code.
struct TamperingTests {
    /// A signed 3 MB file with an openssl key, and a second key.
    struct Setup {
        let dir: ScratchDir
        let file: URL
        let signature: URL
        let key: VerifyingKey
        let otherKey: URL

        init() throws {
            dir = try ScratchDir()
            file = try dir.bytes("p.pave", count: 3_000_000)
            let (priv, pub) = try dir.opensslKey("alice")
            otherKey = try dir.opensslKey("mallory").pub
            key = try VerifyingKey(contentsOf: pub)
            signature = dir.file("p.pave.sig")
            try PatchSigner.write(try PatchSigner.sign(fileAt: file, key: try SigningKey(contentsOf: priv)), to: signature)
        }

        func verify(file: URL? = nil, signature: URL? = nil, key: VerifyingKey? = nil) throws(SigningError) -> VerifiedSignature {
            try SignatureVerifier.verify(fileAt: file ?? self.file, signatureAt: signature ?? self.signature, key: key ?? self.key)
        }

        /// The bundle as a mutable JSON object.
        func bundleObject() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: signature)) as? [String: Any] ?? [:]
        }

        func write(_ object: [String: Any], _ name: String) throws -> URL {
            let url = dir.file(name)
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            return url
        }
    }

    func expectCode(_ code: SigningError.Code, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            try body()
            Issue.record("expected \(code.rawValue), it verified", sourceLocation: sourceLocation)
        } catch let error as SigningError {
            #expect(error.kind == code, "\(error.message)", sourceLocation: sourceLocation)
            return error.message
        } catch {
            Issue.record("expected \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
        }
        return ""
    }

    @Test func theUntouchedSignatureVerifies() throws {
        let s = try Setup()
        let v = try s.verify()
        #expect(v.keyID == s.key.keyID && v.curve == .p256)
        #expect(v.fileDigest == Digest(of: try [UInt8](Data(contentsOf: s.file))))
    }

    @Test func aFlippedByteIsAChangedFile() throws {
        let s = try Setup()
        var bytes = try [UInt8](Data(contentsOf: s.file))
        bytes[1_234_567] ^= 0x01
        try Data(bytes).write(to: s.file)
        let message = expectCode(.digestMismatch) { _ = try s.verify() }
        #expect(message.contains("p.pave changed since it was signed") && message.contains("resource \".\""))
    }

    @Test func aWrongKeyIsAKeyMismatch() throws {
        let s = try Setup()
        let wrong = try VerifyingKey(contentsOf: s.otherKey)
        _ = expectCode(.keyMismatch) { _ = try s.verify(key: wrong) }
        // Without the hint, the wrong key fails on the signature itself.
        var object = try s.bundleObject()
        var material = object["verificationMaterial"] as? [String: Any] ?? [:]
        material["publicKey"] = [String: Any]()
        object["verificationMaterial"] = material
        let noHint = try s.write(object, "nohint.sig")
        _ = try s.verify(signature: noHint)  // a missing hint only warns in OMS, the right key still verifies
        _ = expectCode(.badSignature) { _ = try s.verify(signature: noHint, key: wrong) }
    }

    @Test func aSwappedSignatureDoesNotVerify() throws {
        let s = try Setup()
        // A valid signature by the same key over another statement, pasted into this bundle.
        let other = try s.dir.bytes("q.pave", count: 1000, seed: 99)
        let priv = try SigningKey(contentsOf: s.dir.file("alice.pem"))
        let otherBundle = try JSONSerialization.jsonObject(with: Data(try PatchSigner.sign(fileAt: other, key: priv))) as? [String: Any] ?? [:]
        var object = try s.bundleObject()
        var envelope = object["dsseEnvelope"] as? [String: Any] ?? [:]
        envelope["signatures"] = (otherBundle["dsseEnvelope"] as? [String: Any])?["signatures"]
        object["dsseEnvelope"] = envelope
        let swapped = try s.write(object, "swapped.sig")
        let message = expectCode(.badSignature) { _ = try s.verify(signature: swapped) }
        #expect(message.contains("does not verify"))
    }

    @Test(arguments: [
        ["extra"], ["verificationMaterial", "extra"], ["verificationMaterial", "publicKey", "extra"],
        ["dsseEnvelope", "extra"], ["dsseEnvelope", "signatures", "0", "extra"],
    ])
    func anExtraFieldAnywhereIsRefusedByName(path: [String]) throws {
        let s = try Setup()
        func insert(_ value: Any, _ path: ArraySlice<String>) -> Any {
            guard let head = path.first else { return value }
            if var array = value as? [Any], let i = Int(head) {
                array[i] = insert(array[i], path.dropFirst())
                return array
            }
            var object = value as? [String: Any] ?? [:]
            object[head] = path.count == 1 ? "x" : insert(object[head] as Any, path.dropFirst())
            return object
        }
        let tampered = try s.write(insert(try s.bundleObject(), path[...]) as? [String: Any] ?? [:], "extra.sig")
        let message = expectCode(.unknownField) { _ = try s.verify(signature: tampered) }
        let named = path.map { Int($0) != nil ? "[\($0)]" : ".\($0)" }.joined().dropFirst()
        #expect(message.contains("\"\(named.replacingOccurrences(of: ".[", with: "["))\""), "\(message)")
    }

    @Test func anExtraFieldInTheSignedStatementIsRefused() throws {
        let key = SigningKey(generating: .p256)
        var statement = try JSONSerialization.jsonObject(with: Data(OMSStatement.singleFile(name: "a", digest: Digest(of: [1])).encoded())) as? [String: Any] ?? [:]
        statement["comment"] = "hi"
        let payload = try [UInt8](JSONSerialization.data(withJSONObject: statement))
        let bundle = OMSBundle(keyHint: key.publicKey.keyID, payload: payload,
                               signature: try key.signature(for: DSSE.preAuthenticationEncoding(payloadType: DSSE.inTotoPayloadType, payload: payload)))
        let message = expectCode(.unknownField) { _ = try OMSSignature(bytes: bundle.encoded(), source: "s.sig") }
        #expect(message.contains("\"comment\""))
    }

    @Test func aSignatureOverAnotherFileNamesThatFile() throws {
        let s = try Setup()
        let other = try s.dir.bytes("q.pave", count: 1000, seed: 99)
        let message = expectCode(.otherFile) { _ = try s.verify(file: other) }
        #expect(message.contains("another file, \"p.pave\""))
        // The same bytes under another name verify (a rename is not a change).
        let copy = s.dir.file("renamed.pave")
        try FileManager.default.copyItem(at: s.file, to: copy)
        _ = try s.verify(file: copy)
    }

    @Test func malformedBundlesAreRefusedWithTheirReason() throws {
        let s = try Setup()
        let notJSON = s.dir.file("garbage.sig")
        try Data("not json".utf8).write(to: notJSON)
        _ = expectCode(.malformedBundle) { _ = try s.verify(signature: notJSON) }
        var object = try s.bundleObject()
        object["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.2+json"
        _ = expectCode(.malformedBundle) { _ = try s.verify(signature: try! s.write(object, "v2.sig")) }
        object = try s.bundleObject()
        object["messageSignature"] = ["messageDigest": ["algorithm": "SHA2_256", "digest": ""], "signature": ""]
        object["dsseEnvelope"] = nil
        _ = expectCode(.unsupported) { _ = try s.verify(signature: try! s.write(object, "msg.sig")) }
        object = try s.bundleObject()
        var envelope = object["dsseEnvelope"] as? [String: Any] ?? [:]
        envelope["payload"] = "@@not base64@@"
        object["dsseEnvelope"] = envelope
        _ = expectCode(.malformedBundle) { _ = try s.verify(signature: try! s.write(object, "b64.sig")) }
    }
}
