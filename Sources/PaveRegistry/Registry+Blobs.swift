import Foundation
import PaveFormat

/// What a remote transfer (`PaveRemote`) needs from the local store: whether a blob is already here, and what a
/// patch file declares about itself.
extension Registry {
    /// The file of the stored blob with this digest, when the store has it with exactly `size` bytes: a pull
    /// copies it instead of downloading it, a push of an installed patch uploads it.
    public func storedBlobURL(_ digest: Digest, size: Int) -> URL? {
        guard let found = try? blobs.size(of: digest.hex), found == size, let url = try? layout.blobURL(digest.hex) else { return nil }
        return url
    }
}

extension PatchImage {
    /// The patch's name, version and base / side channel / LoRA summary as the index would record them
    /// (``InstalledPatch/installedAt`` is empty: the patch is not installed).
    /// - Throws: ``RegistryError`` when the manifest lacks a valid name or version.
    public func summary() throws(RegistryError) -> InstalledPatch {
        let meta = try PatchMetadata(manifest: manifest, path: path)
        return InstalledPatch(name: meta.name, version: meta.version, digest: digest, size: size, description: meta.description,
                              tags: meta.tags, baseSignature: meta.baseSignature, baseModel: meta.baseModel,
                              sideChannel: meta.sideChannelKind, sideChannelEncoder: meta.sideChannelEncoder,
                              loraRank: meta.loraRank, loraModules: meta.loraModules, created: meta.created, installedAt: "")
    }
}

extension InstalledPatch {
    init(name: String, version: String, digest: String, size: Int, description: String, tags: [String], baseSignature: String?,
         baseModel: String?, sideChannel: String?, sideChannelEncoder: String?, loraRank: Int?, loraModules: [String],
         created: String?, installedAt: String) {
        self.name = name; self.version = version; self.digest = digest; self.size = size; self.description = description
        self.tags = tags; self.baseSignature = baseSignature; self.baseModel = baseModel; self.sideChannel = sideChannel
        self.sideChannelEncoder = sideChannelEncoder; self.loraRank = loraRank; self.loraModules = loraModules
        self.created = created; self.installedAt = installedAt
    }

    /// Whether `wanted` (a structural signature, a prefix of ≥ 8 hex digits of it, or a model name) names this
    /// patch's declared base: the rule `install --base NAME` applies.
    public func declaresBase(_ wanted: String) -> Bool {
        PatchMetadata.matches(wanted, signature: baseSignature, model: baseModel)
    }

    /// The same rule for a base given by its structural signature and model name.
    public static func baseMatches(_ wanted: String, signature: String?, model: String?) -> Bool {
        PatchMetadata.matches(wanted, signature: signature, model: model)
    }
}
