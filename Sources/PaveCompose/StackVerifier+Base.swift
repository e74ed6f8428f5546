import PaveFormat
import PaveModel

extension StackVerifier {
    /// `verify STACK.pave --base SIG|MODEL`: every member (and the merged adapter) against that base, with the
    /// signature helper's ``BaseCompatibility/check(manifest:tensorShapes:against:)``. Returns one entry per
    /// checked part, its label and its mismatches (empty = fits).
    public static func baseMismatches(_ stack: PatchStack, against base: BaseSignature) -> [(label: String, mismatches: [BaseMismatch])] {
        var out: [(label: String, mismatches: [BaseMismatch])] = []
        for m in stack.members {
            var manifest = m.manifest
            if m.loraMerged { manifest[ManifestKey.lora] = nil }   // its factors are not stored any more
            let shapes = Dictionary(m.tensors.tensorInfos.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
            out.append(("member \(m.name)", BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: base)))
        }
        if let own = stack.ownLoRA {
            var manifest = Manifest(fields: [:])
            try? manifest.encode(own.config, forKey: ManifestKey.lora)
            var shapes: [String: [Int]] = [:]
            for module in own.config.targetModules {
                let (a, b) = own.config.tensorNames(module: module)
                shapes[a] = own.tensors.tensorInfo(a)?.shape
                shapes[b] = own.tensors.tensorInfo(b)?.shape
            }
            out.append(("merged adapter", BaseCompatibility.check(manifest: manifest, tensorShapes: shapes, against: base)))
        }
        return out
    }
}
