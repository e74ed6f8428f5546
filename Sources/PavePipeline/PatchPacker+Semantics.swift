import Foundation
import PaveExecutor
import PaveFormat
import PaveModel

extension PatchPacker {
    /// Step 3, for a PAVE patch (a manifest with `fusion` / `lora`): the tensors against the declared semantics,
    /// then a reference vector set stored — the request's (checked now by the executor) or a seeded self-check
    /// computed by the executor when the manifest declares none. Nothing for other manifests.
    /// - Throws: ``PatchPackError/referenceVectorsWithoutPatch`` when a set is given for a manifest that declares
    ///   no PAVE patch; ``PatchSemanticsError``; ``ReferenceVectorError`` when the executor does not reproduce
    ///   the expected outputs (the worst element is named); ``ExecutorError`` for inputs that do not fit.
    static func addPatchSemantics(_ plan: inout PackPlan, request: PackRequest) throws {
        var spec = try PatchSpec(manifest: plan.manifest)
        guard spec.isPAVEPatch else {
            if request.referenceVectors != nil { throw PatchPackError.referenceVectorsWithoutPatch }
            return
        }
        try spec.validate(TensorSourceProvider(plan.tensors).tensorInfos)
        let threads = request.options.threads
        if let files = request.referenceVectors {
            let user = try ReferenceVectors.userSet(inputs: try SafetensorsFile(files.inputs), expected: try SafetensorsFile(files.expected),
                                                    atol: files.tolerance.atol, rtol: files.tolerance.rtol)
            guard !spec.referenceVectors.contains(where: { $0.name == user.set.name }) else {
                throw PatchSemanticsError.invalidSection(key: ManifestKey.referenceVectors, reason: "the manifest already declares a set named \"\(user.set.name)\"")
            }
            try add(user, to: &plan, spec: &spec, threads: threads, check: true)
        } else if spec.referenceVectors.isEmpty, request.selfCheck {
            let executor = try PatchExecutor(spec: spec, tensors: TensorSourceProvider(plan.tensors), threads: threads)
            try add(try ReferenceVectors.selfCheck(executor: executor), to: &plan, spec: &spec, threads: threads, check: false)
        }
        try spec.write(into: &plan.manifest)
    }

    /// Adds a set's tensors to the plan and the set to `spec`, then validates the tensors again; with `check`,
    /// runs the set through the executor and throws its mismatch.
    static func add(_ made: (set: ReferenceVectorSet, tensors: [(name: String, tensor: TensorData)]), to plan: inout PackPlan,
                    spec: inout PatchSpec, threads: Int?, check: Bool) throws {
        for t in made.tensors where plan.tensor(t.name) != nil {
            throw PatchSemanticsError.invalidSection(key: ManifestKey.referenceVectors, reason: "tensor \"\(t.name)\" of set \"\(made.set.name)\" is already among the inputs")
        }
        plan.tensors += made.tensors.map { InMemoryTensorSource(name: $0.name, tensor: $0.tensor) }
        spec.referenceVectors.append(made.set)
        let provider = TensorSourceProvider(plan.tensors)
        try spec.validate(provider.tensorInfos)
        if check {
            let result = try ReferenceVectors.check(made.set, executor: try PatchExecutor(spec: spec, tensors: provider, threads: threads), tensors: provider)
            if let error = result.error { throw error }
        }
    }
}
