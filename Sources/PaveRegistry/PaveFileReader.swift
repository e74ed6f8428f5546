import Foundation
import PaveExecutor
import PaveFormat
import PaveModel

/// The registry's ``PatchReader`` for `.pave` files: opens with ``PaveFile`` (header, limits, manifest,
/// index, layout, digest), runs ``PaveFile/verifyAll(progress:)`` (every chunk decoded, every tensor's
/// SHA-256, zero padding), then for a file being installed ``PatchVerification`` (patch semantics and every
/// stored reference vector set through the executor), and reports each tensor's region so the store can
/// keep it as its own blob.
public struct PaveFileReader: PatchReader {
    /// Threads for decoding and the executor while verifying.
    public var threads: Int
    /// Run the semantic and numerical checks on files being installed (default on).
    public var numerics: Bool

    public init(threads: Int = ParallelWork.defaultThreads, numerics: Bool = true) {
        self.threads = threads
        self.numerics = numerics
    }

    public func verifiedImage(ofFileAt path: String) throws -> PatchImage {
        try image(try PaveFile.open(URL(fileURLWithPath: path), threads: threads), numerics: numerics)
    }

    /// Re-reading a stored patch (`doctor --rebuild`): the container checks only; its numerics were checked
    /// when it was installed and its bytes are the same (the digest and every tensor hash are re-checked).
    public func verifiedImage(of source: StoredPatchSource, path: String) throws -> PatchImage {
        try image(try PaveFile(source: source, path: path, threads: threads), numerics: false)
    }

    public func digest(of source: StoredPatchSource, path: String) throws -> String {
        try PaveFile(source: source, path: path, threads: 1).digest
    }

    func image(_ file: PaveFile, numerics: Bool) throws -> PatchImage {
        let report = try file.verifyAll()
        guard report.ok else {
            throw RegistryError.patchDamaged(file: file.path, problems: report.problems.map { "\($0.code): \($0.message)" })
        }
        if numerics {
            let checked = PatchVerification.verify(manifest: file.manifest, tensors: PaveFileTensors(file: file), threads: threads)
            guard checked.passed else {
                throw RegistryError.patchDamaged(file: file.path, problems: checked.errors.map { "\($0.code): \($0)" })
            }
        }
        return PatchImage(
            path: file.path, manifest: file.manifest, digest: file.digest, size: file.source.size,
            regions: file.entries.map { .init(tensor: $0.name, offset: $0.regionOffset, length: $0.regionLength) },
            tensorShapes: Dictionary(file.entries.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a }))
    }
}

extension StoredPatchSource: PaveByteSource {}

extension Registry {
    /// Opens the store at `layout` with the `.pave` reader.
    public convenience init(layout: StoreLayout = .fromEnvironment()) throws {
        try self.init(layout: layout, reader: PaveFileReader())
    }

    /// The installed patch as a ``PaveFile`` read from the store (random access, same digest).
    public func open(_ patch: InstalledPatch) throws -> PaveFile {
        try PaveFile(source: try source(for: patch), path: patch.reference)
    }
}
