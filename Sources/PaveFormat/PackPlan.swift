import Foundation

/// Everything a pack will write: the manifest, the tensors and the options. ``write(to:)`` checks the
/// manifest's basics (``validate()``) and writes the `.pave` atomically. The whole job — inputs, manifest
/// fields, patch semantics, reference vectors, base model — is `PatchPacker` (PavePipeline); a plan is its
/// last step, and what tools that already hold tensors and a manifest use directly.
///
/// ```swift
/// var plan = PackPlan(manifest: Manifest(name: "demo", version: "1.0.0"))
/// try plan.addSafetensors([URL(fileURLWithPath: "weights.safetensors")])
/// let summary = try plan.write(to: URL(fileURLWithPath: "demo.pave"))
/// ```
public struct PackPlan: Sendable {
    /// The manifest to write (`format_version` is set by the writer).
    public var manifest: Manifest
    /// Tensors in any order (the file stores them sorted by name bytes); names must be unique.
    public var tensors: [any TensorSource]
    /// Compression level, chunk size, threads, progress.
    public var options: PackOptions
    /// Manifest values computed while the tensors are read (a checkpoint still being extracted); nil when none.
    public var deferred: DeferredManifestValues?

    public init(manifest: Manifest, tensors: [any TensorSource] = [], options: PackOptions = PackOptions()) {
        self.manifest = manifest
        self.tensors = tensors
        self.options = options
    }

    /// The tensor named `name`, if the plan has one.
    public func tensor(_ name: String) -> (any TensorSource)? { tensors.first { $0.name == name } }

    /// Checks the manifest's top-level fields with ``ManifestRules/validateFields(_:path:offset:)`` (the rules
    /// `verify` applies to a stored manifest): `name` follows ``PatchNameRule``, `version` is a semantic version,
    /// `description` / `license` / `created` / `tool` are strings, `authors` / `tags` arrays of strings, `created`
    /// an RFC 3339 timestamp.
    /// - Throws: ``PaveFormatError/invalidManifest(path:offset:reason:)`` or
    ///   ``PaveFormatError/invalidPatchName(name:reason:)`` naming the field.
    public func validate() throws {
        try ManifestRules.validateFields(manifest, path: "(manifest)", offset: 0)
    }

    /// Validates the options and the manifest, then writes the `.pave` atomically.
    @discardableResult
    public func write(to url: URL) throws -> PackSummary {
        try options.validate()
        try validate()
        return try PaveWriter.write(manifest: manifest, tensors: tensors, to: url, options: options, deferred: deferred)
    }
}

/// Semantic versions (semver.org 2.0.0).
public enum SemanticVersion {
    /// Whether `s` is `MAJOR.MINOR.PATCH` with optional `-prerelease` and `+build`.
    public static func isValid(_ s: String) -> Bool {
        var core = Substring(s)
        if let plus = core.firstIndex(of: "+") {
            let build = core[core.index(after: plus)...]
            guard identifiersValid(build, numericRule: false) else { return false }
            core = core[..<plus]
        }
        if let dash = core.firstIndex(of: "-") {
            let pre = core[core.index(after: dash)...]
            guard identifiersValid(pre, numericRule: true) else { return false }
            core = core[..<dash]
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { p in
            !p.isEmpty && p.allSatisfy(\.isASCIIDigit) && (p == "0" || p.first != "0")
        }
    }

    private static func identifiersValid(_ s: Substring, numericRule: Bool) -> Bool {
        let ids = s.split(separator: ".", omittingEmptySubsequences: false)
        return !ids.isEmpty && ids.allSatisfy { id in
            guard !id.isEmpty, id.allSatisfy({ $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }) else { return false }
            if numericRule, id.allSatisfy(\.isASCIIDigit), id.count > 1, id.first == "0" { return false }
            return true
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
