import Foundation
import PaveFormat
import PaveSigning

/// OMS signatures of pushed patches as OCI referrers (issue 12, spec/signing.md §5): each bundle is a
/// manifest with `artifactType` = the Sigstore bundle media type, one layer (the bundle) and `subject` = the
/// patch manifest. Registries without the referrers API get the `sha256-<hex>` tag fallback (``attach``).
extension RegistryClient {
    /// The artifact type of signature referrers.
    public static let signatureArtifactType = OMSBundle.mediaType

    /// Attaches an OMS bundle to the patch manifest `subject` (the bundle is parsed first: a malformed one is
    /// never pushed).
    @discardableResult
    public func attachSignature(_ bundle: [UInt8], to subject: OCIDescriptor, in repository: String) throws -> OCIDescriptor {
        _ = try OMSSignature(bytes: bundle, source: "signature of \(subject.digest)")
        return try attach(bundle, mediaType: OMSBundle.mediaType, artifactType: Self.signatureArtifactType, to: subject, in: repository)
    }

    /// Attaches an OMS bundle to the manifest `reference` names (by tag or digest).
    @discardableResult
    public func attachSignature(_ bundle: [UInt8], to reference: RemoteReference) throws -> OCIDescriptor {
        let fetched = try manifest(reference.repository, reference: reference.reference ?? "latest")
        let subject = OCIDescriptor(mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.count)
        return try attachSignature(bundle, to: subject, in: reference.repository)
    }

    /// The OMS bundles attached to the manifest `subject` (layers of its signature referrers, at most 1 MiB each).
    public func signatures(of subject: Digest, in repository: String) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for referrer in try referrers(repository, subject: subject, artifactType: Self.signatureArtifactType) {
            let fetched = try manifest(repository, reference: referrer.digest.description)
            guard let m = try? JSONDecoder().decode(OCIManifest.self, from: Data(fetched.bytes)) else { continue }
            for layer in m.layers where layer.mediaType == OMSBundle.mediaType {
                out.append(try smallBlob(repository, layer))
            }
        }
        return out
    }
}
