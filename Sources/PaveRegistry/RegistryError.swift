import PaveFormat

/// Everything that can go wrong in the local registry. Each case names the store path, patch or reference
/// involved and what was expected.
public enum RegistryError: PaveError, Equatable {
    /// An SQLite call failed: the database file, what was being done, the (extended) result code, SQLite's message.
    case database(path: String, operation: String, code: Int32, message: String)
    /// A patch name is not acceptable (empty, too long, a path separator, `..`, a control character …).
    case invalidName(String, reason: String)
    /// A version string is not acceptable.
    case invalidVersion(String, reason: String)
    /// A reference (`NAME[:VERSION]`, digest prefix or path) cannot be parsed.
    case invalidReference(String, reason: String)
    /// Nothing installed matches the reference.
    case notInstalled(String)
    /// A patch argument is neither an existing file nor an installed patch.
    case noSuchPatch(String, home: String)
    /// A digest prefix or name matches several installed patches.
    case ambiguousReference(String, candidates: [String])
    /// `name:version` is already installed with different content.
    case versionConflict(name: String, version: String, installed: String, offered: String)
    /// `install --base` was given and the patch is for another base model.
    case baseMismatch(file: String, wanted: String, patchBase: String)
    /// A file system operation on the store failed.
    case io(path: String, operation: String, reason: String)
    /// The store's content does not match its index (missing or damaged blob, bad recipe).
    case corruptStore(path: String, reason: String)
    /// The index was written by a newer pavepkg.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// A path computed for the store would leave `PAVE_HOME`.
    case outsideHome(path: String, home: String)
    /// Verification of the patch file failed (`install` verifies first); every problem found.
    case patchDamaged(file: String, problems: [String])
    /// The patch file cannot be installed as it is (no name, no digest, a region outside the file …).
    case unsupportedPatch(file: String, reason: String)

    public var code: String {
        switch self {
        case .database: return "registry.database"
        case .invalidName: return "registry.invalid_name"
        case .invalidVersion: return "registry.invalid_version"
        case .invalidReference: return "registry.invalid_reference"
        case .notInstalled: return "registry.not_installed"
        case .noSuchPatch: return "registry.no_such_patch"
        case .ambiguousReference: return "registry.ambiguous_reference"
        case .versionConflict: return "registry.version_conflict"
        case .baseMismatch: return "registry.base_mismatch"
        case .io: return "registry.io"
        case .corruptStore: return "registry.corrupt_store"
        case .schemaTooNew: return "registry.schema_too_new"
        case .outsideHome: return "registry.outside_home"
        case .unsupportedPatch: return "registry.unsupported_patch"
        case .patchDamaged: return "registry.patch_damaged"
        }
    }

    public var category: PaveErrorCategory {
        switch self {
        case .database, .io, .schemaTooNew: return .io
        case .notInstalled, .noSuchPatch, .ambiguousReference, .invalidReference: return .usage
        case .baseMismatch, .corruptStore, .patchDamaged: return .checkFailed
        case .invalidName, .invalidVersion, .versionConflict, .outsideHome, .unsupportedPatch: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case let .database(path, operation, code, message):
            return "index \(path): \(operation) failed (SQLite code \(code)): \(message)"
        case let .invalidName(name, reason):
            return "invalid patch name \(quoted(name)): \(reason)"
        case let .invalidVersion(version, reason):
            return "invalid patch version \(quoted(version)): \(reason)"
        case let .invalidReference(reference, reason):
            return "invalid patch reference \(quoted(reference)): \(reason)"
        case let .notInstalled(reference):
            return "no installed patch matches \(quoted(reference)) (see `pavepkg list`)"
        case let .noSuchPatch(argument, home):
            return "no file \(quoted(argument)) and no patch installed under that name or digest in \(home)"
        case let .ambiguousReference(reference, candidates):
            return "\(quoted(reference)) is ambiguous; it matches: \(candidates.joined(separator: ", "))"
        case let .versionConflict(name, version, installed, offered):
            return "\(name):\(version) is already installed as \(installed); the offered file is \(offered) (bump the version or `pavepkg remove \(name):\(version)` first)"
        case let .baseMismatch(file, wanted, patchBase):
            return "\(file) is for base \(patchBase), not \(wanted)"
        case let .io(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case let .corruptStore(path, reason):
            return "store damaged at \(path): \(reason) (run `pavepkg doctor`)"
        case let .schemaTooNew(path, found, supported):
            return "index \(path) has schema version \(found); this pavepkg understands up to \(supported)"
        case let .outsideHome(path, home):
            return "refusing to touch \(path): outside PAVE_HOME \(home)"
        case let .patchDamaged(file, problems):
            return "\(file) failed verification, not installed: " + problems.joined(separator: "; ")
        case let .unsupportedPatch(file, reason):
            return "cannot install \(file): \(reason)"
        }
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }
}
