import ArgumentParser
import Foundation
import PaveKit

extension SigningCurve: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "p256", "p-256", "prime256v1", "secp256r1": self = .p256
        case "p384", "p-384", "secp384r1": self = .p384
        case "p521", "p-521", "secp521r1": self = .p521
        default: return nil
        }
    }

    public static var allValueStrings: [String] { ["p256", "p384", "p521"] }
}

/// `pavepkg key generate -o NAME [--curve p256|p384|p521]`: an ECDSA key pair for `pavepkg sign`.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Make signing keys (ECDSA PEM files that openssl and model_signing read).",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write NAME.pem (private key, PKCS#8, mode 0600) and NAME.pub (public key) and print the key id.")

        @Option(name: .shortAndLong, help: "Base name of the two files (NAME.pem, NAME.pub).")
        var output: String

        @Option(help: "Curve: p256 (ECDSA with SHA-256, the default), p384 (SHA-384) or p521 (SHA-512).")
        var curve: SigningCurve = .p256

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            try runReportingErrors(json: json) {
                let key = SigningKey(generating: curve)
                let (priv, pub) = try key.write(base: URL(fileURLWithPath: output))
                if json {
                    return CLIOutput.printJSON(.object(["private_key": .string(priv.path), "public_key": .string(pub.path),
                                                        "key_id": .string(key.publicKey.keyID), "curve": .string(curve.rawValue)]))
                }
                print("wrote \(priv.path) (private, keep it secret) and \(pub.path) (public)")
                print("key id \(key.publicKey.keyID) (\(curve.rawValue))")
            }
        }
    }
}
