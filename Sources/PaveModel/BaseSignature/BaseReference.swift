import Foundation
import PaveFormat

/// The manifest's `base` section: which base model a patch was made for.
///
/// `structural_signature` pins the exact architecture and tensor layout, `content_fingerprint` (optional)
/// the exact weights; `architecture` is the summary the shape checks need when no signature is at hand.
/// A reference derived from a PAVE checkpoint's `config.json` has an architecture but no signature (see
/// ``init(fromPaveConfig:path:)``).
public struct BaseReference: Codable, Sendable, Equatable, Hashable {
    /// Where the reference came from.
    public enum Source: String, Codable, Sendable {
        /// Computed from the model directory or read from a signature file (`pack --base`).
        case signature
        /// Derived from the base config a PAVE checkpoint carries (import); no signature.
        case paveConfig = "pave_config"
    }

    /// The base model's name (`lmms-lab/llava-onevision-qwen2-7b-ov`).
    public var name: String
    /// `"sha256:<64 hex>"`, when pinned.
    public var structuralSignature: String?
    /// `"sha256:<64 hex>"`, when pinned to exact weights.
    public var contentFingerprint: String?
    /// The architecture summary.
    public var architecture: BaseArchitecture?
    public var source: Source

    enum CodingKeys: String, CodingKey {
        case name, architecture, source
        case structuralSignature = "structural_signature", contentFingerprint = "content_fingerprint"
    }

    public init(name: String, structuralSignature: String? = nil, contentFingerprint: String? = nil, architecture: BaseArchitecture?, source: Source) {
        self.name = name; self.structuralSignature = structuralSignature; self.contentFingerprint = contentFingerprint
        self.architecture = architecture; self.source = source
    }

    /// A reference pinning `signature`'s structural signature, and its content fingerprint when it has one and
    /// `pinContent` is set.
    public init(signature: BaseSignature, pinContent: Bool = true) {
        self.init(
            name: signature.name, structuralSignature: signature.structuralSignature,
            contentFingerprint: pinContent ? signature.contentFingerprint : nil,
            architecture: signature.description.architecture, source: .signature)
    }

    /// The base named by a PAVE training checkpoint's `config.json` (PAVE_FORWARD.md §8: the base model's
    /// full config saved as a `PAVEQwen2Config`).
    ///
    /// The name is `_name_or_path` when it is a hub id, else `fallbackName`. The architecture is read from the
    /// config's fields, so the LoRA and fusion widths can be checked against it; what cannot be known without the
    /// real model: tensor dtypes, whether each layer has biases, the exact tensor names, hence no structural
    /// signature and no content fingerprint (``structuralSignature`` stays `nil`).
    ///
    /// - Throws: ``BaseSignatureError`` when a required field is missing or mistyped.
    public init(fromPaveConfig config: JSONValue, path: String, fallbackName: String = "unknown") throws(BaseSignatureError) {
        let architecture = try BaseArchitecture(config: config, path: path)
        var name = fallbackName
        if let n = config["_name_or_path"]?.stringValue, BaseSignature.isHubID(n) { name = n }
        self.init(name: name, architecture: architecture, source: .paveConfig)
    }

    /// Reads `config.json` at `url` and derives the reference (see ``init(fromPaveConfig:path:fallbackName:)``).
    public init(paveConfigAt url: URL, fallbackName: String = "unknown") throws(BaseSignatureError) {
        try self.init(fromPaveConfig: ModelDirectory.readJSON(url), path: url.path, fallbackName: fallbackName)
    }

    /// For the checkpoint importer: the base a PAVE training checkpoint names, from its `config.json` and (for
    /// the name) `adapter_config.json`'s `base_model_name_or_path`. The name is the first hub id (`owner/name`)
    /// among config `_name_or_path` and the adapter's `base_model_name_or_path`, else the first non-empty one,
    /// else `"unknown"`. Returns `nil` and a note (for the import report) when the config lacks the fields the
    /// architecture needs; importing goes on without a `base` section then.
    public static func fromPaveCheckpoint(
        config: [String: JSONValue], adapterConfig: [String: JSONValue]?, configPath: String = "config.json"
    ) -> (reference: BaseReference?, note: String?) {
        let names = [config["_name_or_path"]?.stringValue, adapterConfig?["base_model_name_or_path"]?.stringValue]
            .compactMap { $0 }.filter { !$0.isEmpty }
        let name = names.first(where: BaseSignature.isHubID) ?? names.first ?? "unknown"
        do {
            return (try BaseReference(fromPaveConfig: .object(config), path: configPath, fallbackName: name), nil)
        } catch {
            return (nil, "no base section recorded: \(error.description)")
        }
    }

    /// Whether `s` is `"sha256:"` followed by 64 lowercase hex digits.
    public static func isDigest(_ s: String) -> Bool { Digest.isValid(s) }

    /// Problems with the section itself (bad digests, empty name), as messages naming the field.
    public var problems: [String] {
        var out: [String] = []
        if name.isEmpty { out.append("base.name is empty") }
        if let s = structuralSignature, !Self.isDigest(s) { out.append("base.structural_signature \"\(s)\" is not \"sha256:\" and 64 lowercase hex digits") }
        if let s = contentFingerprint, !Self.isDigest(s) { out.append("base.content_fingerprint \"\(s)\" is not \"sha256:\" and 64 lowercase hex digits") }
        if contentFingerprint != nil, structuralSignature == nil { out.append("base.content_fingerprint is set without base.structural_signature") }
        return out
    }
}

extension Manifest {
    /// The `base` section, `nil` when absent.
    ///
    /// - Throws: a decoding error naming the field when the section is malformed.
    public func baseReference() throws -> BaseReference? { try decode(BaseReference.self, forKey: ManifestKey.base) }

    /// Sets (or with `nil` removes) the `base` section.
    public mutating func setBaseReference(_ reference: BaseReference?) throws { try encode(reference, forKey: ManifestKey.base) }
}
