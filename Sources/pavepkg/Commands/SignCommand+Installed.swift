import ArgumentParser
import Foundation
import PaveKit

extension SignCommand {
    /// `pavepkg sign NAME[:VERSION]`: signs the installed file (reconstituted from the store).
    func signInstalled(with signingKey: SigningKey) throws -> (location: String, digest: Digest) {
        throw ValidationError("\(patch) is not a file; signing installed patches is not available in this build")
    }
}
