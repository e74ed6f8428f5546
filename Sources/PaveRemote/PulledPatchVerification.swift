import Foundation
import PaveFormat
import PaveRegistry

/// The one place a pulled patch is verified (and installed): exactly what `install` does — the registry's reader,
/// i.e. `PatchVerifier` with the full policy (container, hashes, semantics, reference vectors, a composed file's
/// members) and the base signature, then the registry's `--base` name rule.
enum PulledPatchVerification {
    /// Verifies and installs the reassembled file at `path` (nothing is installed unless it fully verifies).
    static func install(_ path: String, into registry: Registry, base: BaseRequirement?) throws -> InstallResult {
        guard let result = try registry.install(paths: [path], base: base).first else {
            throw RemoteError.io(path: path, operation: "install", reason: "the registry reported no result")
        }
        return result
    }

    /// Verifies the reassembled file at `path` without installing it (`pull -o FILE`).
    static func verify(_ path: String, reader: any PatchReader, base: BaseRequirement?) throws {
        let image = try reader.verifiedImage(ofFileAt: path, base: base?.signature)
        switch base {
        case nil, .signature?: return  // a signature was checked by the reader
        case let .named(wanted)?:
            let summary = try image.summary()
            guard summary.declaresBase(wanted) else {
                let declared = [summary.baseModel, summary.baseSignature].compactMap { $0 }.joined(separator: " / ")
                throw RegistryError.baseMismatch(file: path, wanted: wanted, patchBase: declared.isEmpty ? "(no base declared)" : declared)
            }
        }
    }
}
