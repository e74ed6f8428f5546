import Crypto

/// SHA-256 as the container computes it (exposed for benchmarks and tools).
public enum PaveDigestProbe {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// SHA-256 fed in 1 MiB pieces through `update(bufferPointer:)`.
    public static func sha256Pieces(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        bytes.withUnsafeBytes { b in
            var o = 0
            while o < b.count {
                let n = min(1 << 20, b.count - o)
                h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: b[o..<o + n]))
                o += n
            }
        }
        return Array(h.finalize())
    }
}
