import Foundation
import PaveFormat
import PaveModel
import PavePipeline

/// The registry's ``PatchReader`` for `.pave` files. A file being installed is verified completely by
/// ``PatchVerifier`` with the full policy (container, patch semantics, every stored reference vector set through
/// the executor, a composed file's members and stack vectors, and the base when one is given); then each
/// tensor's region is reported so the store can keep it as its own blob.
public struct PaveFileReader: PatchReader {
    /// Threads for decoding and the executor while verifying.
    public var threads: Int
    /// How deep a file being installed is verified (default ``VerificationPolicy/full``).
    public var policy: VerificationPolicy

    public init(threads: Int = ParallelWork.defaultThreads, policy: VerificationPolicy = .full) {
        self.threads = threads
        self.policy = policy
    }

    public func verifiedImage(ofFileAt path: String, base: BaseSignature?) throws -> PatchImage {
        let file = try PaveFile.open(URL(fileURLWithPath: path), threads: threads)
        return try image(file, policy: policy.checking(base: base.map(BaseModelSource.signature)))
    }

    /// Re-reading a stored patch (`doctor --rebuild`): the container checks only; its numerics were checked
    /// when it was installed and its bytes are the same (the digest and every tensor hash are re-checked).
    public func verifiedImage(of source: StoredPatchSource, path: String) throws -> PatchImage {
        try image(try PaveFile(source: source, path: path, threads: threads), policy: .container)
    }

    public func digest(of source: StoredPatchSource, path: String) throws -> String {
        try PaveFile(source: source, path: path, threads: 1).digest
    }

    func image(_ file: PaveFile, policy: VerificationPolicy) throws -> PatchImage {
        let report = try PatchVerifier(policy: policy.using(threads: threads)).verify(file)
        guard report.ok else {
            throw RegistryError.patchDamaged(file: file.path, problems: report.problems.map { "\($0.code): \($0.message)" }
                                             + report.checks.filter { !$0.passed }.map { "\($0.name): \($0.detail)" })
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
