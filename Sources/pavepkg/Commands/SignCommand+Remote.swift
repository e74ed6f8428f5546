import Foundation
import PaveKit

extension SignCommand {
    /// `pavepkg sign REGISTRY/REPO:TAG|@DIGEST --key K.pem`: signs a pushed patch afterwards. The patch must be
    /// installed locally (pulled) so its bytes can be hashed; the signature is kept with it and attached to the
    /// remote manifest as a referrer. `nil` when `patch` is not a remote reference (no such file, a registry
    /// host, a tag or digest).
    func signPushed(with signingKey: SigningKey) throws -> (location: String, digest: Digest)? {
        // RemoteReference(parsing:) itself refuses anything whose first component is not a registry host.
        guard !FileManager.default.fileExists(atPath: patch),
              let reference = try? RemoteReference(parsing: patch), reference.reference != nil else { return nil }
        let client = try RegistryClient.forReference(reference, insecure: false, credentials: .fromEnvironment())
        let (_, manifestDigest, config) = try PatchPuller(client: client).inspect(reference)
        let registry = try RegistryCLI.open()
        let installed: InstalledPatch
        do { installed = try registry.resolve(config.patchDigest) } catch {
            throw SigningError(.io, "\(patch) (patch \(config.patchDigest.prefix(19))) is not installed here; pull it first so its bytes can be hashed and signed")
        }
        let digest = try registry.fileSHA256(of: installed)
        let bundle = try PatchSigner.sign(fileName: "\(installed.name)-\(installed.version).pave", digest: digest, key: signingKey)
        try registry.attachSignature(bundle, source: patch, to: installed, fileDigest: digest)
        var target = reference
        target.digest = manifestDigest
        let referrer = try client.attachSignature(bundle, to: target)
        if let output { try PatchSigner.write(bundle, to: URL(fileURLWithPath: output)) }
        return ("\(reference.registry)/\(reference.repository)@\(referrer.digest)", digest)
    }
}
