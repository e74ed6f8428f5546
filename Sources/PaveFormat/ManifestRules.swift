/// The rules of `spec/manifest.schema.json` for the top-level manifest fields, checked in one place so that
/// `pack` (before writing) and `verify` (on a stored manifest) refuse the same manifests.
public enum ManifestRules {
    /// Checks a manifest about to be written: `name` (``PatchNameRule``), `version` (semantic version), the
    /// types of `description`, `license`, `created`, `tool`, `authors`, `tags`, and `created` as RFC 3339.
    /// `format_version` is not required: the writer sets it.
    /// - Throws: ``PaveFormatError/invalidManifest(path:offset:reason:)`` or
    ///   ``PaveFormatError/invalidPatchName(name:reason:)``.
    public static func validateFields(_ m: Manifest, path: String, offset: Int) throws(PaveFormatError) {
        guard let nameValue = m["name"] else { throw .invalidManifest(path: path, offset: offset, reason: "\"name\" is missing") }
        guard let name = nameValue.stringValue else { throw .invalidManifest(path: path, offset: offset, reason: "\"name\" must be a string") }
        try PatchNameRule.validate(name)
        guard let versionValue = m["version"] else { throw .invalidManifest(path: path, offset: offset, reason: "\"version\" is missing") }
        guard let version = versionValue.stringValue, SemanticVersion.isValid(version) else {
            let shown = String(decoding: versionValue.canonicalData(), as: UTF8.self)
            throw .invalidManifest(path: path, offset: offset,
                                   reason: "\"version\" must be a semantic version like 1.0.0 (got \(shown.count > 60 ? String(shown.prefix(60)) + "…" : shown))")
        }
        for key in ["description", "license", "created", "tool"] {
            if let v = m[key], v.stringValue == nil {
                throw .invalidManifest(path: path, offset: offset, reason: "\"\(key)\" must be a string")
            }
        }
        for key in ["authors", "tags"] {
            if let v = m[key], v.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
                throw .invalidManifest(path: path, offset: offset, reason: "\"\(key)\" must be an array of strings")
            }
        }
        if let created = m.created, RFC3339.parse(created) == nil {
            throw .invalidManifest(path: path, offset: offset, reason: "\"created\" must be an RFC 3339 timestamp (got \"\(created)\")")
        }
    }

    /// Checks a manifest read from a `.pave`: everything ``validateFields(_:path:offset:)`` checks, plus a
    /// `format_version` string `"<major>.<minor>"` (ASCII digits) whose major is `major`.
    public static func validateStored(_ m: Manifest, major: Int, path: String, offset: Int) throws(PaveFormatError) {
        guard let fv = m["format_version"] else { throw .invalidManifest(path: path, offset: offset, reason: "\"format_version\" is missing") }
        let parts = fv.stringValue?.split(separator: ".", omittingEmptySubsequences: false) ?? []
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            throw .invalidManifest(path: path, offset: offset, reason: "format_version must be a \"major.minor\" string of ASCII digits")
        }
        guard Int(parts[0]) == major else {
            throw .invalidManifest(path: path, offset: offset, reason: "format_version \"\(fv.stringValue ?? "")\" disagrees with the header's major version \(major)")
        }
        try validateFields(m, path: path, offset: offset)
    }
}
