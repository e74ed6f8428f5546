import ArgumentParser
import Foundation
import PaveKit

extension SignCommand {
    /// `pavepkg sign NAME[:VERSION]`: signs the installed file (streamed from the store), keeps the signature
    /// in the registry, and writes it to -o when given.
    func signInstalled(with signingKey: SigningKey) throws -> (location: String, digest: Digest) {
        let registry = try RegistryCLI.open()
        let patch = try registry.resolve(self.patch)
        let digest = try registry.fileSHA256(of: patch)
        let bundle = try PatchSigner.sign(fileName: "\(patch.name)-\(patch.version).pave", digest: digest, key: signingKey)
        let stored = try registry.attachSignature(bundle, source: patch.reference, to: patch, fileDigest: digest)
        if let output {
            try PatchSigner.write(bundle, to: URL(fileURLWithPath: output))
            return (output, digest)
        }
        return (stored.path, digest)
    }
}
