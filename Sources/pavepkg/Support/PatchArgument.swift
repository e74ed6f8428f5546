import Foundation
import PaveKit

/// What every command taking a patch (`inspect`, `verify`, `run`, `compose`, `export`, …) calls on its
/// argument: a path to a `.pave` file, an installed `NAME[:VERSION]`, or a digest prefix (≥ 8 hex digits).
///
/// ```swift
/// let file = try PatchArgument.open(patch)   // PaveFile, from disk or from the store
/// ```
enum PatchArgument {
    /// Opens the patch `argument` names: the file, or the installed patch read from the store's blobs
    /// (random access, same digest as the installed file).
    static func open(_ argument: String) throws -> PaveFile {
        switch try PatchLocator().locate(argument, reader: PaveFileReader()) {
        case let .file(path): return try PatchOpener.open(URL(fileURLWithPath: path))
        case let .installed(patch, source): return try PaveFile(source: source, path: patch.reference)
        }
    }

    /// A file path for `argument`, for commands that need one (e.g. to hand to another tool): the path itself,
    /// or `nil` for an installed patch (open it with ``open(_:)`` instead).
    static func path(_ argument: String) throws -> String? {
        if case let .file(path) = try PatchLocator().locate(argument, reader: PaveFileReader()) { return path }
        return nil
    }
}
