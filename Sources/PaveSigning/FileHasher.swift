@preconcurrency import Crypto
import Foundation
import PaveFormat

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a whole file, read in fixed 1 MiB pieces: memory stays bounded whatever the file size
/// (cosign reads whole blobs into memory; pavepkg does not).
public enum FileHasher {
    /// The piece size.
    public static let bufferSize = 1 << 20

    /// Hashes the file at `url`.
    /// - Throws: ``SigningError`` `.io` naming the file.
    public static func sha256(of url: URL) throws(SigningError) -> (digest: PaveFormat.Digest, size: Int) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SigningError(.io, "\(url.path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var hasher = SHA256()
        var total = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, bufferSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw SigningError(.io, "\(url.path): read failed after \(total) bytes (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += n
        }
        return (PaveFormat.Digest(finalizing: hasher), total)
    }
}
