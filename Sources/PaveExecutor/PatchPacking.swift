import Foundation
import PaveFormat
import PaveModel

/// The patch-semantics part of `pavepkg pack`: validate the declared semantics against the tensors, store a
/// reference vector set (the user's, checked now, or a self-check computed by the executor), and keep the
/// semantics check in the plan.
public enum PatchPacking {
    /// Options of the reference vectors.
    public struct ReferenceOptions: Sendable {
        /// `--reference IN.safetensors` (inputs) and `--expected OUT.safetensors` (expected outputs).
        public var inputs: URL?
        public var expected: URL?
        /// `--tolerance ATOL,RTOL`.
        public var atol: Double
        public var rtol: Double
        /// Record a self-check set when no set is given or declared (default true).
        public var selfCheck: Bool
        /// Worker threads of the executor.
        public var threads: Int?

        public init(inputs: URL? = nil, expected: URL? = nil, atol: Double = ReferenceVectors.defaultTolerance.atol,
                    rtol: Double = ReferenceVectors.defaultTolerance.rtol, selfCheck: Bool = true, threads: Int? = nil) {
            self.inputs = inputs; self.expected = expected; self.atol = atol; self.rtol = rtol
            self.selfCheck = selfCheck; self.threads = threads
        }
    }

    /// Parses `--tolerance ATOL,RTOL`.
    public static func parseTolerance(_ s: String) throws(ExecutorError) -> (atol: Double, rtol: Double) {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let r = parts[1], a >= 0, r >= 0, a.isFinite, r.isFinite else {
            throw .invalidOption(name: "--tolerance", reason: "expected ATOL,RTOL (two non-negative numbers, e.g. 1e-4,1e-4), got \"\(s)\"")
        }
        return (a, r)
    }

    /// Updates `plan` for a PAVE patch; does nothing for a manifest without `fusion` / `lora` (and refuses
    /// `--reference` then).
    ///
    /// - Throws: ``PatchSemanticsError`` naming a missing / extra / wrong-shape / wrong-dtype tensor,
    ///   ``ReferenceVectorError`` when the executor does not reproduce the user's expected outputs (the worst
    ///   element is named), ``ExecutorError`` for inputs that do not fit.
    public static func prepare(_ plan: inout PackPlan, options: ReferenceOptions) throws {
        var spec = try PatchSpec(manifest: plan.manifest)
        guard spec.isPAVEPatch else {
            if options.inputs != nil || options.expected != nil {
                throw ExecutorError.invalidOption(name: "--reference", reason: "the manifest declares no PAVE patch (no \"fusion\" or \"lora\" section)")
            }
            return
        }
        guard (options.inputs == nil) == (options.expected == nil) else {
            throw ExecutorError.invalidOption(name: options.inputs == nil ? "--expected" : "--reference", reason: "--reference and --expected go together")
        }
        try spec.validate(TensorSourceProvider(plan.tensors).tensorInfos)
        if let inputs = options.inputs, let expected = options.expected {
            let user = try ReferenceVectors.userSet(inputs: try SafetensorsFile(inputs), expected: try SafetensorsFile(expected),
                                                    atol: options.atol, rtol: options.rtol)
            guard !spec.referenceVectors.contains(where: { $0.name == user.set.name }) else {
                throw PatchSemanticsError.invalidSection(key: ManifestKey.referenceVectors, reason: "the manifest already declares a set named \"\(user.set.name)\"")
            }
            try add(user, to: &plan, spec: &spec, threads: options.threads, check: true)
        } else if spec.referenceVectors.isEmpty, options.selfCheck {
            let executor = try PatchExecutor(spec: spec, tensors: TensorSourceProvider(plan.tensors), threads: options.threads)
            try add(try ReferenceVectors.selfCheck(executor: executor), to: &plan, spec: &spec, threads: options.threads, check: false)
        }
        try spec.write(into: &plan.manifest)
        plan.checks.append(semanticsCheck)
    }

    /// The plan check: the manifest's semantics hold for the plan's tensors.
    public static let semanticsCheck = PackCheck(name: "patch.semantics") { plan in
        let spec = try PatchSpec(manifest: plan.manifest)
        try spec.validate(TensorSourceProvider(plan.tensors).tensorInfos)
    }

    static func add(_ made: (set: ReferenceVectorSet, tensors: [(name: String, tensor: TensorData)]), to plan: inout PackPlan,
                    spec: inout PatchSpec, threads: Int?, check: Bool) throws {
        for t in made.tensors where plan.tensor(t.name) != nil {
            throw PatchSemanticsError.invalidSection(key: ManifestKey.referenceVectors, reason: "tensor \"\(t.name)\" of set \"\(made.set.name)\" is already among the inputs")
        }
        plan.tensors += made.tensors.map { InMemoryTensorSource(name: $0.name, tensor: $0.tensor) }
        spec.referenceVectors.append(made.set)
        try spec.validate(TensorSourceProvider(plan.tensors).tensorInfos)
        if check {
            let provider = TensorSourceProvider(plan.tensors)
            let result = try ReferenceVectors.check(made.set, executor: try PatchExecutor(spec: spec, tensors: provider, threads: threads), tensors: provider)
            if let error = result.error { throw error }
        }
    }
}
