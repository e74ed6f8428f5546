import PaveFormat
import PaveModel

/// What `install --base` / `list --base` ask for: a base-model signature (checked in full with
/// ``BaseCompatibility``: pinned signature, LoRA target shapes, fusion widths), or a string naming the base
/// (its model name, its structural signature or a prefix of ≥ 8 hex digits of it).
public enum BaseRequirement: Sendable {
    case signature(BaseSignature)
    case named(String)

    /// Throws unless the patch (manifest and tensor shapes) is for this base.
    func check(_ image: PatchImage, meta: PatchMetadata) throws {
        switch self {
        case let .signature(sig):
            try BaseCompatibility.require(manifest: image.manifest, tensorShapes: image.tensorShapes, against: sig)
        case let .named(wanted):
            guard meta.matchesBase(wanted) else {
                let declared = [meta.baseModel, meta.baseSignature].compactMap { $0 }.joined(separator: " / ")
                throw RegistryError.baseMismatch(file: image.path, wanted: wanted, patchBase: declared.isEmpty ? "(no base declared)" : declared)
            }
        }
    }

    /// The string `list --base` filters on.
    public var filterText: String {
        switch self {
        case let .signature(sig): return sig.structuralSignature
        case let .named(s): return s
        }
    }
}
