import Foundation
import PaveFormat

extension RegistryClient {
    /// Attaches `content` (e.g. a signature) to the manifest `subject` in `repository`: the blob and the empty
    /// config are uploaded, then a manifest with `artifactType`, one layer and `subject: subject` is put by its
    /// digest. Where the registry has no referrers API (CNCF distribution 2.8, Docker Hub), the image index
    /// tagged `sha256-<hex of the subject digest>` is updated to list it (the referrers tag schema).
    /// - Returns: the descriptor of the new referrer manifest.
    @discardableResult
    public func attach(_ content: [UInt8], mediaType: String, artifactType: String, annotations: [String: String]? = nil,
                       to subject: OCIDescriptor, in repository: String) throws -> OCIDescriptor {
        let layer = OCIDescriptor(mediaType: mediaType, digest: Digest(of: content), size: content.count)
        let empty = Array("{}".utf8)
        _ = try uploadBlob(repository, OCIDescriptor.emptyConfig, read: { o, n in Array(empty[o..<(o + n)]) })
        _ = try uploadBlob(repository, layer, read: { o, n in Array(content[o..<(o + n)]) })
        let manifest = OCIManifest(artifactType: artifactType, config: .emptyConfig, layers: [layer], subject: subject, annotations: annotations)
        let bytes = try manifest.encoded()
        let digest = try putManifest(repository, reference: Digest(of: bytes).description, bytes: bytes, mediaType: OCIMediaType.imageManifest)
        let descriptor = OCIDescriptor(mediaType: OCIMediaType.imageManifest, digest: digest, size: bytes.count,
                                       artifactType: artifactType, annotations: annotations)
        if try referrersAPI(repository, subject: subject.digest, artifactType: nil) == nil {
            let tag = Self.fallbackTag(subject.digest)
            var index = try fallbackIndex(repository, subject: subject.digest) ?? OCIIndex(manifests: [])
            if !index.manifests.contains(where: { $0.digest == digest }) {
                index.manifests.append(descriptor)
                try putManifest(repository, reference: tag, bytes: try index.encoded(), mediaType: OCIMediaType.imageIndex)
            }
        }
        return descriptor
    }

    /// The manifests that refer to `subject` (optionally only those of `artifactType`), from the referrers API,
    /// or from the `sha256-<hex>` index where the registry has none.
    public func referrers(_ repository: String, subject: Digest, artifactType: String? = nil) throws -> [OCIDescriptor] {
        let all = try referrersAPI(repository, subject: subject, artifactType: artifactType)
            ?? fallbackIndex(repository, subject: subject)?.manifests ?? []
        guard let artifactType else { return all }
        return all.filter { $0.artifactType == artifactType }
    }

    /// The referrers tag of `subject`: `sha256-<hex>`.
    public static func fallbackTag(_ subject: Digest) -> String { "sha256-" + subject.hex }

    /// `GET /v2/<name>/referrers/<digest>`: the list, or `nil` when the registry has no referrers API (404).
    func referrersAPI(_ repository: String, subject: Digest, artifactType: String?) throws -> [OCIDescriptor]? {
        let query = artifactType.map { [URLQueryItem(name: "artifactType", value: $0)] } ?? []
        let req = Request(method: "GET", url: url("/v2/\(repository)/referrers/\(subject)", query: query),
                          headers: ["Accept": OCIMediaType.imageIndex], repository: repository, operation: "list referrers of \(subject)")
        let r = try send(req, sink: .collect(limit: 4 << 20))
        if r.status == 404 || r.status == 405 { return nil }
        guard r.status == 200 else { throw failure(r, req) }
        guard let index = try? JSONValue.parse(r.body).decode(OCIIndex.self) else {
            throw RemoteError.http(registry: registry, repository: repository, operation: "list referrers of \(subject)", status: 200, detail: "the answer is not an image index")
        }
        return index.manifests
    }

    /// The fallback index tagged `sha256-<hex>`, or `nil` when there is none.
    func fallbackIndex(_ repository: String, subject: Digest) throws -> OCIIndex? {
        let fetched: (bytes: [UInt8], mediaType: String, digest: Digest)
        do { fetched = try manifest(repository, reference: Self.fallbackTag(subject)) } catch let e {
            switch e {
            case .manifestUnknown, .repositoryUnknown: return nil
            default: throw e
            }
        }
        guard let index = try? JSONValue.parse(fetched.bytes).decode(OCIIndex.self) else {
            throw RemoteError.http(registry: registry, repository: repository, operation: "read referrers tag \(Self.fallbackTag(subject))",
                                   status: 200, detail: "not an image index")
        }
        return index
    }
}
