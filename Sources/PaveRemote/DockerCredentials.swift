import Foundation
import PaveFormat

/// A user name and secret for one registry.
public struct RegistryCredential: Sendable, Equatable {
    public var username: String
    public var secret: String
    public init(username: String, secret: String) { self.username = username; self.secret = secret }
}

/// Docker's credential file, `config.json` in `$DOCKER_CONFIG` (default `~/.docker`), shared with `docker`,
/// `oras`, `skopeo` and `helm`: `auths[host].auth` = base64("user:password"), or a credential helper
/// (`credHelpers[host]`, else `credsStore`) run as `docker-credential-<name> get|store|erase` with JSON on stdin.
public struct DockerCredentials: Sendable {
    /// The `config.json` path.
    public var configURL: URL
    /// Directories searched for `docker-credential-<name>` (default: `PATH`).
    public var helperSearchPath: [String]?

    public init(configURL: URL, helperSearchPath: [String]? = nil) {
        self.configURL = configURL
        self.helperSearchPath = helperSearchPath
    }

    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> DockerCredentials {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty {
            return DockerCredentials(configURL: URL(fileURLWithPath: dir).appendingPathComponent("config.json"))
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return DockerCredentials(configURL: home.appendingPathComponent(".docker").appendingPathComponent("config.json"))
    }

    /// The keys a registry may be stored under (Docker Hub's is its historical v1 URL).
    static func keys(for registry: String) -> [String] {
        if registry == "docker.io" || registry == "index.docker.io" || registry == "registry-1.docker.io" {
            return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
        }
        return [registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v1/", "https://" + registry + "/v2/"]
    }

    /// The file's JSON object (empty when there is no file).
    func load() throws(RemoteError) -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: configURL.path) else { return [:] }
        guard data.count <= 4 << 20 else { throw .credentials(registry: "-", source: configURL.path, reason: "file is larger than 4 MiB") }
        guard let value = try? JSONValue.parse([UInt8](data)), case let .object(fields) = value else {
            throw .credentials(registry: "-", source: configURL.path, reason: "not a JSON object")
        }
        return fields
    }

    /// The helper configured for `registry`, if any.
    func helper(for registry: String, in config: [String: JSONValue]) -> String? {
        for key in Self.keys(for: registry) {
            if let h = config["credHelpers"]?[key]?.stringValue, !h.isEmpty { return h }
        }
        if let s = config["credsStore"]?.stringValue, !s.isEmpty { return s }
        return nil
    }

    /// The stored credential for `registry`: a helper's answer, else the file's `auths` entry; `nil` when none.
    public func credential(for registry: String) throws(RemoteError) -> RegistryCredential? {
        let config = try load()
        if let helper = helper(for: registry, in: config) {
            for key in Self.keys(for: registry) {
                if let c = try helperGet(helper, serverURL: key, registry: registry) { return c }
            }
            return nil
        }
        for key in Self.keys(for: registry) {
            guard let entry = config["auths"]?[key] else { continue }
            if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw .credentials(registry: registry, source: configURL.path, reason: "auths[\"\(key)\"].auth is not base64 of user:password")
                }
                return RegistryCredential(username: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
            }
            if let user = entry["username"]?.stringValue, let pass = entry["password"]?.stringValue {
                return RegistryCredential(username: user, secret: pass)
            }
            if let token = entry["identitytoken"]?.stringValue, !token.isEmpty {
                return RegistryCredential(username: "<token>", secret: token)
            }
        }
        return nil
    }

    /// Stores `credential` for `registry`: through the configured helper, else in `auths` (file mode 0600,
    /// written atomically, other settings kept).
    /// - Returns: where it went (the helper's name or the file path), for the message.
    @discardableResult
    public func store(_ credential: RegistryCredential, for registry: String) throws(RemoteError) -> String {
        var config = try load()
        if let helper = helper(for: registry, in: config) {
            let input = JSONValue.object(["ServerURL": .string(registry), "Username": .string(credential.username), "Secret": .string(credential.secret)])
            _ = try runHelper(helper, action: "store", input: [UInt8](input.canonicalData()), registry: registry)
            return "docker-credential-" + helper
        }
        var auths = config["auths"]?.objectValue ?? [:]
        for key in Self.keys(for: registry) where key != registry { auths[key] = nil }
        let encoded = Data("\(credential.username):\(credential.secret)".utf8).base64EncodedString()
        auths[registry] = .object(["auth": .string(encoded)])
        config["auths"] = .object(auths)
        try write(config)
        return configURL.path
    }

    /// Removes what is stored for `registry` (helper `erase`, or the `auths` entries).
    /// - Returns: whether anything was stored in the file (helpers do not say; `true`).
    @discardableResult
    public func erase(for registry: String) throws(RemoteError) -> Bool {
        var config = try load()
        if let helper = helper(for: registry, in: config) {
            _ = try runHelper(helper, action: "erase", input: Array(registry.utf8), registry: registry)
            return true
        }
        var auths = config["auths"]?.objectValue ?? [:]
        var removed = false
        for key in Self.keys(for: registry) where auths[key] != nil { auths[key] = nil; removed = true }
        guard removed else { return false }
        config["auths"] = .object(auths)
        try write(config)
        return true
    }

    private func write(_ config: [String: JSONValue]) throws(RemoteError) {
        let dir = configURL.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let writer = try AtomicFileWriter(destination: configURL)
            try writer.write(JSONValue.object(config).prettyData())
            _ = chmod(writer.temporaryURL.path, 0o600)
            try writer.commit()
        } catch {
            throw .credentials(registry: "-", source: configURL.path, reason: "cannot write: \(error)")
        }
    }

    private func helperGet(_ helper: String, serverURL: String, registry: String) throws(RemoteError) -> RegistryCredential? {
        guard let out = try runHelper(helper, action: "get", input: Array(serverURL.utf8), registry: registry, missingIsNil: true) else { return nil }
        guard let v = try? JSONValue.parse(out), let user = v["Username"]?.stringValue, let secret = v["Secret"]?.stringValue else {
            throw .credentials(registry: registry, source: "docker-credential-" + helper, reason: "answer is not {\"Username\":…,\"Secret\":…}")
        }
        return RegistryCredential(username: user, secret: secret)
    }

    /// Runs `docker-credential-<helper> <action>` with `input` on stdin. With `missingIsNil`, the helper's
    /// "credentials not found" answer gives `nil`.
    private func runHelper(_ helper: String, action: String, input: [UInt8], registry: String, missingIsNil: Bool = false) throws(RemoteError) -> [UInt8]? {
        let name = "docker-credential-" + helper
        guard helper.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }) else {
            throw .credentials(registry: registry, source: configURL.path, reason: "helper name \"\(helper.prefix(80))\" is not a plain name")
        }
        let dirs = helperSearchPath ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        let path = dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw .credentials(registry: registry, source: name, reason: "\(name) is not on PATH (configured in \(configURL.path))") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = [action]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin; p.standardOutput = stdout; p.standardError = stderr
        do { try p.run() } catch { throw .credentials(registry: registry, source: name, reason: "cannot run: \(error)") }
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let text = (String(data: out, encoding: .utf8) ?? "") + (String(data: err, encoding: .utf8) ?? "")
            if missingIsNil, text.lowercased().contains("credentials not found") { return nil }
            throw .credentials(registry: registry, source: name, reason: "\(action) exited with status \(p.terminationStatus): \(text.prefix(300))")
        }
        return [UInt8](out)
    }
}
