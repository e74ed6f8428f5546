import struct Crypto.SHA256
import Foundation
import PaveFormat
#if canImport(Glibc)
import Glibc
#endif

/// Blobs being downloaded, kept by digest under `PAVE_HOME/downloads/sha256/`:
///
/// ```
/// <hex>.partial   bytes received so far (a re-run resumes with `Range: bytes=<size>-`)
/// <hex>           complete: size and SHA-256 checked, fsynced, renamed from .partial
/// <hex>.lock      flock held while one process downloads the blob (another pull of it waits, then reuses it)
/// ```
public struct BlobDownloads: Sendable {
    /// `PAVE_HOME/downloads/sha256`.
    public let directory: URL

    /// The downloads directory of the store at `home`.
    public init(home: URL) {
        directory = home.appendingPathComponent("downloads").appendingPathComponent("sha256")
    }

    func url(_ digest: Digest, suffix: String = "") -> URL { directory.appendingPathComponent(digest.hex + suffix) }

    func prepare() throws(RemoteError) {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, operation: "create downloads directory", reason: "\(error)")
        }
    }

    /// Bytes already received for `digest` (complete or partial).
    public func bytesOnDisk(_ digest: Digest) -> Int {
        for suffix in ["", ".partial"] {
            var st = stat()
            if stat(url(digest, suffix: suffix).path, &st) == 0 { return Int(st.st_size) }
        }
        return 0
    }

    /// Removes the complete download of `digest` (once it is in the store).
    func remove(_ digest: Digest) {
        unlink(url(digest).path)
        unlink(url(digest, suffix: ".lock").path)
    }

    /// Downloads `descriptor` from `repository` (or finds it complete on disk) and returns the complete file
    /// and the bytes this call received. The body is hashed while it streams; more bytes than the size, an
    /// empty or short body (after retries, each resuming where the last stopped) or a wrong digest is an error,
    /// and a wrong digest discards the partial file so that a re-run starts clean.
    /// - Parameter progress: called with each number of bytes received.
    public func fetch(_ descriptor: OCIDescriptor, from repository: String, client: RegistryClient,
                      progress: (@Sendable (Int) -> Void)? = nil) throws -> (url: URL, received: Int) {
        try prepare()
        let lockPath = url(descriptor.digest, suffix: ".lock").path
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw RemoteError.io(path: lockPath, operation: "open lock", reason: String(cString: strerror(errno))) }
        defer { close(lockFD) }
        while flock(lockFD, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RemoteError.io(path: lockPath, operation: "flock", reason: String(cString: strerror(errno))) }
        }
        defer { flock(lockFD, LOCK_UN) }

        let complete = url(descriptor.digest)
        if let file = try? RandomAccessFile(complete) {
            if file.size == descriptor.size, (try? Self.hash(file)) == descriptor.digest { return (complete, 0) }
            unlink(complete.path)
        }
        let partial = url(descriptor.digest, suffix: ".partial")
        let fd = open(partial.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RemoteError.io(path: partial.path, operation: "open", reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let state = try DownloadState(fd: fd, path: partial.path, size: descriptor.size)
        state.registry = client.registry
        state.repository = repository
        var received = 0
        var attempt = 0
        let what = "blob \(descriptor.digest)"
        while state.offset < descriptor.size || descriptor.size == 0 {
            var req = RegistryClient.Request(method: "GET", url: client.url("/v2/\(repository)/blobs/\(descriptor.digest)"),
                                             repository: repository, operation: "download \(what)")
            let start = state.offset
            if start > 0 { req.headers["Range"] = "bytes=\(start)-" }
            state.expectStart = start
            state.sawBody = false
            let sink = HTTPBodySink.stream { [state] head, bytes in
                try state.consume(head, bytes)
                progress?(bytes.count)
            }
            var failure: RemoteError?
            do {
                let r = try client.send(req, sink: sink, retrying: false)
                if r.status == 416 { try state.reset() } else if r.status == 200 || r.status == 206 {
                    if r.status == 200, !state.sawBody, start > 0 { try state.reset() }  // a full (empty) answer to a range request
                } else {
                    throw client.failure(r, req, digest: descriptor.digest.description)
                }
            } catch let e as RemoteError {
                switch e {
                case .network, .http: failure = e
                default: throw e
                }
            }
            received += state.offset - start > 0 ? state.offset - start : 0
            if descriptor.size == 0 { break }
            if state.offset < descriptor.size {
                guard attempt + 1 < client.retry.attempts else {
                    throw failure ?? RemoteError.sizeMismatch(registry: client.registry, repository: repository, what: what + " (the body ended early)",
                                                              expected: descriptor.size, actual: state.offset)
                }
                Thread.sleep(forTimeInterval: client.retry.delay(attempt))
                attempt += 1
            }
        }
        let actual = Digest(finalizing: state.hasher)
        guard actual == descriptor.digest else {
            unlink(partial.path)
            throw RemoteError.digestMismatch(registry: client.registry, repository: repository, what: what,
                                             expected: descriptor.digest.description, actual: actual.description)
        }
        guard fsync(fd) == 0, rename(partial.path, complete.path) == 0 else {
            throw RemoteError.io(path: partial.path, operation: "fsync and rename", reason: String(cString: strerror(errno)))
        }
        let dfd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        return (complete, received)
    }

    static func hash(_ file: RandomAccessFile) throws -> Digest { try Digest(of: FileByteSource(file: file)) }
}

/// The partial file of one download: where the next byte goes and the hash so far.
private final class DownloadState: @unchecked Sendable {  // unchecked: used by one request at a time
    let fd: Int32
    let path: String
    let size: Int
    var offset = 0
    var hasher = SHA256()
    var expectStart = 0
    var sawBody = false
    var registry = ""
    var repository = ""

    init(fd: Int32, path: String, size: Int) throws {
        self.fd = fd; self.path = path; self.size = size
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw RemoteError.io(path: path, operation: "fstat", reason: String(cString: strerror(errno))) }
        let existing = Int(st.st_size)
        if existing > size { try reset(); return }
        // Re-hash what an earlier run received.
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var done = 0
        while done < existing {
            let n = min(buffer.count, existing - done)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(done)) }
            guard got > 0 else { try reset(); return }
            hasher.update(data: buffer[0..<got])
            done += got
        }
        offset = existing
    }

    func reset() throws {
        guard ftruncate(fd, 0) == 0 else { throw RemoteError.io(path: path, operation: "truncate", reason: String(cString: strerror(errno))) }
        offset = 0
        hasher = SHA256()
    }

    func consume(_ head: HTTPResponse, _ bytes: [UInt8]) throws {
        if !sawBody {
            sawBody = true
            if head.status == 200, expectStart > 0 { try reset() }  // the registry ignored Range: start over
            if head.status == 206 {
                let range = head.header("content-range").flatMap { ContentRange(header: $0) }
                guard let range, range.first == offset, range.completeLength.map({ $0 == size }) ?? true else {
                    let said = head.header("content-range").map { "\"\($0.prefix(80))\"" } ?? "no Content-Range"
                    throw RemoteError.io(path: path, operation: "resume",
                                         reason: "the registry answered \(said) to a request for bytes \(offset)- of \(size)")
                }
            }
        }
        guard bytes.count <= size - offset else {
            throw RemoteError.sizeMismatch(registry: registry, repository: repository, what: "blob \((path as NSString).lastPathComponent.prefix(64))", expected: size, actual: offset + bytes.count)
        }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress?.advanced(by: done), bytes.count - done, off_t(offset + done)) }
            guard n > 0 else { throw RemoteError.io(path: path, operation: "write", reason: String(cString: strerror(errno))) }
            done += n
        }
        hasher.update(data: bytes)
        offset += bytes.count
    }
}
