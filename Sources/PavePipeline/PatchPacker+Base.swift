import PaveFormat
import PaveModel

extension PatchPacker {
    /// Step 4: records the request's base in the manifest's `base` section (pinning its content fingerprint
    /// when the signature has one) and refuses tensors that do not fit it.
    /// - Throws: ``BaseSignatureError`` when the base cannot be loaded, ``BaseCompatibilityError`` listing
    ///   every mismatch.
    static func recordBase(_ plan: inout PackPlan, request: PackRequest) throws {
        guard let base = request.base else { return }
        let signature = try base.load(content: request.pinBaseContent)
        try plan.manifest.setBaseReference(BaseReference(signature: signature))
        let shapes = Dictionary(plan.tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        try BaseCompatibility.require(manifest: plan.manifest, tensorShapes: shapes, against: signature)
    }
}
