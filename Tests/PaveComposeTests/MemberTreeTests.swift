import PaveFormat
import Testing
@testable import PaveCompose

@Suite struct MemberTreeTests {
    @Test func showsMembersWeightsAndProvenance() throws {
        let inner = try materialize(StackComposer.plan(
            try PatchStack.build([TestPatches.patch(name: "video", seed: 1), TestPatches.patch(name: "audio", seed: 2)], weights: [("audio", 0.5)]),
            options: ComposeOptions(name: "av")))
        let outer = try StackComposer.plan(try PatchStack.build([inner, TestPatches.patch(name: "depth", seed: 3)]), options: ComposeOptions(name: "avd"))
        let text = try #require(MemberTree.text(outer.manifest))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "members (3, lora: kept)")
        #expect(lines[1].hasPrefix("  ├─ video  w=1    side=video  sha256:010101010101…  pave-v5 6→12 (1 layer), lora r=2 (2 modules)"))
        #expect(lines[2].hasPrefix("  │    via av sha256:abababababab…"))
        #expect(lines[3].contains("audio  w=0.5  side=audio"))
        #expect(lines.last?.hasPrefix("  └─ depth") == true)
        #expect(MemberTree.text(try TestPatches.patch(name: "x", seed: 1).manifest) == nil)
    }

    @Test func showsTheMerge() throws {
        let s = try PatchStack.build([TestPatches.patch(name: "video", seed: 1), TestPatches.patch(name: "audio", seed: 2)])
        let plan = try StackComposer.plan(s, options: ComposeOptions(name: "m", mergeLoRA: .svd(rank: 2)))
        let text = try #require(MemberTree.text(plan.manifest))
        #expect(text.hasPrefix("members (2, lora: merged svd, rank 2)"))
        #expect(text.contains("lora r=2 (2 modules, merged)"))
        #expect(text.contains("svd: worst relative Frobenius error"))
    }
}
