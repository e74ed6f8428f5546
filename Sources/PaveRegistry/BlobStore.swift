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
        var hasher = SHA256()
        var done = 0
        while done < count {
            let n = min(chunkSize, count - done)
            let bytes = try file.read(at: offset + done, count: n)
            hasher.update(data: bytes)
            done += n
        }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(table[Int(b >> 4)]); out.append(table[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

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
    func scan() throws(RegistryError) -> (blobs: [String: Int], temporaries: [URL]) {
        var blobs: [String: Int] = [:]
        var temps: [URL] = []
        let fm = FileManager.default
        let fanouts: [String]
        do { fanouts = try fm.contentsOfDirectory(atPath: layout.blobsDirectory.path) } catch {
            throw .io(path: layout.blobsDirectory.path, operation: "list", reason: "\(error)")
        }
        for dir in fanouts.sorted() {
            let dirURL = layout.blobsDirectory.appendingPathComponent(dir)
            guard let names = try? fm.contentsOfDirectory(atPath: dirURL.path) else { continue }
            for name in names {
                let url = dirURL.appendingPathComponent(name)
                if name.hasPrefix(".") { temps.append(url); continue }
                var st = stat()
                guard lstat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                if (try? layout.blobURL(name)) == url { blobs[name] = Int(st.st_size) }
            }
        }
        return (blobs, temps)
    }

    /// Removes blob `hex` (no error when already gone).
    func remove(_ hex: String) throws(RegistryError) {
        let url = try layout.blobURL(hex)
        if unlink(url.path) != 0 && errno != ENOENT {
            throw .io(path: url.path, operation: "unlink", reason: String(cString: strerror(errno)))
        }
    }
}
