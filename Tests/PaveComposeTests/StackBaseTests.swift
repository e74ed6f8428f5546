import Foundation
import PaveFormat
import PaveModel
import Testing
@testable import PaveCompose

/// `verify STACK.pave --base`: every member (and the merged adapter) against the committed sample signatures.
@Suite struct StackBaseTests {
    static let signatures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/base-signatures")

    /// Patches shaped for LLaVA-OneVision-Qwen2-7B: query width 1152, output 3584, LoRA on q_proj (3584 → 3584).
    func stack7B(merge: Bool) throws -> PatchStack {
        var d = TestPatches.Dims()
        d.queryDim = 1152; d.outputDim = 3584
        let q = ["model.layers.0.self_attn.q_proj"]
        let ps = [try TestPatches.patch(name: "video", seed: 1, dims: d, rank: 2, modules: q, base: nil),
                  try TestPatches.patch(name: "audio", seed: 2, dims: d, rank: 1, modules: q, base: nil)]
        let stack = try PatchStack.build(ps)
        guard merge else { return stack }
        return try PatchStack.load(materialize(StackComposer.plan(stack, options: ComposeOptions(name: "m", mergeLoRA: .cat))))
    }

    @Test(arguments: [false, true])
    func membersFitTheRightBaseAndNotTheWrongOne(merged: Bool) throws {
        let right = try BaseSignature.load(signatureOrModel: Self.signatures.appendingPathComponent("llava-onevision-qwen2-7b-ov.sig.json"))
        let wrong = try BaseSignature.load(signatureOrModel: Self.signatures.appendingPathComponent("llava-onevision-qwen2-0.5b-ov.sig.json"))
        let stack = try stack7B(merge: merged)
        let ok = StackVerifier.baseMismatches(stack, against: right)
        #expect(ok.map(\.label) == ["member video", "member audio"] + (merged ? ["merged adapter"] : []))
        #expect(ok.allSatisfy { $0.mismatches.isEmpty }, "\(ok.flatMap(\.mismatches).map(\.message))")
        let bad = StackVerifier.baseMismatches(stack, against: wrong)
        #expect(bad.allSatisfy { !$0.mismatches.isEmpty })
        let messages = bad.flatMap(\.mismatches).map(\.message).joined(separator: "\n")
        #expect(messages.contains("3584") && messages.contains("896"), "\(messages)")
    }
}
