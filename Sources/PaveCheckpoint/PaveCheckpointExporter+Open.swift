import Foundation
import PaveFormat
import PaveModel
import PaveTorch

extension PaveCheckpointExporter {
    /// Opens a `.pave` patch: its manifest and lazily decoded tensors (each SHA-256-checked as it is exported).
    public static func openPave(_ url: URL) throws -> (Manifest, [ImportedTensor]) {
        let file = try PaveFile.open(url)
        return (file.manifest, file.entries.map { ImportedTensor(name: $0.name, pave: file, entry: $0) })
    }

    /// Opens a patch exported with ``Format/safetensors`` (manifest in `__metadata__`), tensors read lazily.
    public static func openSafetensorsPatch(_ url: URL) throws -> (Manifest, [ImportedTensor]) {
        let file = try SafetensorsFile(url)
        guard let json = file.metadata[manifestMetadataKey] else {
            throw CheckpointExportError.invalidPatch(reason: "\(url.path) has no \(manifestMetadataKey) in its __metadata__ (not a pavepkg safetensors export)")
        }
        let manifest: Manifest
        do { manifest = try Manifest(jsonBytes: Array(json.utf8)) } catch {
            throw CheckpointExportError.invalidPatch(reason: "\(url.path): \(manifestMetadataKey) is not a JSON object")
        }
        return (manifest, file.entries.map { ImportedTensor(name: $0.name, file: file, entry: $0) })
    }
}
