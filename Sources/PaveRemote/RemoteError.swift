import PaveFormat

/// Everything that can go wrong talking to an OCI registry. Each case names the registry, the repository and
/// the blob or tag involved, and what was expected; ``code`` is stable for `--json` output.
public enum RemoteError: PaveError, Equatable {
    /// A `registry/repository[:tag|@digest]` reference cannot be parsed.
    case invalidReference(String, reason: String)
    /// The registry refused our credentials (or we have none): HTTP 401.
    case unauthorized(registry: String, repository: String?, detail: String)
    /// Authenticated, but not allowed to do this: HTTP 403 / `DENIED`.
    case denied(registry: String, repository: String, operation: String, detail: String)
    /// The manifest (tag or digest) does not exist; `existingTags` lists what does (may be empty).
    case manifestUnknown(registry: String, repository: String, reference: String, existingTags: [String])
    /// The repository does not exist.
    case repositoryUnknown(registry: String, repository: String)
    /// A blob the manifest lists is missing from the registry.
    case blobUnknown(registry: String, repository: String, digest: String)
    /// The registry could not be reached, or the connection broke (after retries).
    case network(registry: String, operation: String, reason: String)
    /// An unexpected HTTP status, with the registry's own error code and message when it sent one.
    case http(registry: String, repository: String?, operation: String, status: Int, detail: String)
    /// Downloaded bytes do not hash to the digest asked for.
    case digestMismatch(registry: String, repository: String, what: String, expected: String, actual: String)
    /// The registry sent fewer or more bytes than the descriptor's size.
    case sizeMismatch(registry: String, repository: String, what: String, expected: Int, actual: Int)
    /// The manifest is not a pave patch, or breaks the artifact rules (spec/oci-artifact.md).
    case notAPatch(registry: String, repository: String, reference: String, reason: String)
    /// The patch was made for another base model (refused from the config blob, before downloading tensors).
    case baseMismatch(registry: String, repository: String, reference: String, wanted: String, patchBase: String)
    /// A value from the network exceeds a limit (manifest, config, layer count, index).
    case limitExceeded(registry: String, what: String, limit: Int, actual: Int)
    /// A tag cannot be used (OCI tags are `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
    case invalidTag(String, reason: String)
    /// Docker's credential file or a credential helper failed.
    case credentials(registry: String, source: String, reason: String)
    /// A local file operation failed (downloads directory, output file).
    case io(path: String, operation: String, reason: String)

    public var code: String {
        switch self {
        case .invalidReference: return "remote.invalid_reference"
        case .unauthorized: return "remote.unauthorized"
        case .denied: return "remote.denied"
        case .manifestUnknown: return "remote.manifest_unknown"
        case .repositoryUnknown: return "remote.repository_unknown"
        case .blobUnknown: return "remote.blob_unknown"
        case .network: return "remote.network"
        case .http: return "remote.http"
        case .digestMismatch: return "remote.digest_mismatch"
        case .sizeMismatch: return "remote.size_mismatch"
        case .notAPatch: return "remote.not_a_patch"
        case .baseMismatch: return "remote.base_mismatch"
        case .limitExceeded: return "remote.limit_exceeded"
        case .invalidTag: return "remote.invalid_tag"
        case .credentials: return "remote.credentials"
        case .io: return "remote.io"
        }
    }

    /// Damaged or refused artifacts are `invalidInput` / `checkFailed` (exit 1); network, auth, missing
    /// things and usage are `io` / `usage` (exit 2).
    public var category: PaveErrorCategory {
        switch self {
        case .invalidReference, .invalidTag, .manifestUnknown, .repositoryUnknown: return .usage
        case .unauthorized, .denied, .network, .http, .credentials, .io, .blobUnknown: return .io
        case .digestMismatch, .sizeMismatch, .baseMismatch: return .checkFailed
        case .notAPatch, .limitExceeded: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case let .invalidReference(text, reason):
            return "invalid registry reference \"\(text.prefix(200))\": \(reason) (expected REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST], e.g. 127.0.0.1:5000/team/patch:1.0.0)"
        case let .unauthorized(registry, repository, detail):
            let what = repository.map { "repository \($0) on \(registry)" } ?? registry
            return "\(what): authentication required or refused (\(detail))"
        case let .denied(registry, repository, operation, detail):
            return "\(registry)/\(repository): \(operation) denied (\(detail)); the account lacks permission"
        case let .manifestUnknown(registry, repository, reference, tags):
            let known = tags.isEmpty ? "the repository has no tags" : "existing tags: " + tags.prefix(30).joined(separator: ", ") + (tags.count > 30 ? ", …" : "")
            return "\(registry)/\(repository): no manifest \"\(reference)\"; \(known)"
        case let .repositoryUnknown(registry, repository):
            return "\(registry): no repository \"\(repository)\""
        case let .blobUnknown(registry, repository, digest):
            return "\(registry)/\(repository): blob \(digest) is missing from the registry (the artifact is incomplete; push it again)"
        case let .network(registry, operation, reason):
            return "\(registry): \(operation) failed: \(reason) (is the registry running and reachable? a re-run resumes)"
        case let .http(registry, repository, operation, status, detail):
            let at = repository.map { "\(registry)/\($0)" } ?? registry
            return "\(at): \(operation) failed with HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        case let .digestMismatch(registry, repository, what, expected, actual):
            return "\(registry)/\(repository): \(what) is damaged: expected \(expected), the bytes hash to \(actual) (refused; the copy in the registry is corrupt)"
        case let .sizeMismatch(registry, repository, what, expected, actual):
            return "\(registry)/\(repository): \(what) should be \(expected) bytes, the registry sent \(actual) (refused)"
        case let .notAPatch(registry, repository, reference, reason):
            return "\(registry)/\(repository):\(reference) is not a pave patch artifact: \(reason)"
        case let .baseMismatch(registry, repository, reference, wanted, patchBase):
            return "\(registry)/\(repository):\(reference) is for base \(patchBase), not \(wanted) (refused before downloading tensor data)"
        case let .limitExceeded(registry, what, limit, actual):
            return "\(registry): \(what) is \(actual), over the limit of \(limit) (refused)"
        case let .invalidTag(tag, reason):
            return "invalid tag \"\(tag.prefix(200))\": \(reason)"
        case let .credentials(registry, source, reason):
            return "credentials for \(registry) from \(source): \(reason)"
        case let .io(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        }
    }
}
