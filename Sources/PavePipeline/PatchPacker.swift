import Foundation
import PaveFormat

/// The one call that packs a patch: safetensors files or a PAVE checkpoint, plus manifest fields and typed
/// options, into a `.pave` written atomically (temporary file, fsync, rename: nothing half-written).
///
/// The steps, in order:
/// 1. ``gather(_:output:)``: the tensors and the manifest (checkpoint import, manifest-file fields, name,
///    version, created, tool);
/// 2. the manifest's basics (``PackPlan/validate()``) and the options, before any heavy work;
/// 3. ``addPatchSemantics(_:request:)``: a PAVE patch's tensors against its declared semantics, and its
///    reference vectors (the user's, checked now, or a seeded self-check);
/// 4. ``recordBase(_:request:)``: the `base` section, refusing tensors that do not fit that base;
/// 5. the write. The same request gives byte-identical files, whatever the thread count. A zipped checkpoint's
///    adapter is still inflating while steps 3–5 read it (``CheckpointImportOptions/streamAdapter``); its
///    SHA-256 enters the manifest when the writer has read every tensor.
///
/// `pavepkg pack` is this call; so is every other tool that packs.
public enum PatchPacker {
    /// Packs `request` into `url`.
    /// - Throws: ``SafetensorsError`` / ``PaveFormatError`` for unreadable or invalid inputs and manifests,
    ///   checkpoint import errors, ``PatchSemanticsError`` naming a missing / extra / wrong-shape tensor,
    ///   ``ReferenceVectorError`` when the executor does not reproduce the expected outputs,
    ///   ``BaseCompatibilityError`` when the tensors do not fit the base. Nothing is written then.
    @discardableResult
    public static func pack(_ request: PackRequest, to url: URL) throws -> PackResult {
        let gathered = try gather(request, output: url)
        do {
            var plan = PackPlan(manifest: gathered.manifest, tensors: gathered.tensors, options: request.options)
            plan.deferred = gathered.checkpoint?.deferred
            if let progress = request.progress { plan.options.progress = { done, total in progress("packing", done, total) } }
            try plan.options.validate()
            try plan.validate()
            try addPatchSemantics(&plan, request: request)
            try recordBase(&plan, request: request)
            let summary = try withExtendedLifetime(gathered.checkpoint) { try plan.write(to: url) }
            return PackResult(summary: summary, notes: gathered.notes)
        } catch {
            // A damaged zipped adapter read while it inflates: report the zip's own error, not the failed read.
            throw gathered.checkpoint?.extractionError ?? error
        }
    }
}
