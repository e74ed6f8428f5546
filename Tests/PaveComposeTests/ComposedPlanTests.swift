import PaveFormat
import PaveModel
import PaveExecutor
import Testing
@testable import PaveCompose

/// Composed manifests: re-prefixed tensors, member records, round trip through the `members` section, flattening.
@Suite struct ComposedPlanTests {
    func twoPatchStack() throws -> PatchStack {
        try PatchStack.build([TestPatches.patch(name: "video", seed: 1), TestPatches.patch(name: "audio", seed: 2)], weights: [("audio", 0.3)])
    }

    @Test func memberTensorsAreReprefixedAndRecorded() throws {
        let stack = try twoPatchStack()
        let plan = try StackComposer.plan(stack, options: ComposeOptions(name: "av", version: "1.2.0", tool: "pavepkg test"))
        let names = plan.tensors.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        let videoCount = stack.members[0].storedTensorNames.count
        #expect(names.filter { $0.hasPrefix("m.video/") }.count == videoCount)
        #expect(names.contains("m.audio/fusion.output_norm.bias"))
        #expect(names.contains("m.audio/base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        #expect(names.count == videoCount + stack.members[1].storedTensorNames.count)

        let records = try #require(try plan.manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members))
        #expect(records.map(\.name) == ["video", "audio"])
        #expect(records.map(\.weight) == [1, 0.3])
        #expect(records.map(\.tensorPrefix) == ["m.video/", "m.audio/"])
        #expect(records[1].digest == stack.members[1].digest)
        #expect(records[1].manifest == .object(stack.members[1].manifest.fields))
        #expect(plan.manifest.name == "av")
        #expect(plan.manifest.created == "2026-01-03T00:00:00Z")   // newest member, never "now"
        #expect(plan.manifest[ManifestKey.fusion] == nil)
        #expect(plan.manifest[ManifestKey.base]?["structural_signature"] == .string(TestPatches.baseA))
    }

    @Test func composedFileLoadsAsTheSameStack() throws {
        let stack = try twoPatchStack()
        let file = try materialize(StackComposer.plan(stack, options: ComposeOptions(name: "av")))
        let loaded = try PatchStack.load(file)
        #expect(loaded.members.map(\.name) == stack.members.map(\.name))
        #expect(loaded.members.map(\.weight) == stack.members.map(\.weight))
        #expect(loaded.members.map(\.digest) == stack.members.map(\.digest))
        #expect(loaded.members.map(\.via) == [[], []])
        #expect(loaded.members[1].fusion?.tensorPrefix == "fusion.")
        #expect(loaded.members[1].tensorPrefix == "m.audio/")
        #expect(try loaded.members[1].tensors.tensor("fusion.output_norm.bias") == file.tensors.tensor("m.audio/fusion.output_norm.bias"))
        // Every tensor a member resolves reads the same bytes as in the original patch.
        for (orig, comp) in zip(stack.members, loaded.members) {
            for name in orig.storedTensorNames {
                #expect(try comp.tensors.tensor(name) == orig.tensors.tensor(name))
            }
        }
    }

    @Test func composingAComposedPatchFlattensAndMultipliesWeights() throws {
        let inner = try materialize(StackComposer.plan(try twoPatchStack(), options: ComposeOptions(name: "av")),
                                    digest: "sha256:" + String(repeating: "cd", count: 32))
        let third = try TestPatches.patch(name: "depth", seed: 3)
        let outer = try PatchStack.build([inner, third], weights: [("av", 2), ("depth", 0.25)])
        #expect(outer.members.map(\.name) == ["video", "audio", "depth"])
        #expect(outer.members.map(\.weight) == [2, 0.6, 0.25])
        #expect(outer.members[0].via == [.init(name: "av", digest: "sha256:" + String(repeating: "cd", count: 32))])
        #expect(outer.members[2].via.isEmpty)

        let file = try materialize(StackComposer.plan(outer, options: ComposeOptions(name: "avd")))
        let records = try #require(try file.manifest.decode([MemberRecord].self, forKey: ComposeManifestKey.members))
        #expect(records.map(\.tensorPrefix) == ["m.video/", "m.audio/", "m.depth/"])   // one level deep
        #expect(records[0].via?.first?.name == "av")
        #expect(file.tensors.tensorInfos.allSatisfy { $0.name.hasPrefix("m.") && !$0.name.contains("/m.") })
        let reloaded = try PatchStack.load(file)
        #expect(reloaded.members.map(\.weight) == [2, 0.6, 0.25])
        #expect(try reloaded.members[0].tensors.tensor("fusion.input_mapping.weight")
                == outer.members[0].tensors.tensor("fusion.input_mapping.weight"))
    }

    @Test func weightsRoundTripExactlyThroughJSON() throws {
        let weights: [Double] = [0.1, 1.0 / 3.0, -2.5e-7, 123456.789, 0.30000000000000004]
        let inputs = try (0..<weights.count).map { try TestPatches.patch(name: "p\($0)", seed: UInt64($0 + 1)) }
        let stack = try PatchStack.build(inputs, weights: weights.enumerated().map { ("p\($0.offset)", $0.element) })
        let plan = try StackComposer.plan(stack, options: ComposeOptions())
        let reparsed = try Manifest(jsonBytes: plan.manifest.canonicalData())
        let file = StackInput(tensors: try materialize(plan).tensors, manifest: reparsed, digest: "sha256:" + String(repeating: "0", count: 64), path: "s.pave")
        #expect(try PatchStack.load(file).members.map(\.weight) == weights)
    }

    @Test func mergedComposedFileCannotBeStackedAgain() throws {
        let merged = try materialize(StackComposer.plan(try twoPatchStack(), options: ComposeOptions(name: "m", mergeLoRA: .cat)))
        let e = #expect(throws: ComposeError.self) { try PatchStack.build([merged, TestPatches.patch(name: "x", seed: 5)]) }
        #expect(e?.code == "compose.invalid_members")
        // ... but it loads and runs on its own.
        let alone = try PatchStack.load(merged)
        #expect(alone.ownLoRA != nil)
        #expect(alone.members.allSatisfy { $0.lora == nil && $0.loraMerged })
    }

    @Test func rejectsMalformedMembersSection() throws {
        var file = try materialize(StackComposer.plan(try twoPatchStack(), options: ComposeOptions(name: "av")))
        guard case var .array(items) = file.manifest[ComposeManifestKey.members], case var .object(first) = items[0] else {
            Issue.record("members"); return
        }
        first["tensor_prefix"] = "elsewhere/"
        items[0] = .object(first)
        file.manifest[ComposeManifestKey.members] = .array(items)
        let e = #expect(throws: ComposeError.self) { try PatchStack.load(file) }
        #expect(e?.code == "compose.invalid_members")
        file.manifest[ComposeManifestKey.members] = "nope"
        #expect(throws: ComposeError.self) { try PatchStack.load(file) }
    }
}
