import Crypto
import Foundation
import PaveFormat
#if canImport(Glibc)
import Glibc
#endif

/// Content-addressed blobs under `PAVE_HOME/blobs/sha256/`. A blob is written once — temporary file, fsync,
/// rename, directory fsync (``AtomicFileWriter``) — and never modified; its name is the SHA-256 of its bytes.
struct BlobStore {
    let layout: StoreLayout
    /// Bytes read per step when hashing or copying.
    static let chunkSize = 4 << 20

    /// SHA-256 hex of `count` bytes of `file` from `offset`, read in chunks.
    static func hash(_ file: RandomAccessFile, offset: Int, count: Int) throws -> String {
        try Digest(of: FileByteSource(file: file), offset: offset, count: count, chunkSize: chunkSize).hex
    }

    static func hex(_ digest: SHA256.Digest) -> String { Digest.hexString(digest) }

    /// Whether `count` bytes of `file` from `offset` are all zero.
    static func isZero(_ file: RandomAccessFile, offset: Int, count: Int) throws -> Bool {
        var done = 0
        while done < count {
            let n = min(chunkSize, count - done)
            let bytes = try file.read(at: offset + done, count: n)
            if bytes.contains(where: { $0 != 0 }) { return false }
            done += n
        }
        return true
    }

    /// Size of the blob on disk, or `nil` when absent.
    func size(of hex: String) throws(RegistryError) -> Int? {
        let url = try layout.blobURL(hex)
        var st = stat()
        guard stat(url.path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Segments up to this size are read once into memory, hashed and (when new) written from that buffer;
    /// larger ones are hashed in a streaming pass and, when new, copied in a second pass that hashes again.
    static let inMemoryLimit = 64 << 20

    /// Stages `count` bytes of `file` from `offset` as a blob in `batch`, unless a blob with that content is
    /// already in the store or in `staged`. Returns its SHA-256 hex and whether it is new.
    func stage(from file: RandomAccessFile, offset: Int, count: Int, into batch: DurableBatch,
               staged: inout Set<String>) throws -> (hex: String, isNew: Bool) {
        if count <= Self.inMemoryLimit {
            let bytes = try file.read(at: offset, count: count)
            let hex = Self.hex(SHA256.hash(data: bytes))
            let present = try size(of: hex) == count
            if staged.contains(hex) || present { return (hex, false) }
            try layout.prepareFanout(hex)
            let h = try batch.create(try layout.blobURL(hex))
            var done = 0
            try bytes.withUnsafeBytes { raw in
                while done < count {
                    let n = min(Self.chunkSize, count - done)
                    try batch.write(h, UnsafeRawBufferPointer(rebasing: raw[done..<(done + n)]))
                    done += n
                    CrashPoint.hit("blob-partial")
                }
            }
            staged.insert(hex)
            return (hex, true)
        }
        let hex = try Self.hash(file, offset: offset, count: count)
        let present = try size(of: hex) == count
            if staged.contains(hex) || present { return (hex, false) }
        try layout.prepareFanout(hex)
        let h = try batch.create(try layout.blobURL(hex))
        var hasher = SHA256()
        var done = 0
        while done < count {
            let n = min(Self.chunkSize, count - done)
            let bytes = try file.read(at: offset + done, count: n)
            hasher.update(data: bytes)
            try batch.write(h, bytes)
            done += n
            CrashPoint.hit("blob-partial")
        }
        // The file may have changed between the two passes: never store bytes under a wrong name.
        guard Self.hex(hasher.finalize()) == hex else {
            throw RegistryError.io(path: file.path, operation: "copy bytes \(offset)+\(count)", reason: "the file changed while it was being installed")
        }
        staged.insert(hex)
        return (hex, true)
    }

    /// Re-hashes blob `hex`: `nil` when it is intact, otherwise what is wrong.
    func check(_ hex: String, expectedSize: Int?) -> String? {
        do {
            let url = try layout.blobURL(hex)
            let file: RandomAccessFile
            do { file = try RandomAccessFile(url) } catch { return "missing" }
            if let expectedSize, file.size != expectedSize { return "size \(file.size), expected \(expectedSize)" }
            let actual = try Self.hash(file, offset: 0, count: file.size)
            return actual == hex ? nil : "content hashes to \(actual)"
        } catch {
            return "\(error)"
        }
    }

    /// Every blob file on disk (hex → size), and stray temporary files left by interrupted writes.
    /// Reads the directories with `readdir` and sizes with `fstatat` (tens of thousands of blobs are common).
    func scan() throws(RegistryError) -> (blobs: [String: Int], temporaries: [URL]) {
        var blobs: [String: Int] = [:]
        var temps: [URL] = []
        let root = layout.blobsDirectory.path
        guard let fanouts = Self.list(root) else {
            throw .io(path: root, operation: "list", reason: String(cString: strerror(errno)))
        }
        for dir in fanouts.sorted() where dir.utf8.count == 2 {
            let dirPath = root + "/" + dir
            guard let names = Self.list(dirPath) else { continue }
            let dfd = open(dirPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard dfd >= 0 else { continue }
            defer { close(dfd) }
            for name in names {
                if name.hasPrefix(".") { temps.append(URL(fileURLWithPath: dirPath + "/" + name)); continue }
                guard name.utf8.count == 64, name.hasPrefix(dir), PatchReference.isHexPrefix(name) else { continue }
                var st = stat()
                guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                blobs[name] = Int(st.st_size)
            }
        }
        return (blobs, temps)
    }

    /// Names in directory `path` (without `.` and `..`), or `nil` when it cannot be read.
    static func list(_ path: String) -> [String]? {
        guard let d = opendir(path) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes blob `hex` (no error when already gone).
    func remove(_ hex: String) throws(RegistryError) {
        let url = try layout.blobURL(hex)
        if unlink(url.path) != 0 && errno != ENOENT {
            throw .io(path: url.path, operation: "unlink", reason: String(cString: strerror(errno)))
        }
    }
}
