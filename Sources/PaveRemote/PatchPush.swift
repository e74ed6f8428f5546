import Foundation
import PaveFormat
import PaveRegistry

/// What `push` did.
public struct PushReport: Codable, Sendable, Equatable {
    /// `registry/repository:tag`.
    public var reference: String
    /// The manifest digest (pull by `@<digest>`).
    public var digest: String
    public var name: String
    public var version: String
    public var patchDigest: String
    public var size: Int
    /// Distinct blobs of the artifact (config included) and what happened to them.
    public var blobs: Int
    public var uploaded: Int
    public var mounted: Int
    public var existing: Int
    /// Blob bytes sent over the network (manifest not counted).
    public var bytesSent: Int

    enum CodingKeys: String, CodingKey {
        case reference, digest, name, version, size, blobs, uploaded, mounted, existing
        case patchDigest = "patch_digest", bytesSent = "bytes_sent"
    }
}

/// Pushes patches to an OCI registry (spec/oci-artifact.md): each blob is checked with `HEAD`, mounted from
/// another repository when one is known to hold it, and uploaded only otherwise, several at once; then the
/// manifest is put under the tag.
public struct PatchPusher: Sendable {
    public var client: RegistryClient
    /// Where blobs were seen before (for cross-repository mounts); `nil` for none.
    public var hints: BlobLocationHints?
    /// Blob transfers at once.
    public var parallelism: Int

    public init(client: RegistryClient, hints: BlobLocationHints?, parallelism: Int = 4) {
        self.client = client; self.hints = hints; self.parallelism = max(1, parallelism)
    }

    /// Pushes `source` to `reference` (the tag defaults to the patch version).
    /// - Parameter progress: `(bytes sent, bytes to consider)`, from any thread.
    public func push(_ source: PushSource, to reference: RemoteReference,
                     progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> PushReport {
        let tag = reference.tag ?? source.patch.version
        try RemoteReference.validate(tag: tag)
        guard reference.digest == nil else {
            throw RemoteError.invalidReference(reference.description, reason: "push takes a tag, not a digest")
        }
        let artifact = try PatchArtifact(patch: source.patch, layers: source.layers)
        let repo = reference.repository
        let client = self.client
        // The config first (small), then every distinct layer.
        var unique: [(OCIDescriptor, PatchArtifact.Layer?)] = [(artifact.configDescriptor, nil)]
        var seen: Set<Digest> = [artifact.configDescriptor.digest]
        for (layer, descriptor) in zip(artifact.layers, artifact.manifest.layers) where seen.insert(layer.digest).inserted {
            unique.append((descriptor, layer))
        }
        let total = unique.reduce(0) { $0 + $1.0.size }
        final class Tally: @unchecked Sendable {  // unchecked: behind `lock`
            let lock = NSLock()
            var sent = 0, uploaded = 0, mounted = 0, existing = 0
        }
        let tally = Tally()
        let configBytes = artifact.configBytes
        let hints = self.hints
        let work = unique
        try BoundedParallel.forEach(work.count, width: parallelism) { i in
            let (descriptor, layer) = work[i]
            let mountFrom = hints?.repositories(holding: descriptor.digest, registry: client.registry, excluding: repo) ?? []
            let outcome = try client.uploadBlob(repo, descriptor, mountFrom: mountFrom, read: { offset, count in
                guard let layer else { return Array(configBytes[offset..<(offset + count)]) }
                return try source.read(layer.piece.offset + offset, count)
            }, sent: { n in
                tally.lock.lock(); tally.sent += n; let s = tally.sent; tally.lock.unlock()
                progress?(s, total)
            })
            tally.lock.lock()
            switch outcome {
            case .uploaded: tally.uploaded += 1
            case .mounted: tally.mounted += 1
            case .existing: tally.existing += 1
            }
            tally.lock.unlock()
        }
        try client.putManifest(repo, reference: tag, bytes: artifact.manifestBytes, mediaType: OCIMediaType.imageManifest)
        hints?.record(unique.map(\.0.digest), registry: client.registry, repository: repo)
        return PushReport(reference: reference.with(tag: tag).description, digest: artifact.digest.description,
                          name: source.patch.name, version: source.patch.version, patchDigest: source.patch.digest,
                          size: source.patch.size, blobs: unique.count, uploaded: tally.uploaded, mounted: tally.mounted,
                          existing: tally.existing, bytesSent: tally.sent)
    }
}
