import Foundation
import PaveFormat
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How often and how patiently a request is retried after a connection failure or a 5xx answer.
public struct RetryPolicy: Sendable {
    /// Total attempts (1 = no retry).
    public var attempts: Int
    /// Delay before the first retry, doubled for each further one.
    public var initialDelay: TimeInterval
    public init(attempts: Int = 4, initialDelay: TimeInterval = 0.25) { self.attempts = attempts; self.initialDelay = initialDelay }
    public static let `default` = RetryPolicy()
    func delay(_ attempt: Int) -> TimeInterval { initialDelay * Double(1 << min(attempt, 10)) }
}

/// A session with one OCI registry (distribution-spec v1.1): authentication (Basic, or Bearer tokens from the
/// `WWW-Authenticate` challenge, refreshed when they expire), retries with backoff, redirects followed without
/// sending `Authorization` to another host, and the registry's error bodies turned into ``RemoteError``.
///
/// HTTPS is used unless the registry is loopback (`localhost`, `127.0.0.1`) or `insecure` is set.
/// Thread-safe: blob transfers run on several threads at once.
public final class RegistryClient: @unchecked Sendable {  // unchecked: mutable auth state behind `lock`
    /// `host[:port]` as written by the user (for messages and credentials).
    public let registry: String
    /// `scheme://api-host`.
    public let baseURL: URL
    public let retry: RetryPolicy
    let credential: RegistryCredential?
    let transport: HTTPTransport
    private let lock = NSLock()
    private var challenge: AuthChallenge?
    private var tokens: [String: (token: String, expires: Date)] = [:]
    /// Token requests made (for tests and `--json` statistics).
    public private(set) var tokenRequests = 0

    /// - Parameters:
    ///   - registry: `host[:port]`.
    ///   - apiHost: the host serving the API when it differs (Docker Hub).
    ///   - insecure: plain HTTP even when the host is not loopback.
    ///   - credential: user name and secret, when known.
    public init(registry: String, apiHost: String? = nil, insecure: Bool = false, credential: RegistryCredential?,
                retry: RetryPolicy = .default, idleTimeout: TimeInterval = 60) throws(RemoteError) {
        let ref = RemoteReference(registry: registry, repository: "x")
        let scheme = insecure || ref.isLoopback ? "http" : "https"
        guard let url = URL(string: "\(scheme)://\(apiHost ?? registry)") else {
            throw .invalidReference(registry, reason: "not a valid host")
        }
        self.registry = registry
        baseURL = url
        self.credential = credential
        self.retry = retry
        transport = HTTPTransport(idleTimeout: idleTimeout)
    }

    /// A client for `reference`'s registry, with the credential stored for it in `credentials` (if any).
    public static func forReference(_ reference: RemoteReference, insecure: Bool = false, credentials: DockerCredentials?,
                                    retry: RetryPolicy = .default) throws -> RegistryClient {
        var credential: RegistryCredential?
        if let credentials { credential = try credentials.credential(for: reference.registry) }
        return try RegistryClient(registry: reference.registry, apiHost: reference.apiHost, insecure: insecure, credential: credential, retry: retry)
    }

    deinit { transport.invalidate() }

    // MARK: - Requests

    /// One request against the registry API.
    struct Request {
        var method: String
        var url: URL
        var headers: [String: String] = [:]
        var body: Data?
        /// Repository the request is about (the token scope) and the actions needed on it.
        var repository: String?
        var actions = "pull"
        /// Further scopes (`repository:<from>:pull` for a cross-repository mount).
        var extraScopes: [String] = []
        var operation: String
    }

    func url(_ path: String, query: [URLQueryItem] = []) -> URL {
        var c = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) ?? URLComponents()
        c.path = path
        if !query.isEmpty { c.queryItems = query }
        return c.url ?? baseURL
    }

    /// Sends `request`, answering an auth challenge once, following redirects (GET/HEAD) and retrying
    /// connection failures and 5xx answers when `retrying` (only for requests that can be repeated as they are).
    func send(_ request: Request, sink: HTTPBodySink = .collect(limit: 4 << 20), retrying: Bool? = nil) throws(RemoteError) -> HTTPResponse {
        let canRetry = retrying ?? (request.method == "GET" || request.method == "HEAD")
        var attempt = 0
        var answeredChallenge = false
        var url = request.url
        var redirects = 0
        while true {
            var r = URLRequest(url: url)
            r.httpMethod = request.method
            for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
            let sameOrigin = Self.sameOrigin(url, baseURL)
            if sameOrigin, let auth = try authorization(for: request) { r.setValue(auth, forHTTPHeaderField: "Authorization") }
            let response: HTTPResponse
            do {
                response = try transport.perform(r, body: request.body, sink: sink)
            } catch {
                if let inner = error.consumerError as? RemoteError { throw inner }
                if canRetry, attempt + 1 < retry.attempts {
                    Thread.sleep(forTimeInterval: retry.delay(attempt)); attempt += 1; continue
                }
                throw .network(registry: registry, operation: request.operation, reason: error.reason)
            }
            if response.status == 401, sameOrigin, !answeredChallenge {
                answeredChallenge = true
                if try learnChallenge(response, for: request) { continue }
            }
            if [301, 302, 303, 307, 308].contains(response.status), request.method == "GET" || request.method == "HEAD",
               let location = response.header("location"), let next = URL(string: location, relativeTo: url)?.absoluteURL {
                redirects += 1
                guard redirects <= 5 else { throw .http(registry: registry, repository: request.repository, operation: request.operation, status: response.status, detail: "more than 5 redirects") }
                guard next.scheme == "https" || next.scheme == "http" else {
                    throw .http(registry: registry, repository: request.repository, operation: request.operation, status: response.status, detail: "redirect to unsupported URL \(location.prefix(200))")
                }
                url = next
                continue
            }
            if response.status >= 500, canRetry, attempt + 1 < retry.attempts {
                Thread.sleep(forTimeInterval: retry.delay(attempt)); attempt += 1; continue
            }
            return response
        }
    }

    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme == b.scheme && a.host?.lowercased() == b.host?.lowercased() && (a.port ?? -1) == (b.port ?? -1)
    }

    // MARK: - Authentication

    /// Records the challenge of a 401 and drops tokens that no longer work. Returns whether retrying can help.
    private func learnChallenge(_ response: HTTPResponse, for request: Request) throws(RemoteError) -> Bool {
        let challenges = AuthChallenge.parse(response.header("www-authenticate") ?? "")
        guard let chosen = challenges.first(where: { $0.scheme == "bearer" }) ?? challenges.first(where: { $0.scheme == "basic" }) else {
            throw unauthorized(request, detail: "the registry sent no Basic or Bearer challenge")
        }
        lock.lock()
        challenge = chosen
        tokens[scopeKey(for: request)] = nil
        lock.unlock()
        if chosen.scheme == "basic", credential == nil {
            throw unauthorized(request, detail: "no credentials stored for \(registry)")
        }
        return true
    }

    func unauthorized(_ request: Request, detail: String) -> RemoteError {
        .unauthorized(registry: registry, repository: request.repository, detail: detail)
    }

    private func scopes(for request: Request) -> [String] {
        var s: [String] = []
        if let repo = request.repository { s.append("repository:\(repo):\(request.actions)") }
        s += request.extraScopes
        return s
    }

    private func scopeKey(for request: Request) -> String { scopes(for: request).joined(separator: " ") }

    /// The `Authorization` value for `request`, fetching a Bearer token when needed.
    private func authorization(for request: Request) throws(RemoteError) -> String? {
        lock.lock()
        let challenge = self.challenge
        let key = scopeKey(for: request)
        let cached = tokens[key]
        lock.unlock()
        guard let challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            guard let credential else { return nil }
            return "Basic " + Data("\(credential.username):\(credential.secret)".utf8).base64EncodedString()
        case "bearer":
            if let cached, cached.expires > Date().addingTimeInterval(5) { return "Bearer " + cached.token }
            let token = try fetchToken(challenge, scopes: scopes(for: request), request: request)
            lock.lock()
            tokens[key] = token
            lock.unlock()
            return "Bearer " + token.token
        default:
            return nil
        }
    }

    /// `GET realm?service=…&scope=…` (one `scope` parameter per scope), with Basic credentials when known.
    private func fetchToken(_ challenge: AuthChallenge, scopes: [String], request: Request) throws(RemoteError) -> (token: String, expires: Date) {
        guard let realm = challenge.realm, var c = URLComponents(string: realm), let scheme = c.scheme, let host = c.host else {
            throw unauthorized(request, detail: "the Bearer challenge has no usable realm")
        }
        let loopback = host == "localhost" || host.hasPrefix("127.")
        guard scheme == "https" || (scheme == "http" && (loopback || baseURL.scheme == "http")) else {
            throw unauthorized(request, detail: "the token realm \(realm.prefix(200)) is not HTTPS")
        }
        var items = c.queryItems ?? []
        if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
        for s in scopes { items.append(URLQueryItem(name: "scope", value: s)) }
        c.queryItems = items.isEmpty ? nil : items
        guard let url = c.url else { throw unauthorized(request, detail: "the token realm is not a valid URL") }
        var r = URLRequest(url: url)
        if let credential {
            r.setValue("Basic " + Data("\(credential.username):\(credential.secret)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        lock.lock(); tokenRequests += 1; lock.unlock()
        var attempt = 0
        var response: HTTPResponse
        while true {
            do { response = try transport.perform(r, body: nil, sink: .collect(limit: 1 << 20)) } catch {
                if attempt + 1 < retry.attempts { Thread.sleep(forTimeInterval: retry.delay(attempt)); attempt += 1; continue }
                throw .network(registry: registry, operation: "get a token from \(realm.prefix(200))", reason: error.reason)
            }
            if response.status >= 500, attempt + 1 < retry.attempts { Thread.sleep(forTimeInterval: retry.delay(attempt)); attempt += 1; continue }
            break
        }
        guard response.status == 200 else {
            let who = credential.map { "user \"\($0.username)\"" } ?? "anonymous access"
            throw unauthorized(request, detail: "the token service refused \(who) (HTTP \(response.status))")
        }
        guard let json = try? JSONValue.parse(response.body),
              let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue, !token.isEmpty else {
            throw unauthorized(request, detail: "the token service's answer has no token")
        }
        let lifetime = json["expires_in"]?.intValue.map { max(1, min($0, 86_400)) } ?? 60
        return (token, Date().addingTimeInterval(TimeInterval(lifetime)))
    }

    // MARK: - Errors

    /// The ``RemoteError`` for an unexpected answer, using the registry's `{"errors":[{code,message}]}` body.
    func failure(_ response: HTTPResponse, _ request: Request, digest: String? = nil) -> RemoteError {
        var code = "", message = ""
        if let json = try? JSONValue.parse(response.body), let first = json["errors"]?.arrayValue?.first {
            code = first["code"]?.stringValue ?? ""
            message = first["message"]?.stringValue ?? ""
        }
        let repo = request.repository ?? ""
        switch (response.status, code) {
        case (401, _):
            let who = credential.map { "the registry refused the credentials of user \"\($0.username)\"" } ?? "no credentials stored"
            return unauthorized(request, detail: message.isEmpty ? who : "\(who): \(message)")
        case (403, _), (_, "DENIED"): return .denied(registry: registry, repository: repo, operation: request.operation, detail: message.isEmpty ? "HTTP \(response.status)" : message)
        case (404, "NAME_UNKNOWN"): return .repositoryUnknown(registry: registry, repository: repo)
        case (404, "BLOB_UNKNOWN"), (_, "MANIFEST_BLOB_UNKNOWN"): return .blobUnknown(registry: registry, repository: repo, digest: digest ?? message)
        default:
            let detail = [code, message].filter { !$0.isEmpty }.joined(separator: ": ")
            return .http(registry: registry, repository: request.repository, operation: request.operation, status: response.status,
                         detail: String(detail.prefix(500)))
        }
    }

    // MARK: - Endpoints

    /// `GET /v2/`: checks that the registry answers and that the credentials (if any) are accepted.
    public func ping() throws(RemoteError) {
        let req = Request(method: "GET", url: url("/v2/"), operation: "connect")
        let r = try send(req)
        guard r.status == 200 else { throw failure(r, req) }
    }

    /// `HEAD` a blob: whether `repository` has it (with the right size when the registry says).
    public func blobExists(_ repository: String, _ descriptor: OCIDescriptor, actions: String = "pull") throws(RemoteError) -> Bool {
        let req = Request(method: "HEAD", url: url("/v2/\(repository)/blobs/\(descriptor.digest)"), repository: repository, actions: actions,
                          operation: "check blob \(descriptor.digest)")
        let r = try send(req)
        if r.status == 404 { return false }
        guard r.status == 200 else { throw failure(r, req, digest: descriptor.digest.description) }
        if let len = r.header("content-length").flatMap(Int.init), len != descriptor.size { return false }
        return true
    }

    /// A manifest's exact bytes, media type and digest (checked against the digest asked for, or the one the
    /// registry announces).
    public func manifest(_ repository: String, reference: String, limit: Int = 4 << 20) throws(RemoteError) -> (bytes: [UInt8], mediaType: String, digest: Digest) {
        let req = Request(method: "GET", url: url("/v2/\(repository)/manifests/\(reference)"),
                          headers: ["Accept": OCIMediaType.manifestAccept], repository: repository, operation: "get manifest \(reference)")
        let r: HTTPResponse
        do { r = try send(req, sink: .collect(limit: limit)) } catch let e {
            if case let .network(_, _, reason) = e, reason.contains("larger than") {
                throw .limitExceeded(registry: registry, what: "manifest \(repository):\(reference)", limit: limit, actual: limit + 1)
            }
            throw e
        }
        if r.status == 404 {
            let tags = (try? self.tags(repository, limit: 200)) ?? []
            if case .repositoryUnknown = failure(r, req) { throw .repositoryUnknown(registry: registry, repository: repository) }
            throw .manifestUnknown(registry: registry, repository: repository, reference: reference, existingTags: tags)
        }
        guard r.status == 200 else { throw failure(r, req) }
        let digest = Digest(of: r.body)
        let expected = Digest(parsing: reference) ?? r.header("docker-content-digest").flatMap { Digest(parsing: $0) }
        if let expected, expected != digest {
            throw .digestMismatch(registry: registry, repository: repository, what: "manifest \(reference)", expected: expected.description, actual: digest.description)
        }
        let type = r.header("content-type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return (r.body, type, digest)
    }

    /// `PUT` a manifest under `reference` (a tag or its digest) with its exact media type; returns its digest.
    @discardableResult
    public func putManifest(_ repository: String, reference: String, bytes: [UInt8], mediaType: String) throws(RemoteError) -> Digest {
        let digest = Digest(of: bytes)
        let req = Request(method: "PUT", url: url("/v2/\(repository)/manifests/\(reference)"), headers: ["Content-Type": mediaType],
                          body: Data(bytes), repository: repository, actions: "pull,push", operation: "put manifest \(reference)")
        let r = try send(req, retrying: true)
        guard r.status == 201 || r.status == 200 else { throw failure(r, req) }
        if let announced = r.header("docker-content-digest").flatMap({ Digest(parsing: $0) }), announced != digest {
            throw .digestMismatch(registry: registry, repository: repository, what: "manifest \(reference) as stored", expected: digest.description, actual: announced.description)
        }
        return digest
    }

    /// A small blob (config, signature) read into memory, size and digest checked.
    public func smallBlob(_ repository: String, _ descriptor: OCIDescriptor, limit: Int = 1 << 20) throws(RemoteError) -> [UInt8] {
        guard descriptor.size >= 0, descriptor.size <= limit else {
            throw .limitExceeded(registry: registry, what: "blob \(descriptor.digest) size", limit: limit, actual: descriptor.size)
        }
        let req = Request(method: "GET", url: url("/v2/\(repository)/blobs/\(descriptor.digest)"), repository: repository,
                          operation: "get blob \(descriptor.digest)")
        let r = try send(req, sink: .collect(limit: limit))
        guard r.status == 200 else { throw failure(r, req, digest: descriptor.digest.description) }
        guard r.body.count == descriptor.size else {
            throw .sizeMismatch(registry: registry, repository: repository, what: "blob \(descriptor.digest)", expected: descriptor.size, actual: r.body.count)
        }
        let actual = Digest(of: r.body)
        guard actual == descriptor.digest else {
            throw .digestMismatch(registry: registry, repository: repository, what: "blob \(descriptor.digest)", expected: descriptor.digest.description, actual: actual.description)
        }
        return r.body
    }
}
