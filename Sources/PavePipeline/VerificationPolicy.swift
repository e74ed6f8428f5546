/// Which checks ``PatchVerifier`` runs on a `.pave` file.
///
/// The checks come in layers, each including the ones before it (``Depth``); a base model to check against is
/// given separately, because only the caller knows it:
///
/// ```swift
/// let report = try PatchVerifier(policy: .full).verify(file)                       // everything the file carries
/// let gate = try PatchVerifier(policy: .full.checking(base: .location(sigURL))).verify(file)  // … and the base
/// let quick = try PatchVerifier(policy: .container).verify(file)                   // structure and hashes only
/// ```
public struct VerificationPolicy: Sendable {
    /// How deep the verification goes. Each depth includes the ones before it.
    public enum Depth: Int, Sendable, Comparable, CaseIterable {
        /// Structure, limits, digest, every chunk decoded and every tensor's SHA-256, zero padding.
        case container = 0
        /// And the patch semantics (tensors against the declared fusion / LoRA / reference sets), every stored
        /// reference vector set run through the executor, and the declared `base` section.
        case semantics = 1
        /// And, for a composed file, every member alone (its tensors and its stored sets) and the stack's own
        /// reference vector sets run on the whole stack.
        case members = 2

        public static func < (a: Depth, b: Depth) -> Bool { a.rawValue < b.rawValue }
    }

    /// How deep to go.
    public var depth: Depth
    /// The base model the patch (and every member of a composed patch) must fit; `nil` checks only what the
    /// file declares about its base.
    public var base: BaseModelSource?
    /// Worker threads for decoding and the executor (`nil`: the executor's default). Results do not depend on it.
    public var threads: Int?

    /// A policy; see the presets ``container``, ``semantics`` and ``full``.
    public init(depth: Depth, base: BaseModelSource? = nil, threads: Int? = nil) {
        self.depth = depth
        self.base = base
        self.threads = threads
    }

    /// The container only: structure, digest, hashes, padding. Cheap; no tensor is interpreted.
    public static let container = VerificationPolicy(depth: .container)
    /// The container, the patch semantics and every stored reference vector set.
    public static let semantics = VerificationPolicy(depth: .semantics)
    /// Every check a `.pave` can carry: container, semantics and numerics, and for composed files every member
    /// and the stack's own reference vectors. What `pavepkg verify` and `install` run.
    public static let full = VerificationPolicy(depth: .members)

    /// This policy, also checking every part of the patch against `base` (no change when `base` is `nil`).
    public func checking(base: BaseModelSource?) -> VerificationPolicy {
        var p = self
        if let base { p.base = base }
        return p
    }

    /// This policy with `threads` worker threads.
    public func using(threads: Int?) -> VerificationPolicy {
        var p = self
        p.threads = threads
        return p
    }
}
