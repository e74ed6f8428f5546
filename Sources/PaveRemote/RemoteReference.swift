import PaveFormat

/// `REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST]`, parsed once: the registry host (with port), the repository
/// path and at most one of tag or digest (a digest wins when both are given, as in Docker).
///
/// The registry part is required (`127.0.0.1:5000/team/patch`, `ghcr.io/org/patch:1.0.0`); `docker.io` maps to
/// Docker Hub's API host `registry-1.docker.io`, and a one-component repository there gets `library/`.
public struct RemoteReference: Sendable, Equatable, CustomStringConvertible {
    /// `host[:port]` as the user wrote it (the key for credentials).
    public var registry: String
    /// `team/patch`: lowercase path components.
    public var repository: String
    public var tag: String?
    public var digest: Digest?

    /// The tag or digest a manifest request uses (`latest` is never implied).
    public var reference: String? { digest?.description ?? tag }

    /// The host the HTTP API is served from (Docker Hub's differs from its name).
    public var apiHost: String { registry == "docker.io" || registry == "index.docker.io" ? "registry-1.docker.io" : registry }

    public var description: String {
        var s = registry + "/" + repository
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    /// The same repository with another tag (and no digest).
    public func with(tag: String) -> RemoteReference {
        RemoteReference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry; self.repository = repository; self.tag = tag; self.digest = digest
    }

    /// Parses `text`.
    /// - Throws: ``RemoteError/invalidReference(_:reason:)`` naming the rule broken.
    public init(parsing text: String) throws(RemoteError) {
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw .invalidReference(text, reason: "empty or longer than 4096 bytes") }
        var rest = Substring(text)
        if rest.hasPrefix("oci://") || rest.hasPrefix("docker://") { rest = rest.drop(while: { $0 != "/" }).dropFirst(2) }
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let d = rest[rest.index(after: at)...]
            guard let parsed = Digest(parsing: d) else { throw .invalidReference(text, reason: "\"\(d.prefix(80))\" is not sha256:<64 lowercase hex>") }
            digest = parsed
            rest = rest[..<at]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw .invalidReference(text, reason: "no registry: write the registry host first, e.g. 127.0.0.1:5000/\(rest)")
        }
        let host = String(rest[..<slash])
        guard host.contains(".") || host.contains(":") || host == "localhost" else {
            throw .invalidReference(text, reason: "\"\(host)\" is not a registry host (a host name with a dot or port, or localhost)")
        }
        guard Self.isValidHost(host) else { throw .invalidReference(text, reason: "\"\(host)\" is not a valid host[:port]") }
        var path = rest[rest.index(after: slash)...]
        var tag: String?
        if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") {
            tag = String(path[path.index(after: colon)...])
            path = path[..<colon]
        }
        if let tag { try Self.validate(tag: tag) }
        var repository = String(path)
        if host == "docker.io" || host == "index.docker.io", !repository.contains("/") { repository = "library/" + repository }
        guard Self.isValidRepository(repository) else {
            throw .invalidReference(text, reason: "repository \"\(repository.prefix(200))\" must be lowercase path components of [a-z0-9] joined by . _ __ or -, separated by /")
        }
        self.init(registry: host, repository: repository, tag: digest == nil ? tag : tag, digest: digest)
    }

    /// Throws unless `tag` matches `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    public static func validate(tag: String) throws(RemoteError) {
        let u = Array(tag.utf8)
        func word(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard !u.isEmpty, u.count <= 128 else { throw .invalidTag(tag, reason: "a tag has 1 to 128 characters") }
        guard word(u[0]), u.dropFirst().allSatisfy({ word($0) || $0 == 0x2E || $0 == 0x2D }) else {
            throw .invalidTag(tag, reason: "a tag starts with a letter, digit or _ and continues with letters, digits, . _ -")
        }
    }

    static func isValidHost(_ host: String) -> Bool {
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty, name.utf8.count <= 253 else { return false }
        guard name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2E || $0 == 0x2D }) else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), port > 0, port < 65536 else { return false }
        }
        return true
    }

    static func isValidRepository(_ repository: String) -> Bool {
        guard !repository.isEmpty, repository.utf8.count <= 255 else { return false }
        for component in repository.split(separator: "/", omittingEmptySubsequences: false) {
            let u = Array(component.utf8)
            func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) }
            guard let first = u.first, let last = u.last, alnum(first), alnum(last) else { return false }
            var i = 0
            while i < u.count {
                if alnum(u[i]) { i += 1; continue }
                // separators: "." | "_" | "__" | "-"+
                if u[i] == 0x2E { i += 1 } else if u[i] == 0x5F { i += (i + 1 < u.count && u[i + 1] == 0x5F) ? 2 : 1 } else if u[i] == 0x2D {
                    while i < u.count, u[i] == 0x2D { i += 1 }
                } else { return false }
                guard i < u.count, alnum(u[i]) else { return false }
            }
        }
        return true
    }

    /// Whether the host is loopback (plain HTTP is used there without asking).
    public var isLoopback: Bool {
        let name = registry.split(separator: ":").first.map(String.init) ?? registry
        return name == "localhost" || name == "127.0.0.1" || name.hasPrefix("127.")
    }
}
