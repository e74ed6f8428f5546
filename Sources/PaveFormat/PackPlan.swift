import Foundation

/// Everything `pavepkg pack` will write: the manifest, the tensors and the options, plus the checks that must
/// pass first. Commands build a plan, let each layer add its checks (manifest semantics, reference vectors,
/// base signatures, …), then call ``write(to:)``.
///
/// ```swift
/// var plan = PackPlan(manifest: Manifest(name: "demo", version: "1.0.0"))
/// try plan.addSafetensors([URL(fileURLWithPath: "weights.safetensors")])
/// plan.checks.append(PackCheck(name: "fusion") { plan in /* validate plan.manifest["fusion"] */ })
/// let summary = try plan.write(to: URL(fileURLWithPath: "demo.pave"))
/// ```
public struct PackPlan: Sendable {
    /// The manifest to write (`format_version` is set by the writer).
    public var manifest: Manifest
    /// Tensors in any order (the file stores them sorted by name bytes); names must be unique.
    public var tensors: [any TensorSource]
    /// Compression level, chunk size, threads, progress.
    public var options: PackOptions
    /// Run in order by ``validate()`` before anything is written; the first error stops the pack.
    public var checks: [PackCheck]

    /// A plan with ``PackCheck/manifestBasics`` as its only check.
    public init(manifest: Manifest, tensors: [any TensorSource] = [], options: PackOptions = PackOptions()) {
        self.manifest = manifest
        self.tensors = tensors
        self.options = options
        checks = [PackCheck.manifestBasics]
    }

    /// The tensor named `name`, if the plan has one.
    public func tensor(_ name: String) -> (any TensorSource)? { tensors.first { $0.name == name } }

    /// Runs every check in ``checks``.
    public func validate() throws {
        for check in checks { try check.run(self) }
    }

    /// Validates, then writes the `.pave` atomically.
    @discardableResult
    public func write(to url: URL) throws -> PackSummary {
        try validate()
        return try PaveWriter.write(manifest: manifest, tensors: tensors, to: url, options: options)
    }
}

/// A named check a ``PackPlan`` runs before writing.
public struct PackCheck: Sendable {
    /// Stable dotted name, e.g. `"manifest.basics"`.
    public var name: String
    /// Throws (preferably a ``PaveError``) when the plan must not be written.
    public var run: @Sendable (PackPlan) throws -> Void

    public init(name: String, run: @escaping @Sendable (PackPlan) throws -> Void) {
        self.name = name
        self.run = run
    }

    /// The manifest's top-level fields follow ``ManifestRules/validateFields(_:path:offset:)``.
    public static let manifestBasics = PackCheck(name: "manifest.basics") { plan in
        try ManifestRules.validateFields(plan.manifest, path: "(manifest)", offset: 0)
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
