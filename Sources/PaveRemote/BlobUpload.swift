import struct Crypto.SHA256
import Foundation
import PaveFormat

/// What happened to one blob of a push.
public enum BlobUploadOutcome: String, Codable, Sendable {
    /// The repository already had it (`HEAD` 200): nothing sent.
    case existing
    /// Mounted from another repository of the same registry: nothing sent.
    case mounted
    /// Uploaded.
    case uploaded
}

extension RegistryClient {
    /// Blobs up to this size are sent in one `PUT`; larger ones in `PATCH` chunks of this size.
    public static let uploadChunkSize = 16 << 20

    /// Makes sure `repository` has the blob `descriptor`: `HEAD` first, then a cross-repository mount from
    /// each of `mountFrom`, and an upload (`POST`, then `PUT`, with `PATCH` chunks for a large blob) only when
    /// both fail. The bytes come from `read(offset, count)`; the uploaded bytes are hashed on the way and must
    /// match the descriptor. A broken connection or a 5xx restarts the upload of this blob (up to
    /// ``RetryPolicy/attempts`` times).
    /// - Parameter sent: called with the number of bytes each request sent.
    public func uploadBlob(_ repository: String, _ descriptor: OCIDescriptor, mountFrom: [String] = [],
                           read: (Int, Int) throws -> [UInt8], sent: ((Int) -> Void)? = nil) throws -> BlobUploadOutcome {
        if try blobExists(repository, descriptor, actions: "pull,push") { return .existing }
        var location: URL?
        for source in mountFrom where source != repository {
            let req = Request(method: "POST", url: url("/v2/\(repository)/blobs/uploads/", query: [
                URLQueryItem(name: "mount", value: descriptor.digest.description), URLQueryItem(name: "from", value: source)]),
                body: Data(), repository: repository, actions: "pull,push", extraScopes: ["repository:\(source):pull"],
                operation: "mount blob \(descriptor.digest) from \(source)")
            let r = try send(req, retrying: true)
            if r.status == 201 { return .mounted }
            if r.status == 202 { location = uploadLocation(r); break }
            // Anything else (no access to the source, …): fall through to a plain upload.
        }
        var attempt = 0
        while true {
            do {
                try upload(repository, descriptor, location: location, read: read, sent: sent)
                return .uploaded
            } catch let e as RemoteError {
                location = nil
                let transient: Bool
                switch e {
                case .network: transient = true
                case let .http(_, _, _, status, _): transient = status >= 500
                default: transient = false
                }
                guard transient, attempt + 1 < retry.attempts else { throw e }
                Thread.sleep(forTimeInterval: retry.delay(attempt))
                attempt += 1
            }
        }
    }

    private func uploadLocation(_ r: HTTPResponse) -> URL? {
        guard let loc = r.header("location") else { return nil }
        return URL(string: loc, relativeTo: r.url)?.absoluteURL
    }

    private func upload(_ repository: String, _ d: OCIDescriptor, location start: URL?, read: (Int, Int) throws -> [UInt8],
                        sent: ((Int) -> Void)?) throws {
        var location = start
        if location == nil {
            let req = Request(method: "POST", url: url("/v2/\(repository)/blobs/uploads/"), body: Data(), repository: repository,
                              actions: "pull,push", operation: "start upload of blob \(d.digest)")
            let r = try send(req, retrying: true)
            guard r.status == 202 || r.status == 201 else { throw failure(r, req) }
            location = uploadLocation(r)
        }
        guard var loc = location else {
            throw RemoteError.http(registry: registry, repository: repository, operation: "start upload of blob \(d.digest)", status: 202, detail: "no Location header")
        }
        var hasher = SHA256()
        var offset = 0
        var finalBody = Data()
        if d.size <= Self.uploadChunkSize {
            let bytes = try read(0, d.size)
            hasher.update(data: bytes)
            finalBody = Data(bytes)
            offset = d.size
        } else {
            while offset < d.size {
                let n = min(Self.uploadChunkSize, d.size - offset)
                let bytes = try read(offset, n)
                hasher.update(data: bytes)
                let req = Request(method: "PATCH", url: loc, headers: [
                    "Content-Type": "application/octet-stream", "Content-Range": "\(offset)-\(offset + n - 1)"],
                    body: Data(bytes), repository: repository, actions: "pull,push", operation: "upload blob \(d.digest) bytes \(offset)+\(n)")
                let r = try send(req, retrying: false)
                guard r.status == 202 else { throw failure(r, req, digest: d.digest.description) }
                if let next = uploadLocation(r) { loc = next }
                offset += n
                sent?(n)
            }
        }
        guard Digest(finalizing: hasher) == d.digest else {
            throw RemoteError.io(path: "blob \(d.digest)", operation: "upload", reason: "the local bytes changed while they were being uploaded")
        }
        // Append to the Location as sent (its `_state` parameter must stay byte for byte).
        let text = loc.absoluteString
        guard let putURL = URL(string: text + (text.contains("?") ? "&" : "?") + "digest=" + d.digest.description) else {
            throw RemoteError.http(registry: registry, repository: repository, operation: "upload blob \(d.digest)", status: 202, detail: "bad Location")
        }
        let req = Request(method: "PUT", url: putURL, headers: ["Content-Type": "application/octet-stream"], body: finalBody,
                          repository: repository, actions: "pull,push", operation: "finish upload of blob \(d.digest)")
        let r = try send(req, retrying: false)
        guard r.status == 201 else { throw failure(r, req, digest: d.digest.description) }
        if !finalBody.isEmpty { sent?(finalBody.count) }
    }
}
