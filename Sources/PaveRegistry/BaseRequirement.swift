import PaveFormat
import PaveModel

/// What `install --base` / `list --base` ask for: a base-model signature (checked in full with
/// ``BaseCompatibility``: pinned signature, LoRA target shapes, fusion widths), or a string naming the base
/// (its model name, its structural signature or a prefix of ≥ 8 hex digits of it).
public enum BaseRequirement: Sendable {
    case signature(BaseSignature)
    case named(String)

    /// The signature to verify patches against (the reader checks it), for ``signature(_:)``.
    public var signature: BaseSignature? {
        if case let .signature(sig) = self { return sig }
        return nil
    }

    /// For ``named(_:)``: throws unless the patch's declared base is the one named. (A ``signature(_:)`` is
    /// checked in full by the reader, with the rest of the verification.)
    func checkName(_ image: PatchImage, meta: PatchMetadata) throws {
        guard case let .named(wanted) = self, !meta.matchesBase(wanted) else { return }
        let declared = [meta.baseModel, meta.baseSignature].compactMap { $0 }.joined(separator: " / ")
        throw RegistryError.baseMismatch(file: image.path, wanted: wanted, patchBase: declared.isEmpty ? "(no base declared)" : declared)
    }

    /// The string `list --base` filters on.
    public var filterText: String {
        switch self {
        case let .signature(sig): return sig.structuralSignature
        case let .named(s): return s
        }
    }
}
