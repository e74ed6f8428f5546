import PaveFormat
import PaveModel
import PaveExecutor
import Testing
@testable import PaveCompose

/// Every refusal of spec/composition.md §2, each with its own error.
@Suite struct StackCheckTests {
    @Test func compatiblePatchesStack() throws {
        let stack = try PatchStack.build([TestPatches.patch(name: "video", seed: 1), TestPatches.patch(name: "audio", seed: 2)],
                                         weights: [("audio", 0.5)])
        #expect(stack.members.map(\.name) == ["video", "audio"])
        #expect(stack.members.map(\.weight) == [1, 0.5])
        #expect(stack.sideInputName(for: stack.members[1]) == "side.audio")
        #expect(stack.loraModules == TestPatches.modules.sorted())
        #expect(stack.loraShapes["model.layers.0.mlp.down_proj"]?.inFeatures == 24)
    }

    @Test func onePatchReadsPlainSide() throws {
        let stack = try PatchStack.build([TestPatches.patch(name: "video", seed: 1)])
        #expect(stack.sideInputName(for: stack.members[0]) == "side")
    }

    @Test func refusesDifferentBaseSignatures() throws {
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2, base: TestPatches.baseB)])
        }
        #expect(e?.code == "compose.base_mismatch")
        #expect(e?.description.contains(TestPatches.baseB) == true)
    }

    @Test func refusesMixingDeclaredAndUndeclaredBase() throws {
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2, base: nil)])
        }
        #expect(e?.code == "compose.base_mismatch")
        #expect(e?.description.contains("'b' declares no base") == true)
    }

    @Test func acceptsWhenNoMemberDeclaresABase() throws {
        _ = try PatchStack.build([TestPatches.patch(name: "a", seed: 1, base: nil), TestPatches.patch(name: "b", seed: 2, base: nil)])
    }

    @Test func refusesDifferentQueryWidths() throws {
        var d = TestPatches.Dims(); d.queryDim = 14
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2, dims: d)])
        }
        #expect(e?.code == "compose.query_mismatch")
        #expect(e?.description.contains("query_dim 14") == true)
    }

    @Test func refusesDifferentOutputWidths() throws {
        var d = TestPatches.Dims(); d.outputDim = 16
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1, rank: nil), TestPatches.patch(name: "b", seed: 2, dims: d, rank: nil)])
        }
        #expect(e == .outputMismatch(member: "b", width: 16, other: "a", otherWidth: 12))
    }

    @Test func differentSideInputWidthsAreFine() throws {
        var d = TestPatches.Dims(); d.inputDim = 9
        _ = try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2, dims: d)])
    }

    @Test func refusesIncompatibleLoRAShapes() throws {
        var d = TestPatches.Dims(); d.outputDim = 16
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1, fusion: false),
                                  TestPatches.patch(name: "b", seed: 2, dims: d, fusion: false)])
        }
        #expect(e == .loraShapeMismatch(module: "model.layers.0.mlp.down_proj", member: "b", inFeatures: 32, outFeatures: 16,
                                        other: "a", otherIn: 24, otherOut: 12))
    }

    @Test func differentRanksAreFine() throws {
        let s = try PatchStack.build([TestPatches.patch(name: "a", seed: 1, rank: 2), TestPatches.patch(name: "b", seed: 2, rank: 5)])
        #expect(s.members.compactMap(\.lora?.r) == [2, 5])
    }

    @Test func refusesDuplicateSideChannelUnlessRenamed() throws {
        let a = try TestPatches.patch(name: "a", seed: 1, sideName: "audio")
        let b = try TestPatches.patch(name: "b", seed: 2, sideName: "audio")
        let e = #expect(throws: ComposeError.self) { try PatchStack.build([a, b]) }
        #expect(e == .duplicateSideChannel(name: "audio", member: "a", other: "b"))
        let s = try PatchStack.build([a, b], renames: [("b", "audio2")])
        #expect(s.members.map(\.sideName) == ["audio", "audio2"])
    }

    @Test func refusesDuplicateMemberNamesUnlessRenamed() throws {
        let a = try TestPatches.patch(name: "a", seed: 1)
        let e = #expect(throws: ComposeError.self) { try PatchStack.build([a, a]) }
        #expect(e == .duplicateMember(name: "a"))
        let ambiguous = #expect(throws: ComposeError.self) { try PatchStack.build([a, a], renames: [("a", "c")]) }
        #expect(ambiguous?.code == "compose.unknown_member")
        let s = try PatchStack.build([a, a], renames: [("#2", "a2")])
        #expect(s.members.map(\.name) == ["a", "a2"])
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func refusesNonFiniteWeights(_ w: Double) throws {
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2)], weights: [("b", w)])
        }
        #expect(e?.code == "compose.non_finite_weight")
    }

    @Test func refusesWeightOverflowingWhenFlattened() throws {
        let stack = try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2)], weights: [("a", 1e300)])
        let composed = try materialize(StackComposer.plan(stack, options: ComposeOptions(name: "s")))
        let e = #expect(throws: ComposeError.self) { try PatchStack.build([composed], weights: [("s", 1e300)]) }
        #expect(e?.code == "compose.non_finite_weight")
    }

    @Test func refusesUnknownWeightName() throws {
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: "b", seed: 2)], weights: [("c", 2)])
        }
        #expect(e?.code == "compose.unknown_weight")
        #expect(e?.category == .usage)
    }

    @Test(arguments: ["a/b", "a b", "", "tab\there"])
    func refusesInvalidMemberNames(_ name: String) throws {
        let e = #expect(throws: ComposeError.self) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1), TestPatches.patch(name: name, seed: 2)])
        }
        #expect(e?.code == "compose.invalid_member_name")
    }

    @Test func refusesEmptyStack() {
        #expect(throws: ComposeError.empty) { try PatchStack.build([]) }
    }

    @Test func refusesMissingLoRAFactor() throws {
        let p = try TestPatches.patch(name: "a", seed: 1)
        guard let store = p.tensors as? InMemoryTensors else { Issue.record("store"); return }
        var t = store.tensors
        t["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"] = nil
        let broken = StackInput(tensors: InMemoryTensors(t), manifest: p.manifest, digest: p.digest, path: "a.pave")
        let e = #expect(throws: ComposeError.self) { try PatchStack.build([broken, TestPatches.patch(name: "b", seed: 2)]) }
        #expect(e?.code == "compose.bad_tensor")
        #expect(e?.description.contains("lora_B") == true)
    }

    @Test func everyErrorIsAPaveErrorWithStableCode() {
        let errors: [ComposeError] = [.empty, .invalidMergeMode("x"), .svdFailed(module: "m"), .badInput(name: "side", detail: "d")]
        #expect(errors.map(\.code) == ["compose.empty", "compose.invalid_merge_mode", "compose.svd_failed", "compose.bad_input"])
    }
}

/// Writes a plan's tensors into memory and returns it as an input (the in-memory equivalent of writing the file).
func materialize(_ plan: ComposedPlan, digest: String = "sha256:" + String(repeating: "ab", count: 32)) throws -> StackInput {
    var tensors: [String: TensorData] = [:]
    for t in plan.tensors {
        switch t.source {
        case let .stored(provider, name): tensors[t.name] = try provider.tensor(name)
        case let .memory(d): tensors[t.name] = d
        }
    }
    return StackInput(tensors: InMemoryTensors(tensors), manifest: plan.manifest, digest: digest,
                      path: (plan.manifest.name ?? "stack") + ".pave")
}

@Suite struct StackWeightTests {
    @Test func parsesWeightsAndRenames() throws {
        #expect(StackWeight("audio=0.5") == StackWeight(key: "audio", weight: 0.5))
        #expect(StackWeight("a=b=-2e-3") == StackWeight(key: "a=b", weight: -0.002))
        #expect(StackWeight("#2=3") == StackWeight(key: "#2", weight: 3))
        #expect(MemberRename("#2=audio2") == MemberRename(key: "#2", newName: "audio2"))
        for bad in ["audio", "=1", "audio=", "audio=x"] { #expect(StackWeight(bad) == nil, "\(bad)") }
        for bad in ["x", "=y", "x="] { #expect(MemberRename(bad) == nil, "\(bad)") }
    }

    @Test func aNonFiniteWeightIsRefusedWhenTheStackIsBuilt() throws {
        let w = try #require(StackWeight("a=inf"))
        #expect(throws: ComposeError.nonFiniteWeight(member: "a", weight: .infinity)) {
            try PatchStack.build([TestPatches.patch(name: "a", seed: 1)], weights: [w])
        }
    }
}
