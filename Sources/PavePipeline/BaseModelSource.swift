import Foundation
import PaveModel

/// The base model a patch is checked against or recorded for: a signature already loaded, or a signature
/// file / model directory on disk, loaded when needed.
public enum BaseModelSource: Sendable {
    /// A loaded signature (``BaseSignature``).
    case signature(BaseSignature)
    /// A signature file written by ``BaseSignature/write(to:)`` or a model directory (`config.json` and
    /// safetensors). A model directory's content fingerprint is computed only when it is asked for.
    case location(URL)

    /// The signature; `content` computes a model directory's content fingerprint (reads the covered tensors).
    /// - Throws: ``BaseSignatureError`` when the file or directory cannot be read or is not a signature / model.
    public func load(content: Bool) throws -> BaseSignature {
        switch self {
        case let .signature(signature): return signature
        case let .location(url): return try BaseSignature.load(signatureOrModel: url, content: content)
        }
    }
}
