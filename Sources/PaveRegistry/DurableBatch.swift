import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files an install writes (blobs, recipes), made durable together.
///
/// Each file is written to a temporary file beside its destination (`.<name>.tmp-<pid>-<random>`, created
/// with `O_EXCL`). ``commit()`` then fsyncs every temporary file *concurrently* — the file system groups the
/// journal commits, which makes a many-blob install several times faster than one fsync after another — renames
/// each into place and fsyncs each directory (again concurrently). Nothing appears under a final name before
/// its bytes are on disk; ``abort()`` (or releasing the batch) removes the temporary files. This is
/// ``AtomicFileWriter``'s protocol, batched.
final class DurableBatch {
    private struct Entry {
        let temporary: String
        let destination: String
        var fd: Int32
    }

    private var entries: [Entry] = []
    private var finished = false

    deinit { abort() }

    /// Opens a temporary file for `destination`; returns its handle for ``write(_:_:)``.
    func create(_ destination: URL) throws(RegistryError) -> Int {
        let dir = destination.deletingLastPathComponent().path
        let temporary = dir + "/.\(destination.lastPathComponent).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: destination.path, operation: "create temporary file", reason: String(cString: strerror(errno))) }
        entries.append(Entry(temporary: temporary, destination: destination.path, fd: fd))
        return entries.count - 1
    }

    /// Appends `bytes` to the file `handle`.
    func write(_ handle: Int, _ bytes: UnsafeRawBufferPointer) throws(RegistryError) {
        let entry = entries[handle]
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            let n = Glibc.write(entry.fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: entry.destination, operation: "write", reason: String(cString: strerror(errno)))
            }
            done += n
        }
    }

    /// Appends `bytes` to the file `handle`.
    func write(_ handle: Int, _ bytes: [UInt8]) throws(RegistryError) {
        var failure: RegistryError?
        bytes.withUnsafeBytes { raw in
            do throws(RegistryError) { try write(handle, raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Adds a whole file.
    func add(_ data: Data, to destination: URL) throws(RegistryError) {
        let h = try create(destination)
        try write(h, [UInt8](data))
    }

    /// Number of files in the batch.
    var count: Int { entries.count }

    /// fsyncs every file, renames each into place, fsyncs the directories.
    func commit() throws(RegistryError) {
        guard !finished else { return }
        let fds = entries.map(\.fd)
        if let (i, err) = Self.concurrentFsync(fds).first(where: { $0.1 != 0 }) {
            throw .io(path: entries[i].destination, operation: "fsync", reason: String(cString: strerror(err)))
        }
        for i in entries.indices {
            close(entries[i].fd)
            entries[i].fd = -1
        }
        for e in entries where rename(e.temporary, e.destination) != 0 {
            throw .io(path: e.destination, operation: "rename", reason: String(cString: strerror(errno)))
        }
        finished = true
        let dirs = Set(entries.map { ($0.destination as NSString).deletingLastPathComponent })
        var dfds: [Int32] = []
        for d in dirs.sorted() {
            let fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { dfds.append(fd) }
        }
        let results = Self.concurrentFsync(dfds)
        for fd in dfds { close(fd) }
        if let (i, err) = results.first(where: { $0.1 != 0 }) {
            throw .io(path: "directory #\(i)", operation: "fsync", reason: String(cString: strerror(err)))
        }
    }

    /// Removes every temporary file not yet renamed.
    func abort() {
        guard !finished else { return }
        finished = true
        for e in entries {
            if e.fd >= 0 { close(e.fd) }
            unlink(e.temporary)
        }
    }

    /// fsyncs `fds` from up to 16 threads at once; returns `(index, errno)` per descriptor (0 = success).
    static func concurrentFsync(_ fds: [Int32]) -> [(Int, Int32)] {
        guard fds.count > 1 else { return fds.enumerated().map { ($0.offset, fsync($0.element) == 0 ? 0 : errno) } }
        let results = FsyncResults(count: fds.count)
        let threads = min(16, fds.count)
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            let thread = Thread {
                var i = t
                while i < fds.count {
                    results.set(i, fsync(fds[i]) == 0 ? 0 : errno)
                    i += threads
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.all()
    }
}

/// Per-descriptor results written by the fsync threads (each index by exactly one thread).
private final class FsyncResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32]
    init(count: Int) { values = Array(repeating: 0, count: count) }
    func set(_ i: Int, _ v: Int32) { lock.lock(); values[i] = v; lock.unlock() }
    func all() -> [(Int, Int32)] { lock.lock(); defer { lock.unlock() }; return values.enumerated().map { ($0.offset, $0.element) } }
}
