import Dispatch
import Foundation
import PaveFormat
import PavePipeline
import PaveSigning

/// The CI gate: verifies many `.pave` files in parallel, checks their signatures and applies a trust policy,
/// and returns one report (`pavepkg verify PATH...`). The CLI only prints it (``GateFormat``).
///
/// ```swift
/// let gate = PatchGate(policy: try TrustPolicy.load(contentsOf: policyURL))
/// let report = gate.run(try PatchGate.collect(["patches/"]))
/// print(GateFormat.junit.render(report))
/// ```
public struct PatchGate: Sendable {
    /// Verifies one file (container, semantics, reference vectors …) and returns its report; throwing means
    /// the file could not be opened at all.
    public typealias FileVerifier = @Sendable (URL) throws -> PaveVerificationReport

    /// The policy applied to every file.
    public var policy: TrustPolicy
    /// Keys given directly: with them, every file needs a verifying `FILE.sig`.
    public var keys: [VerifyingKey]
    /// How many files are verified at once (default: the number of cores).
    public var concurrency: Int
    /// The per-file verification.
    public var verifier: FileVerifier

    /// - Parameters:
    ///   - verification: what ``PatchVerifier`` checks in each file (default: everything; add a base with
    ///     `VerificationPolicy.full.checking(base:)`).
    ///   - verifier: replaces the per-file verification altogether; by default ``pipeline(_:threads:)``, decoding
    ///     each file on one thread when files run in parallel, on every core when there is one worker.
    public init(policy: TrustPolicy = .default, keys: [VerifyingKey] = [], verification: VerificationPolicy = .full,
                concurrency: Int? = nil, verifier: FileVerifier? = nil) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        self.policy = policy
        self.keys = keys
        self.concurrency = max(1, concurrency ?? cores)
        self.verifier = verifier ?? PatchGate.pipeline(verification, threads: self.concurrency == 1 ? max(1, cores) : 1)
    }

    /// The `.pave` files `paths` name: files as given, directories searched recursively for `*.pave` (hidden
    /// folders skipped), without duplicates, sorted by path.
    /// - Throws: ``SigningError`` `.io` for a path that does not exist or a directory that cannot be read.
    public static func collect(_ paths: [String]) throws(SigningError) -> [URL] {
        var seen = Set<String>()
        var out: [URL] = []
        func add(_ path: String) {
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            if seen.insert(key).inserted { out.append(URL(fileURLWithPath: path)) }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SigningError(.io, "\(path): no such file or directory")
            }
            guard isDirectory.boolValue else { add(path); continue }
            guard let walker = FileManager.default.enumerator(atPath: path) else {
                throw SigningError(.io, "\(path): cannot read the directory")
            }
            var found: [String] = []
            while let rel = walker.nextObject() as? String {
                if URL(fileURLWithPath: rel).lastPathComponent.hasPrefix(".") { walker.skipDescendants(); continue }
                if rel.hasSuffix(".pave") { found.append(rel) }
            }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            for rel in found.sorted() { add(path == "." ? rel : prefix + rel) }
        }
        return out
    }

    /// Verifies `files` (in parallel, at most ``concurrency`` at once) and returns the results in the order given.
    public func run(_ files: [URL]) -> GateReport {
        let start = DispatchTime.now()
        let results = ResultSlots(count: files.count)
        let next = Counter()
        let workers = min(concurrency, max(files.count, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: files.count) {
                results.set(i, check(files[i]))
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return GateReport(results: results.all(), seconds: seconds, policy: policy.source)
    }

    /// Everything about one file.
    public func check(_ url: URL) -> GateResult {
        let start = DispatchTime.now()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        var report: PaveVerificationReport
        var manifest: Manifest?
        do {
            report = try verifier(url)
            manifest = try? PaveFile.open(url).manifest
        } catch {
            report = PaveVerificationReport(path: url.relativePath)
            let problem = error as? any PaveError ?? SigningError(.io, "\(url.relativePath): \(error)")
            report.record("container.open", detail: url.lastPathComponent, problems: [problem])
        }
        if policy.source != nil || !keys.isEmpty {
            let trust = TrustCheck.run(fileAt: url, manifest: manifest ?? Manifest(fields: [:]), policy: policy, keys: keys)
            trust.record(into: &report, policy: policy)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return GateResult(path: url.relativePath, digest: report.digest, checks: report.checks, problems: report.problems, seconds: seconds, bytes: bytes)
    }
}

/// One slot per file, filled from many threads.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [GateResult?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: GateResult) { lock.lock(); slots[i] = r; lock.unlock() }
    func all() -> [GateResult] { lock.lock(); defer { lock.unlock() }; return slots.compactMap { $0 } }
}

/// Hands out indices 0, 1, 2, … to workers.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
