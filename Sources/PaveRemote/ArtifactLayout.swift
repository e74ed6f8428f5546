import Foundation
import PaveFormat
import PaveRegistry

/// The media types and annotation keys of a pave patch artifact (spec/oci-artifact.md).
public enum PaveArtifactType {
    public static let artifactType = "application/vnd.pave.patch.v1"
    public static let config = "application/vnd.pave.patch.config.v1+json"
    public static let head = "application/vnd.pave.patch.head.v1"
    public static let tensor = "application/vnd.pave.patch.tensor.v1"
    public static let segment = "application/vnd.pave.patch.segment.v1"
    public static let tensorAnnotation = "vnd.pave.tensor"
    public static let offsetAnnotation = "vnd.pave.offset"
    public static let digestAnnotation = "vnd.pave.patch.digest"
    /// Most layers a patch manifest may have, and the largest config blob, accepted from a registry.
    public static let maxLayers = 100_000
    public static let maxConfigSize = 1 << 20
    /// Largest patch a manifest may describe (1 TiB).
    public static let maxPatchSize = 1 << 40
}

/// The config blob: what the patch is, readable without downloading it.
public struct PatchArtifactConfig: Codable, Sendable, Equatable {
    public struct Base: Codable, Sendable, Equatable {
        public var model: String?
        public var signature: String?
    }
    public struct SideChannel: Codable, Sendable, Equatable {
        public var kind: String?
        public var encoder: String?
    }
    public var name: String
    public var version: String
    public var patchDigest: String
    public var size: Int
    public var paveFormat: Int
    public var base: Base?
    public var sideChannel: SideChannel?
    public var loraRank: Int?

    enum CodingKeys: String, CodingKey {
        case name, version, size, base
        case patchDigest = "patch_digest", paveFormat = "pave_format", sideChannel = "side_channel", loraRank = "lora_rank"
    }

    /// The config of `patch` (as the local index or ``PatchImage/summary()`` describes it).
    public init(_ patch: InstalledPatch) {
        name = patch.name
        version = patch.version
        patchDigest = patch.digest
        size = patch.size
        paveFormat = 1
        base = patch.baseModel == nil && patch.baseSignature == nil ? nil : Base(model: patch.baseModel, signature: patch.baseSignature)
        sideChannel = patch.sideChannel == nil && patch.sideChannelEncoder == nil ? nil : SideChannel(kind: patch.sideChannel, encoder: patch.sideChannelEncoder)
        loraRank = patch.loraRank
    }

    /// Whether `wanted` (model name, structural signature or a ≥ 8 hex prefix of it) names the declared base.
    public func declaresBase(_ wanted: String) -> Bool {
        InstalledPatch.baseMatches(wanted, signature: base?.signature, model: base?.model)
    }

    /// `model / signature`, for messages.
    public var baseDescription: String {
        let parts = [base?.model, base?.signature].compactMap { $0 }
        return parts.isEmpty ? "(no base declared)" : parts.joined(separator: " / ")
    }
}

/// A patch laid out as an OCI artifact: its layers (the file's pieces in order), config and manifest.
public struct PatchArtifact: Sendable {
    /// One layer: where its bytes are in the file, and their digest.
    public struct Layer: Sendable, Equatable {
        public var piece: PatchPiece
        public var digest: Digest
        public init(piece: PatchPiece, digest: Digest) { self.piece = piece; self.digest = digest }
    }
    public var config: PatchArtifactConfig
    public var configBytes: [UInt8]
    public var layers: [Layer]
    public var manifest: OCIManifest
    public var manifestBytes: [UInt8]
    /// The manifest digest (what `push` prints).
    public var digest: Digest

    public var configDescriptor: OCIDescriptor { manifest.config }

    /// Builds the artifact of `patch` cut into `layers` (which must tile the file in order).
    public init(patch: InstalledPatch, layers: [Layer]) throws {
        config = PatchArtifactConfig(patch)
        configBytes = [UInt8](try JSONValue.from(config).canonicalData())
        self.layers = layers
        let descriptors = layers.map { layer -> OCIDescriptor in
            var annotations = [PaveArtifactType.offsetAnnotation: String(layer.piece.offset)]
            let type: String
            switch layer.piece.kind {
            case let .tensor(name): type = PaveArtifactType.tensor; annotations[PaveArtifactType.tensorAnnotation] = name
            case .run where layer.piece.offset == 0: type = PaveArtifactType.head
            default: type = PaveArtifactType.segment
            }
            return OCIDescriptor(mediaType: type, digest: layer.digest, size: layer.piece.length, annotations: annotations)
        }
        var annotations = [
            "org.opencontainers.image.title": patch.name,
            "org.opencontainers.image.version": patch.version,
            PaveArtifactType.digestAnnotation: patch.digest,
        ]
        if let created = patch.created { annotations["org.opencontainers.image.created"] = created }
        manifest = OCIManifest(artifactType: PaveArtifactType.artifactType,
                               config: OCIDescriptor(mediaType: PaveArtifactType.config, digest: Digest(of: configBytes), size: configBytes.count),
                               layers: descriptors, annotations: annotations)
        manifestBytes = try manifest.encoded()
        digest = Digest(of: manifestBytes)
    }

    /// Checks a manifest fetched from a registry against the artifact rules (§3 of the spec): pave artifact
    /// type and config, known layer types, sizes > 0 with consecutive offsets from 0. Returns the total size.
    public static func validate(_ manifest: OCIManifest, at ref: RemoteReference) throws(RemoteError) -> Int {
        func refuse(_ reason: String) -> RemoteError {
            .notAPatch(registry: ref.registry, repository: ref.repository, reference: ref.reference ?? "", reason: reason)
        }
        guard manifest.schemaVersion == 2, manifest.mediaType == nil || manifest.mediaType == OCIMediaType.imageManifest else {
            throw refuse("manifest media type is \(manifest.mediaType ?? "-"), expected \(OCIMediaType.imageManifest)")
        }
        guard manifest.artifactType == PaveArtifactType.artifactType else {
            throw refuse("artifactType is \(manifest.artifactType ?? "(none)"), expected \(PaveArtifactType.artifactType)")
        }
        guard manifest.config.mediaType == PaveArtifactType.config else {
            throw refuse("config media type is \(manifest.config.mediaType), expected \(PaveArtifactType.config)")
        }
        guard !manifest.layers.isEmpty, manifest.layers.count <= PaveArtifactType.maxLayers else {
            throw refuse("it has \(manifest.layers.count) layers (1 to \(PaveArtifactType.maxLayers) expected)")
        }
        var total = 0
        for (i, layer) in manifest.layers.enumerated() {
            guard [PaveArtifactType.head, PaveArtifactType.tensor, PaveArtifactType.segment].contains(layer.mediaType) else {
                throw refuse("layer \(i) has media type \(layer.mediaType)")
            }
            guard layer.size > 0, layer.size <= PaveArtifactType.maxPatchSize else { throw refuse("layer \(i) has size \(layer.size)") }
            if let offset = layer.annotations?[PaveArtifactType.offsetAnnotation], Int(offset) != total {
                throw refuse("layer \(i) says offset \(offset), but the layers before it end at \(total)")
            }
            let (sum, overflow) = total.addingReportingOverflow(layer.size)
            guard !overflow, sum <= PaveArtifactType.maxPatchSize else { throw refuse("the layers add up to more than \(PaveArtifactType.maxPatchSize) bytes") }
            total = sum
        }
        return total
    }

    /// Decodes and checks the config blob against the manifest.
    public static func config(_ bytes: [UInt8], size: Int, at ref: RemoteReference) throws(RemoteError) -> PatchArtifactConfig {
        func refuse(_ reason: String) -> RemoteError {
            .notAPatch(registry: ref.registry, repository: ref.repository, reference: ref.reference ?? "", reason: reason)
        }
        guard let config = try? JSONValue.parse(bytes).decode(PatchArtifactConfig.self) else {
            throw refuse("the config blob is not a pave patch config")
        }
        guard Digest.isValid(config.patchDigest) else { throw refuse("config patch_digest \"\(config.patchDigest.prefix(80))\" is malformed") }
        guard config.size == size else { throw refuse("config says \(config.size) bytes, the layers add up to \(size)") }
        return config
    }
}
