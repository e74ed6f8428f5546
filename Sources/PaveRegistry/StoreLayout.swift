import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where everything lives under `PAVE_HOME` (default `~/.pave`):
///
/// ```
/// PAVE_HOME/
///   index.sqlite (+ -wal, -shm)      the SQLite index (WAL mode)
///   lock                             flock: installs share it, gc / doctor --rebuild take it exclusively
///   blobs/sha256/<2 hex>/<64 hex>    content-addressed blobs: each tensor data region, each patch head
///   patches/<64 hex>.json            recipe of an installed patch: its segments in file order
/// ```
///
/// Every path is built from a digest the registry computed itself (64 lowercase hex digits), never from a
/// name or any other string a patch supplies, and is checked to stay inside the home directory.
public struct StoreLayout: Sendable, Equatable {
    /// The absolute, standardised home directory.
    public let home: URL

    /// Uses `home` (made absolute against the current directory).
    public init(home: URL) {
        self.home = home.standardizedFileURL.absoluteURL
    }

    /// `PAVE_HOME` from `environment`, else `$HOME/.pave`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreLayout {
        if let h = environment["PAVE_HOME"], !h.isEmpty {
            let cwd = FileManager.default.currentDirectoryPath
            let url = h.hasPrefix("/") ? URL(fileURLWithPath: h) : URL(fileURLWithPath: cwd).appendingPathComponent(h)
            return StoreLayout(home: url)
        }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return StoreLayout(home: userHome.appendingPathComponent(".pave"))
    }

    public var indexURL: URL { home.appendingPathComponent("index.sqlite") }
    public var lockURL: URL { home.appendingPathComponent("lock") }
    public var blobsDirectory: URL { home.appendingPathComponent("blobs").appendingPathComponent("sha256") }
    public var recipesDirectory: URL { home.appendingPathComponent("patches") }

    /// Path of the blob with SHA-256 `hex`.
    func blobURL(_ hex: String) throws(RegistryError) -> URL {
        try checkHex(hex)
        let url = blobsDirectory.appendingPathComponent(String(hex.prefix(2))).appendingPathComponent(hex)
        try confine(url)
        return url
    }

    /// Path of the recipe of the patch with digest `sha256:<hex>`.
    func recipeURL(_ hex: String) throws(RegistryError) -> URL {
        try checkHex(hex)
        let url = recipesDirectory.appendingPathComponent(hex + ".json")
        try confine(url)
        return url
    }

    private func checkHex(_ hex: String) throws(RegistryError) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw .corruptStore(path: home.path, reason: "\"\(hex.prefix(80))\" is not a SHA-256 hex digest")
        }
    }

    /// Throws unless `url` is strictly inside the home directory (and has no `..` component, so the textual
    /// check is the real one).
    func confine(_ url: URL) throws(RegistryError) {
        let p = url.path
        let h = home.path.hasSuffix("/") ? home.path : home.path + "/"
        guard p.hasPrefix(h), !p.split(separator: "/").contains("..") else { throw .outsideHome(path: p, home: home.path) }
    }

    /// Creates the directories (mode 0755) and refuses a store whose directories are symbolic links, so that
    /// nothing written below can land outside the home directory.
    func prepare() throws(RegistryError) {
        var st = stat()
        if lstat(home.path, &st) != 0 {
            do { try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true) } catch {
                throw .io(path: home.path, operation: "create PAVE_HOME", reason: "\(error)")
            }
        }
        for dir in [home, home.appendingPathComponent("blobs"), blobsDirectory, recipesDirectory] {
            var st = stat()
            if lstat(dir.path, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw .io(path: dir.path, operation: "open store", reason: "exists and is not a directory (symbolic links are refused)")
                }
                continue
            }
            if mkdir(dir.path, 0o755) != 0 && errno != EEXIST {
                throw .io(path: dir.path, operation: "mkdir", reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Creates `blobs/sha256/<xx>` for `hex` if needed.
    func prepareFanout(_ hex: String) throws(RegistryError) {
        let dir = blobsDirectory.appendingPathComponent(String(hex.prefix(2)))
        try confine(dir)
        if mkdir(dir.path, 0o755) != 0 && errno != EEXIST {
            throw .io(path: dir.path, operation: "mkdir", reason: String(cString: strerror(errno)))
        }
    }
}
