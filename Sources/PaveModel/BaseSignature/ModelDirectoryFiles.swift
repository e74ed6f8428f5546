import Foundation
import PaveFormat

/// Where a ``ModelDirectory`` reads its files from: a directory on disk (``DirectoryFiles``) or files held
/// in memory (``MemoryModelFiles``, for tests and fuzzing). Names are plain file names inside the directory.
public protocol ModelDirectoryFiles: Sendable {
    /// Whether the directory is there at all.
    var isDirectory: Bool { get }
    /// Whether a regular file `name` exists.
    func exists(_ name: String) -> Bool
    /// Opens `name` for positioned reads.
    func open(_ name: String) throws -> any PaveByteSource
}

/// The files of a directory on disk.
public struct DirectoryFiles: ModelDirectoryFiles {
    /// The directory.
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var isDirectory: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) }

    public func open(_ name: String) throws -> any PaveByteSource { try FileByteSource(url.appendingPathComponent(name)) }
}

/// Files held in memory, by name.
public struct MemoryModelFiles: ModelDirectoryFiles {
    /// Contents by file name.
    public let files: [String: [UInt8]]

    public init(_ files: [String: [UInt8]]) { self.files = files }

    public var isDirectory: Bool { true }

    public func exists(_ name: String) -> Bool { files[name] != nil }

    public func open(_ name: String) throws -> any PaveByteSource {
        guard let bytes = files[name] else { throw RandomAccessFileError.cannotOpen(path: name, reason: "no such file") }
        return MemoryByteSource(bytes)
    }
}
