import ArgumentParser
import Foundation
import PaveKit

#if canImport(Glibc)
import Glibc
#endif

/// `pavepkg login REGISTRY --username USER --password-stdin [--insecure] [--json]`
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and store them in Docker's config.json.",
        discussion: """
            Credentials go where docker, oras and skopeo look: $DOCKER_CONFIG/config.json (default \
            ~/.docker/config.json), or the credential helper configured there (credsStore / credHelpers).
            """)

    @Argument(help: ArgumentHelp("The registry host.", valueName: "REGISTRY"))
    var registry: String

    @Option(name: [.customShort("u"), .customLong("username")], help: "User name.")
    var username: String

    @Flag(name: .customLong("password-stdin"), help: "Read the password (or token) from standard input.")
    var passwordStdin = false

    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try RemoteCLI.run(json: remote.json) {
            let host = try RemoteReference(parsing: registry + "/x").registry
            let secret: String
            if passwordStdin {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            } else if isatty(0) != 0, let p = getpass("Password: ") {
                secret = String(cString: p)
            } else {
                throw ValidationError("give the password on standard input with --password-stdin")
            }
            guard !secret.isEmpty else { throw ValidationError("the password is empty") }
            let credential = RegistryCredential(username: username, secret: secret)
            let client = try RegistryClient(registry: host, apiHost: RemoteReference(registry: host, repository: "x").apiHost,
                                            insecure: remote.insecure, credential: credential)
            try client.ping()
            let store = DockerCredentials.fromEnvironment()
            let place = try store.store(credential, for: host)
            if remote.json { return CLIOutput.printJSON(JSONValue.object(["registry": .string(host), "username": .string(username), "stored_in": .string(place)])) }
            print("login succeeded for \(username) at \(host); credentials stored in \(place)")
        }
    }
}

/// `pavepkg logout REGISTRY [--json]`
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Remove the stored credentials of a registry from Docker's config.json.")

    @Argument(help: ArgumentHelp("The registry host.", valueName: "REGISTRY"))
    var registry: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try RemoteCLI.run(json: json) {
            let host = try RemoteReference(parsing: registry + "/x").registry
            let removed = try DockerCredentials.fromEnvironment().erase(for: host)
            if json { return CLIOutput.printJSON(JSONValue.object(["registry": .string(host), "removed": .bool(removed)])) }
            print(removed ? "removed the credentials of \(host)" : "no credentials were stored for \(host)")
        }
    }
}
