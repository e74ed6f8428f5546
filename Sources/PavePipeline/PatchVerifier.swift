import Foundation
import PaveFormat

/// The one call that verifies a `.pave` file completely, as far as its ``VerificationPolicy`` asks:
///
/// 1. the container: structure, limits, digest, every chunk and tensor hash, padding (``PaveFile/verifyAll(progress:)``);
/// 2. the patch semantics and every stored reference vector set through the executor, and the declared `base`;
/// 3. the base model, when the policy names one (the patch, and every member of a composed patch);
/// 4. a composed file's members, each alone, and the stack's own reference vector sets.
///
/// It returns one ``PaveVerificationReport`` (named checks, every problem, the digest, ``PaveVerificationReport/ok``).
/// `pavepkg verify`, `install`, `compose` (its inputs) and `doctor --rebuild` all go through it.
///
/// ```swift
/// let verifier = PatchVerifier(policy: .full.checking(base: .location(URL(fileURLWithPath: "base.sig.json"))))
/// let report = try verifier.verify(fileAt: URL(fileURLWithPath: "patch.pave"))
/// if !report.ok { for p in report.problems { print(p.code, p.message) } }
/// ```
public struct PatchVerifier: Sendable {
    /// Progress of a verification: (phase, units done, units in total); `total` is 0 when unknown. The
    /// `"container"` phase counts raw tensor bytes. Called from the verifying thread.
    public typealias Progress = (_ phase: String, _ done: Int64, _ total: Int64) -> Void

    /// Which checks run.
    public var policy: VerificationPolicy

    /// A verifier running `policy` (default ``VerificationPolicy/full``).
    public init(policy: VerificationPolicy = .full) { self.policy = policy }

    /// Opens the file at `url` and verifies it.
    /// - Throws: the container's errors when the file cannot be opened as a `.pave` at all (not a `.pave`, bad
    ///   header, manifest, index or digest: ``PaveFormatError``; unreadable: I/O errors), and
    ///   ``BaseSignatureError`` when the policy's base cannot be loaded. Every other finding is in the report.
    public func verify(fileAt url: URL, progress: Progress? = nil) throws -> PaveVerificationReport {
        let file = try PaveFile.open(url, threads: policy.threads ?? ParallelWork.defaultThreads)
        return try verify(file, progress: progress)
    }

    /// Verifies an open file (from disk, or served from a registry).
    /// - Throws: ``BaseSignatureError`` when the policy's base cannot be loaded; findings are in the report.
    public func verify(_ file: PaveFile, progress: Progress? = nil) throws -> PaveVerificationReport {
        var report = try checkContainer(file, progress: progress)
        guard policy.depth >= .semantics || policy.base != nil else { return report }
        if policy.depth >= .semantics {
            progress?("semantics", 0, 0)
            if report.ok { checkSemantics(file, into: &report) }
        }
        progress?("base", 0, 0)
        let base = try checkBase(file, into: &report)
        if policy.depth >= .members {
            progress?("members", 0, 0)
            checkMembers(file, base: base, into: &report)
        }
        return report
    }

    /// Like ``verify(_:progress:)``, but throws ``VerificationFailure`` (exit status 1) unless every check passed.
    @discardableResult
    public func require(_ file: PaveFile, progress: Progress? = nil) throws -> PaveVerificationReport {
        let report = try verify(file, progress: progress)
        guard report.ok else { throw VerificationFailure(report: report) }
        return report
    }

    /// Step 1: structure, limits and digest (checked when the file was opened), every chunk and tensor hash,
    /// zero padding.
    func checkContainer(_ file: PaveFile, progress: Progress?) throws -> PaveVerificationReport {
        try file.verifyAll { done, total in progress?("container", done, total) }
    }
}
