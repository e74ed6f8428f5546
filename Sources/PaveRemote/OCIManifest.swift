import Foundation
import PaveFormat

/// OCI media types pavepkg reads and writes.
public enum OCIMediaType {
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let empty = "application/vnd.oci.empty.v1+json"
    /// The `Accept` header of every manifest request (distribution 2.8 answers 404 for OCI manifests without it).
    public static let manifestAccept = [imageManifest, imageIndex, dockerManifest, dockerManifestList].joined(separator: ", ")
}

/// A content descriptor (image-spec descriptor.md).
public struct OCIDescriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int
    public var artifactType: String?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int, artifactType: String? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType; self.digest = digest; self.size = size; self.artifactType = artifactType; self.annotations = annotations
    }

    /// The empty config `{}` of artifacts that need none.
    public static let emptyConfig = OCIDescriptor(mediaType: OCIMediaType.empty, digest: Digest(of: Array("{}".utf8)), size: 2)
}

/// An OCI image manifest (v1.1: `artifactType`, `subject`).
public struct OCIManifest: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
    public var subject: OCIDescriptor?
    public var annotations: [String: String]?

    public init(artifactType: String?, config: OCIDescriptor, layers: [OCIDescriptor], subject: OCIDescriptor? = nil, annotations: [String: String]? = nil) {
        schemaVersion = 2; mediaType = OCIMediaType.imageManifest
        self.artifactType = artifactType; self.config = config; self.layers = layers; self.subject = subject; self.annotations = annotations
    }

    /// RFC 8785 canonical bytes: the same manifest always has the same digest.
    public func encoded() throws -> [UInt8] { [UInt8](try JSONValue.from(self).canonicalData()) }

    /// Decodes manifest bytes.
    static func decode(_ bytes: [UInt8]) throws -> OCIManifest { try JSONValue.parse(bytes).decode(OCIManifest.self) }
}

/// An OCI image index (the referrers list, or the `sha256-<hex>` fallback tag).
public struct OCIIndex: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [OCIDescriptor]
    public var annotations: [String: String]?

    public init(manifests: [OCIDescriptor], annotations: [String: String]? = nil) {
        schemaVersion = 2; mediaType = OCIMediaType.imageIndex; self.manifests = manifests; self.annotations = annotations
    }

    public func encoded() throws -> [UInt8] { [UInt8](try JSONValue.from(self).canonicalData()) }
}
