import Crypto
import Foundation
import PaveFormat
import PaveModel
import PaveTorch

/// SHA-256 digests of files and byte strings as lowercase hex (provenance records, tests).
public enum ContentDigest {
    /// Hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        hex(Array(SHA256.hash(data: Array(bytes))))
    }

    /// Hex SHA-256 of the file at `url`, read in 8 MiB chunks; `progress(done, total)` after each chunk.
    public static func sha256Hex(fileAt url: URL, progress: ((Int64, Int64) -> Void)? = nil) throws -> String {
        try sha256Hex(of: FileByteSource(url), progress: progress)
    }

    /// Hex SHA-256 of every byte of `source`, read in 8 MiB chunks; `progress(done, total)` after each chunk.
    public static func sha256Hex(of source: some PaveByteSource, progress: ((Int64, Int64) -> Void)? = nil) throws -> String {
        try Digest(of: source, chunkSize: 8 << 20, progress: progress).hex
    }

    static func hex(_ bytes: [UInt8]) -> String { Digest.hexString(bytes) }
}
