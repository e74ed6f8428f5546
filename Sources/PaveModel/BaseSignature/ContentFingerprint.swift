import Crypto
import Dispatch
import Foundation
import PaveFormat

/// The content fingerprint of a base model: a hash over the bytes of every tensor its structural signature
/// covers, so a patch can be pinned to exact weights (a fine-tune or a re-quantised copy of the same
/// architecture then no longer matches).
///
/// Each covered tensor's raw bytes are hashed with SHA-256, read in pieces of ``chunkSize`` bytes (memory
/// stays at one piece per thread); tensors are shared out between threads, and the per-tensor digests are
/// combined in name order, so the result does not depend on the thread count:
/// `"sha256:" + hex(SHA-256(JCS({"format": "pavepkg.base-content", "version": 1, "structural_signature": S,
/// "tensors": [{"name": N, "sha256": H}, …]})))` (`spec/base-signature.md`).
public enum ContentFingerprint {
    /// Bytes read at a time per thread.
    public static let chunkSize = 4 << 20

    /// Value of the `format` member of the hashed object.
    public static let formatName = "pavepkg.base-content"

    /// Result of hashing a model's covered tensors.
    public struct Result: Sendable, Equatable {
        /// `"sha256:<64 hex>"`.
        public var fingerprint: String
        /// SHA-256 (hex) of each covered tensor's bytes, by name.
        public var tensorDigests: [String: String]
        /// Bytes hashed.
        public var byteCount: Int
    }

    /// Hashes the covered tensors of `model`.
    ///
    /// - Parameters:
    ///   - threads: worker threads (default 2, the machine's cores); the result is the same for any count.
    ///   - progress: called with the number of bytes hashed so far, from one thread at a time.
    /// - Throws: ``BaseSignatureError/io(path:reason:)`` when a read fails.
    public static func compute(
        _ model: ModelDirectory, threads: Int = 2, progress: (@Sendable (Int) -> Void)? = nil
    ) throws(BaseSignatureError) -> Result {
        let names = model.description.tensors.map(\.name)
        // Biggest first so the threads finish together.
        let sizes = names.map { model.locations[$0]?.entry.byteCount ?? 0 }
        let order = names.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let state = SharedState(count: names.count)
        let workers = max(1, min(threads, 64))
        // One read buffer per thread, reused for every piece of every tensor this thread hashes.
        ParallelWork.forEach(names.count, threads: workers, scratch: { ReadBuffer(count: chunkSize) }) { k, scratch in
            guard state.error == nil, let location = model.locations[names[order[k]]] else { return }
            do throws(BaseSignatureError) {
                let digest = try hashTensor(location, buffer: scratch.buffer) { done in state.addProgress(done, report: progress) }
                state.store(digest, at: order[k])
            } catch {
                state.fail(error)
            }
        }
        if let error = state.error { throw error }
        var digests: [String: String] = [:]
        var entries: [JSONValue] = []
        for (i, name) in names.enumerated() {
            let hex = state.digests[i] ?? ""
            digests[name] = hex
            entries.append(.object(["name": .string(name), "sha256": .string(hex)]))
        }
        let object: JSONValue = .object([
            "format": .string(formatName), "version": 1,
            "structural_signature": .string(model.description.structuralSignature), "tensors": .array(entries),
        ])
        let bytes = CanonicalJSON.encode(object) ?? []
        return Result(fingerprint: Digest(of: bytes).description, tensorDigests: digests, byteCount: model.coveredByteCount)
    }

    private static func hashTensor(
        _ location: ModelDirectory.Location, buffer: UnsafeMutableRawBufferPointer, progress: (Int) -> Void
    ) throws(BaseSignatureError) -> String {
        var hasher = SHA256()
        let total = location.entry.byteCount
        var offset = 0
        while offset < total {
            let count = min(buffer.count, total - offset)
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            do { try location.raw.read(into: piece, at: location.absoluteOffset + offset) } catch {
                throw .io(path: location.file.url.path, reason: "tensor \"\(location.entry.name)\" at byte \(offset): \(error)")
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(piece))
            offset += count
            progress(count)
        }
        return BaseDescription.hex(hasher.finalize())
    }

    /// A worker's read buffer, freed when the worker's loop ends.
    private final class ReadBuffer: @unchecked Sendable {
        let buffer: UnsafeMutableRawBufferPointer
        init(count: Int) { buffer = .allocate(byteCount: count, alignment: 64) }
        deinit { buffer.deallocate() }
    }

    /// Results, the first error and progress shared by the workers (all access under one lock).
    private final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var done = 0
        private var digestsStore: [String?]
        private var failure: BaseSignatureError?

        init(count: Int) { digestsStore = Array(repeating: nil, count: count) }

        var digests: [String?] { lock.lock(); defer { lock.unlock() }; return digestsStore }
        var error: BaseSignatureError? { lock.lock(); defer { lock.unlock() }; return failure }
        func store(_ digest: String, at index: Int) { lock.lock(); digestsStore[index] = digest; lock.unlock() }
        func fail(_ e: BaseSignatureError) { lock.lock(); if failure == nil { failure = e }; lock.unlock() }
        func addProgress(_ n: Int, report: (@Sendable (Int) -> Void)?) {
            lock.lock(); defer { lock.unlock() }
            done += n
            report?(done)
        }
    }
}
