import Foundation
import PaveFormat

/// Makes OMS signatures (Sigstore bundle v0.3, DSSE, in-toto statement) over single files, as
/// `model_signing sign key FILE` does: one resource named `"."`, the subject named after the file.
public enum PatchSigner {
    /// The bundle bytes signing a file whose SHA-256 is already known (the registry, a pipeline that just
    /// hashed it): nothing is re-read.
    /// - Parameters:
    ///   - fileName: the subject name (the file's last path component).
    ///   - digest: SHA-256 of the file's bytes.
    public static func sign(fileName: String, digest: PaveFormat.Digest, key: SigningKey) throws(SigningError) -> [UInt8] {
        let payload = OMSStatement.singleFile(name: fileName, digest: digest).encoded()
        let pae = DSSE.preAuthenticationEncoding(payloadType: DSSE.inTotoPayloadType, payload: payload)
        let signature = try key.signature(for: pae)
        return OMSBundle(keyHint: key.publicKey.keyID, payload: payload, signature: signature).encoded()
    }

    /// The bundle bytes signing the file at `url`, hashed in bounded memory (``FileHasher``); `knownDigest`
    /// skips the hashing when the caller has it already.
    public static func sign(fileAt url: URL, key: SigningKey, knownDigest: PaveFormat.Digest? = nil) throws(SigningError) -> [UInt8] {
        let digest: PaveFormat.Digest
        if let knownDigest { digest = knownDigest } else { digest = try FileHasher.sha256(of: url).digest }
        return try sign(fileName: url.lastPathComponent, digest: digest, key: key)
    }

    /// Writes `bundle` to `url` atomically.
    public static func write(_ bundle: [UInt8], to url: URL) throws(SigningError) {
        do { try AtomicFileWriter.write(Data(bundle), to: url) } catch {
            throw SigningError(.io, "cannot write the signature \(url.path): \(error)")
        }
    }
}
