import FuzzSupport
import PaveKit

/// Manifest and patch-semantics JSON: the strict JSON parser, the manifest schema rules, the patch
/// semantics (fusion, lora, side channel, reference vectors), the base reference and a composed stack's
/// member records; finally the canonical re-encoding must parse back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    guard let manifest = try? Manifest(jsonBytes: bytes) else { return 0 }
    _ = try? ManifestRules.validateStored(manifest, major: 1, path: "(fuzz)", offset: 0)
    if let spec = try? PatchSpec(manifest: manifest) { _ = spec.isPAVEPatch }
    _ = try? manifest.decode(BaseReference.self, forKey: ManifestKey.base)
    _ = try? manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members)
    _ = try? manifest.decode(LoRAMergeRecord.self, forKey: ComposeManifestKey.loraMerge)
    _ = MemberTree.text(manifest)  // inspect's member tree
    // The same bytes as a base-signature file (`pavepkg signature` output, `--base FILE`).
    _ = try? BaseSignature(json: .object(manifest.fields), path: "(fuzz)")
    let canonical = manifest.canonicalData()
    guard let again = try? Manifest(jsonBytes: Array(canonical)), again == manifest else {
        fatalError("canonical manifest bytes do not parse back to the same value")
    }
    return 0
}
