import Foundation
import PaveFormat
import PaveRegistry
#if canImport(Glibc)
import Glibc
#endif

/// What `pull` did.
public struct PullReport: Codable, Sendable, Equatable {
    public var reference: String
    /// The manifest digest.
    public var digest: String
    public var name: String
    public var version: String
    public var patchDigest: String
    public var size: Int
    public var blobs: Int
    /// Bytes received from the registry by this run (a resumed download counts only what it added).
    public var bytesDownloaded: Int
    /// Bytes taken from the local store or from earlier complete downloads instead.
    public var bytesReused: Int
    /// The install result, or `nil` with an output file.
    public var installed: InstallResult?
    /// The file written (`-o`), if any.
    public var output: String?

    enum CodingKeys: String, CodingKey {
        case reference, digest, name, version, size, blobs, installed, output
        case patchDigest = "patch_digest", bytesDownloaded = "bytes_downloaded", bytesReused = "bytes_reused"
    }
}

/// Pulls a patch artifact: manifest and config first (the base is checked from the config before any tensor
/// data is downloaded), then the layers the local store lacks, resumably and several at once, then the file is
/// reassembled, verified and installed (or written to a file). See spec/oci-artifact.md §5.
public struct PatchPuller: Sendable {
    public var client: RegistryClient
    public var parallelism: Int

    /// Zero-padding layers up to this size are recognised by digest and not downloaded.
    static let maxSynthesizedZeros = 16 << 20

    public init(client: RegistryClient, parallelism: Int = 4) {
        self.client = client; self.parallelism = max(1, parallelism)
    }

    /// The manifest and config at `reference`, checked against the artifact rules.
    public func inspect(_ reference: RemoteReference) throws -> (manifest: OCIManifest, digest: Digest, config: PatchArtifactConfig) {
        guard let ref = reference.reference else {
            throw RemoteError.invalidReference(reference.description, reason: "give a tag (:1.0.0) or a digest (@sha256:…)")
        }
        let fetched = try client.manifest(reference.repository, reference: ref)
        guard fetched.mediaType == OCIMediaType.imageManifest || fetched.mediaType.isEmpty,
              let manifest = try? OCIManifest.decode(fetched.bytes) else {
            throw RemoteError.notAPatch(registry: reference.registry, repository: reference.repository, reference: ref,
                                        reason: "the manifest is \(fetched.mediaType.isEmpty ? "not an OCI image manifest" : fetched.mediaType)")
        }
        let total = try PatchArtifact.validate(manifest, at: reference)
        let configBytes = try client.smallBlob(reference.repository, manifest.config, limit: PaveArtifactType.maxConfigSize)
        let config = try PatchArtifact.config(configBytes, size: total, at: reference)
        return (manifest, fetched.digest, config)
    }

    /// Pulls `reference` into `registry` (verified, then installed), or into `output` (verified, then renamed).
    /// - Parameters:
    ///   - base: refuse a patch for another base: from the config before downloading, then fully after.
    ///   - progress: `(bytes received, bytes to download)`, from any thread.
    public func pull(_ reference: RemoteReference, into registry: Registry, base: BaseRequirement?, output: String? = nil,
                     progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> PullReport {
        let (manifest, digest, config) = try inspect(reference)
        let ref = reference.reference ?? ""
        if let base { try Self.check(base, config: config, at: reference) }

        let downloads = BlobDownloads(home: registry.layout.home)
        try downloads.prepare()
        let lockPath = downloads.directory.deletingLastPathComponent().appendingPathComponent("lock").path
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw RemoteError.io(path: lockPath, operation: "open lock", reason: String(cString: strerror(errno))) }
        defer { close(lockFD) }
        _ = flock(lockFD, LOCK_SH)

        // Which layers must come from the network.
        var sources: [Digest: URL] = [:]
        var zeros: Set<Digest> = []
        var wanted: [OCIDescriptor] = []
        var reused = 0
        for layer in manifest.layers where sources[layer.digest] == nil && !zeros.contains(layer.digest) && !wanted.contains(where: { $0.digest == layer.digest }) {
            if let local = registry.storedBlobURL(layer.digest, size: layer.size) {
                sources[layer.digest] = local
                reused += layer.size
            } else if layer.mediaType == PaveArtifactType.segment, layer.size <= Self.maxSynthesizedZeros, PushSource.zeroDigest(layer.size) == layer.digest {
                zeros.insert(layer.digest)  // zero padding (the local store keeps no blob for it): made here
                reused += layer.size
            } else {
                wanted.append(layer)
            }
        }
        let toFetch = wanted.reduce(0) { $0 + $1.size } - wanted.reduce(0) { $0 + min(downloads.bytesOnDisk($1.digest), $1.size) }
        final class Tally: @unchecked Sendable {  // unchecked: behind `lock`
            let lock = NSLock()
            var received = 0
            var urls: [Digest: URL] = [:]
        }
        let tally = Tally()
        let client = self.client
        let work = wanted
        try BoundedParallel.forEach(work.count, width: parallelism) { i in
            let d = work[i]
            let (url, received) = try downloads.fetch(d, from: reference.repository, client: client) { n in
                tally.lock.lock(); tally.received += n; let r = tally.received; tally.lock.unlock()
                progress?(r, max(toFetch, r))
            }
            tally.lock.lock(); tally.urls[d.digest] = url; tally.lock.unlock()
            _ = received
        }
        sources.merge(tally.urls) { a, _ in a }
        let fromNetwork = tally.received
        reused += wanted.reduce(0) { $0 + $1.size } - fromNetwork

        // Reassemble: temp file, fsync, rename; verify before anything is installed or the output appears.
        let destination = output.map { URL(fileURLWithPath: $0) }
            ?? downloads.directory.deletingLastPathComponent().appendingPathComponent("pull-\(getpid())-\(UUID().uuidString).pave")
        let writer: AtomicFileWriter
        do { writer = try AtomicFileWriter(destination: destination) } catch {
            throw RemoteError.io(path: destination.path, operation: "create", reason: "\(error)")
        }
        var installed: InstallResult?
        do {
            for layer in manifest.layers {
                if zeros.contains(layer.digest) {
                    try writer.write([UInt8](repeating: 0, count: layer.size))
                    continue
                }
                guard let url = sources[layer.digest] else {
                    throw RemoteError.blobUnknown(registry: client.registry, repository: reference.repository, digest: layer.digest.description)
                }
                let file = try RandomAccessFile(url)
                guard file.size == layer.size else {
                    throw RemoteError.sizeMismatch(registry: client.registry, repository: reference.repository, what: "blob \(layer.digest) on disk at \(url.path)",
                                                   expected: layer.size, actual: file.size)
                }
                var done = 0
                while done < layer.size {
                    let n = min(8 << 20, layer.size - done)
                    try writer.write(try file.read(at: done, count: n))
                    done += n
                }
            }
            let assembled = writer.temporaryURL.path
            let patchDigest = try PaveFile.open(URL(fileURLWithPath: assembled), threads: 1).digest
            guard patchDigest == config.patchDigest else {
                throw RemoteError.digestMismatch(registry: client.registry, repository: reference.repository, what: "patch \(ref) reassembled",
                                                 expected: config.patchDigest, actual: patchDigest)
            }
            if output != nil {
                try PulledPatchVerification.verify(assembled, reader: registry.reader, base: base)
                try writer.commit()
            } else {
                try writer.commit()
                defer { unlink(destination.path) }
                installed = try PulledPatchVerification.install(destination.path, into: registry, base: base)
                installed?.file = reference.description
            }
        } catch {
            writer.abort()
            throw error
        }
        // The downloads are in the store (or the output) now; remove them unless another pull is using the directory.
        flock(lockFD, LOCK_UN)
        if flock(lockFD, LOCK_EX | LOCK_NB) == 0 {
            for d in wanted { downloads.remove(d.digest) }
            flock(lockFD, LOCK_UN)
        }
        BlobLocationHints(home: registry.layout.home).record(manifest.layers.map(\.digest) + [manifest.config.digest],
                                                             registry: client.registry, repository: reference.repository)
        return PullReport(reference: reference.description, digest: digest.description, name: config.name, version: config.version,
                          patchDigest: config.patchDigest, size: config.size, blobs: Set(manifest.layers.map(\.digest)).count,
                          bytesDownloaded: fromNetwork, bytesReused: reused, installed: installed, output: output)
    }

    /// Refuses, from the config alone, a patch that declares another base than `base`.
    static func check(_ base: BaseRequirement, config: PatchArtifactConfig, at reference: RemoteReference) throws(RemoteError) {
        let refuse = { (wanted: String) -> RemoteError in
            .baseMismatch(registry: reference.registry, repository: reference.repository, reference: reference.reference ?? "",
                          wanted: wanted, patchBase: config.baseDescription)
        }
        switch base {
        case let .named(wanted):
            guard config.declaresBase(wanted) else { throw refuse(wanted) }
        case let .signature(signature):
            // A declared signature must be this one; a patch declaring none is checked in full after download.
            if let declared = config.base?.signature, declared != signature.structuralSignature {
                throw refuse("\(signature.name) \(signature.structuralSignature)")
            }
        }
    }
}
