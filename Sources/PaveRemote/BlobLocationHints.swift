import Foundation
import PaveFormat
#if canImport(Glibc)
import Glibc
#endif

/// Which repository of a registry is known to hold a blob, remembered from earlier pushes and pulls
/// (`PAVE_HOME/remote/blob-locations.json`), so that a push can mount the blob across repositories instead of
/// uploading it again. Only a hint: a mount that fails falls back to an upload.
public struct BlobLocationHints: Sendable {
    public let url: URL
    /// Entries kept per registry (the oldest are dropped first).
    public static let maxEntriesPerRegistry = 50_000

    public init(home: URL) {
        url = home.appendingPathComponent("remote").appendingPathComponent("blob-locations.json")
    }

    private func load() -> [String: [String: JSONValue]] {
        guard let data = FileManager.default.contents(atPath: url.path), data.count <= 64 << 20,
              let json = try? JSONValue.parse([UInt8](data)), let registries = json["registries"]?.objectValue else { return [:] }
        return registries.compactMapValues(\.objectValue)
    }

    /// Repositories of `registry` other than `excluding` known to hold `digest`.
    public func repositories(holding digest: Digest, registry: String, excluding: String) -> [String] {
        guard let repo = load()[registry]?[digest.hex]?["repo"]?.stringValue, repo != excluding else { return [] }
        return [repo]
    }

    /// Records that `repository` of `registry` holds `digests` (best effort: a failure to write is ignored).
    public func record(_ digests: [Digest], registry: String, repository: String) {
        let lockPath = url.path + ".lock"
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return }
        defer { flock(fd, LOCK_UN) }
        var all = load()
        var entries = all[registry] ?? [:]
        let now = Int64(Date().timeIntervalSince1970)
        for d in digests { entries[d.hex] = .object(["repo": .string(repository), "seen": .int(now)]) }
        if entries.count > Self.maxEntriesPerRegistry {
            let sorted = entries.sorted { ($0.value["seen"]?.intValue ?? 0) < ($1.value["seen"]?.intValue ?? 0) }
            for (k, _) in sorted.prefix(entries.count - Self.maxEntriesPerRegistry) { entries[k] = nil }
        }
        all[registry] = entries
        let value = JSONValue.object(["registries": .object(all.mapValues { JSONValue.object($0) })])
        try? AtomicFileWriter.write(value.canonicalData(), to: url)
    }
}
