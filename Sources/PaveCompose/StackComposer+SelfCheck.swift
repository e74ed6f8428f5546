import PaveExecutor
import PaveFormat
import PaveModel

extension StackComposer {
    /// Adds the stack's own self-check reference set to `plan`: seeded inputs and the outputs of the composed
    /// stack itself (what running the written file computes), under `ref.self-check.` and the manifest key
    /// ``StackReferenceVectors/manifestKey``.
    public static func addSelfCheck(_ plan: inout ComposedPlan, seed: UInt64 = 0, threads: Int? = nil) throws {
        let stack = try PatchStack.load(plan.input(digest: Digest.prefixed([UInt8](repeating: 0, count: 32)), path: plan.manifest.name ?? "stack"))
        let (set, tensors) = try StackReferenceVectors.selfCheck(executor: StackExecutor(stack: stack, threads: threads), seed: seed)
        plan.tensors += tensors.map { ComposedPlan.Tensor(name: $0.name, source: .memory($0.tensor)) }
        plan.tensors.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for i in plan.tensors.indices.dropFirst() where plan.tensors[i].name == plan.tensors[i - 1].name {
            throw ComposeError.invalidMembers(file: plan.manifest.name ?? "stack", detail: "two tensors would be named \(plan.tensors[i].name)")
        }
        try plan.manifest.encode([set], forKey: StackReferenceVectors.manifestKey)
    }
}
