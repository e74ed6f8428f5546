import Foundation

/// Where a patch argument of a command (`inspect`, `verify`, `run`, `compose`, `export`, …) points.
public enum PatchLocation {
    /// A file on disk.
    case file(path: String)
    /// An installed patch, served from the store.
    case installed(InstalledPatch, StoredPatchSource)
}

/// Resolves what users type where a patch is expected: a path to a `.pave` file, or an installed
/// `NAME[:VERSION]` (newest version when omitted), or a digest prefix of ≥ 8 hex digits (`sha256:` optional).
///
/// An existing file always wins; an argument containing `/` or ending in `.pave` is always a path. Otherwise
/// the registry at ``layout`` is consulted (it is never created by a lookup). An ambiguous prefix or name is
/// an error listing the candidates.
public struct PatchLocator: Sendable {
    public let layout: StoreLayout

    public init(layout: StoreLayout = .fromEnvironment()) { self.layout = layout }

    /// Whether `argument` must be read as a path.
    public static func looksLikePath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".pave") || FileManager.default.fileExists(atPath: argument)
    }

    /// Resolves `argument` using `registry` when given, else opening the store read-side with `reader`.
    public func locate(_ argument: String, reader: any PatchReader, registry: Registry? = nil) throws -> PatchLocation {
        if Self.looksLikePath(argument) { return .file(path: argument) }
        let store: Registry
        if let registry {
            store = registry
        } else {
            guard FileManager.default.fileExists(atPath: layout.indexURL.path) else {
                throw RegistryError.noSuchPatch(argument, home: layout.home.path)
            }
            store = try Registry(layout: layout, reader: reader)
        }
        let patch: InstalledPatch
        do { patch = try store.resolve(argument) } catch RegistryError.notInstalled {
            throw RegistryError.noSuchPatch(argument, home: store.layout.home.path)
        }
        return .installed(patch, try store.source(for: patch))
    }
}
