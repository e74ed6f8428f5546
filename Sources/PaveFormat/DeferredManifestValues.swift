import Foundation

/// Manifest string values that are known only after the tensors have been read — the SHA-256 of a file that is
/// still being extracted while the writer packs its tensors. Each value is first written into the manifest as a
/// unique placeholder of the same length (64 random hex digits, so any rule on hex digests still holds); the
/// writer replaces the placeholders in the manifest bytes, in place, before it computes the patch digest
/// (``PaveWriter/write(manifest:tensors:to:options:deferred:)``). Offsets do not move, so the file is byte for
/// byte what writing the final manifest directly would give.
public final class DeferredManifestValues: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [(placeholder: String, resolve: @Sendable () throws -> String)] = []

    public init() {}

    /// Whether no value is pending.
    public var isEmpty: Bool { lock.withLock { pending.isEmpty } }

    /// A placeholder for the 64-hex-digit value `resolve` will return once the tensors have been read
    /// (`resolve` may wait for it, and throws when the value cannot be had).
    public func placeholder(forHexDigest resolve: @escaping @Sendable () throws -> String) -> String {
        var rng = SystemRandomNumberGenerator()
        let hex = (0..<4).map { _ in String(rng.next() as UInt64, radix: 16) }
            .map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
        lock.withLock { pending.append((hex, resolve)) }
        return hex
    }

    /// Waits for every value and returns `manifestBytes` with each placeholder replaced (everywhere it occurs).
    /// Every value is resolved even when its placeholder is no longer in the manifest (other fields were given
    /// over it), so a value that fails — a damaged entry — still fails the write.
    /// - Throws: what a resolver throws; ``PaveFormatError/invalidInput(tensor:reason:)`` when a value is not
    ///   64 lowercase hex digits.
    public func resolve(_ manifestBytes: [UInt8]) throws -> [UInt8] {
        var out = manifestBytes
        for (placeholder, resolve) in lock.withLock({ pending }) {
            let value = try resolve()
            let v = Array(value.utf8), p = Array(placeholder.utf8)
            guard v.count == p.count, Digest(hex: value) != nil else {
                throw PaveFormatError.invalidInput(tensor: "(manifest)", reason: "a deferred manifest value is not 64 lowercase hex digits")
            }
            var i = 0
            while i + p.count <= out.count {
                if out[i] == p[0], out[i..<(i + p.count)].elementsEqual(p) {
                    out.replaceSubrange(i..<(i + p.count), with: v)
                    i += p.count
                } else {
                    i += 1
                }
            }
        }
        return out
    }
}
