import PaveFormat
import PaveModel

/// The index columns derived from a manifest. Reads the JSON directly so that a section this version
/// cannot fully decode still yields what it can.
struct PatchMetadata: Sendable, Equatable {
    var name: String
    var version: String
    var description: String
    var tags: [String]
    var baseSignature: String?
    var baseModel: String?
    var sideChannelKind: String?
    var sideChannelEncoder: String?
    var loraRank: Int?
    var loraModules: [String]
    var created: String?

    init(manifest: Manifest, path: String) throws(RegistryError) {
        guard let name = manifest.name else { throw .unsupportedPatch(file: path, reason: "the manifest has no \"name\"") }
        guard let version = manifest.version else { throw .unsupportedPatch(file: path, reason: "the manifest has no \"version\"") }
        try PatchName.validate(name: name)
        try PatchName.validate(version: version)
        self.name = name
        self.version = version
        description = manifest.description ?? ""
        tags = manifest.tags
        created = manifest.created
        (baseSignature, baseModel) = Self.base(manifest[ManifestKey.base])
        let side = manifest[ManifestKey.sideChannel]
        sideChannelKind = side?["kind"]?.stringValue
        sideChannelEncoder = side?["encoder"]?.stringValue
        let lora = manifest[ManifestKey.lora]
        loraRank = lora?["r"]?.intValue
        loraModules = lora?["target_modules"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The base-model signature and model name of a `base` section (``BaseReference``: `structural_signature`,
    /// `name`); also accepts a bare string (a `sha256:` signature or a model name).
    static func base(_ value: JSONValue?) -> (signature: String?, model: String?) {
        guard let value else { return (nil, nil) }
        if let s = value.stringValue { return s.hasPrefix(Digest.algorithmPrefix) ? (s, nil) : (nil, s) }
        func first(_ keys: [String]) -> String? {
            for k in keys { if let s = value[k]?.stringValue, !s.isEmpty { return s } }
            return nil
        }
        return (first(["structural_signature", "signature"]), first(["name", "model"]))
    }

    /// Whether `wanted` (a signature, a signature prefix of ≥ 8 hex digits, or a model name) names this base.
    func matchesBase(_ wanted: String) -> Bool {
        Self.matches(wanted, signature: baseSignature, model: baseModel)
    }

    static func matches(_ wanted: String, signature: String?, model: String?) -> Bool {
        if let model, model.lowercased() == wanted.lowercased() { return true }
        guard let signature else { return false }
        if signature == wanted { return true }
        let hex = signature.hasPrefix(Digest.algorithmPrefix) ? String(signature.dropFirst(Digest.algorithmPrefix.count)) : signature
        let w = wanted.hasPrefix(Digest.algorithmPrefix) ? String(wanted.dropFirst(Digest.algorithmPrefix.count)) : wanted
        return w.count >= PatchReference.minimumDigestPrefix && hex.hasPrefix(w.lowercased())
    }
}
