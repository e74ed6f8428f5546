import PaveExecutor
import PaveFormat
import PaveModel
import Testing
@testable import PaveCompose

/// The stack's numbers: linearity, order, weight 0, composed file == load-time stack, cat merge == stack.
@Suite struct StackRunTests {
    static let dims = TestPatches.Dims()

    /// Inputs for a stack of `names`: one shared visual, one side per member, one lora_x.
    func inputs(sides names: [String], seed: UInt64 = 77, plainSide: Bool = false) throws -> InMemoryTensors {
        var rng = SeededRNG(seed: seed)
        var t: [String: TensorData] = [:]
        t["visual"] = try TensorData.f32(shape: [2, 4, Self.dims.queryDim], rng.floats(8 * Self.dims.queryDim))
        for n in names {
            t[plainSide ? "side" : "side.\(n)"] = try TensorData.f32(shape: [3, 1, 1, Self.dims.inputDim], rng.floats(3 * Self.dims.inputDim))
        }
        t["lora_x"] = try TensorData.f32(shape: [3, Self.dims.outputDim], rng.floats(3 * Self.dims.outputDim))
        return InMemoryTensors(t)
    }

    let q = "model.layers.0.self_attn.q_proj"

    func run(_ stack: PatchStack, _ inputs: InMemoryTensors) throws -> [String: [Float]] {
        let out = try StackExecutor(stack: stack).run(inputs: inputs, loraModules: [q], requireFused: true)
        return Dictionary(uniqueKeysWithValues: out.map { ($0.name, $0.tensor.values) })
    }

    /// The single patch through the executor alone (input `side`).
    func single(_ p: StackInput, side: String, _ inputs: InMemoryTensors) throws -> [String: [Float]] {
        var t = try #require(inputs.tensors["visual"].map { ["visual": $0] })
        t["side"] = inputs.tensors[side]
        t["lora_x"] = inputs.tensors["lora_x"]
        let exec = try PatchExecutor(spec: PatchSpec(manifest: p.manifest), tensors: p.tensors)
        let out = try exec.run(inputs: InMemoryTensors(t), loraModules: [q], requireFused: true)
        return Dictionary(uniqueKeysWithValues: out.map { ($0.name, $0.tensor.values) })
    }

    func patches() throws -> [StackInput] {
        [try TestPatches.patch(name: "video", seed: 1, rank: 2, alpha: 4),
         try TestPatches.patch(name: "audio", seed: 2, rank: 3, alpha: 16),
         try TestPatches.patch(name: "depth", seed: 3, rank: 1, alpha: 1)]
    }

    func close(_ a: [Float], _ b: [Float], tol: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
    }

    @Test func oneMemberStackIsBitIdenticalToTheExecutor() throws {
        let p = try TestPatches.patch(name: "video", seed: 1)
        let inputs = try inputs(sides: ["video"], plainSide: true)
        #expect(try run(PatchStack.build([p]), inputs) == single(p, side: "side", inputs))
    }

    @Test func stackIsTheWeightedSumOfSingleRuns() throws {
        let ps = try patches()
        let weights = [0.7, -0.35, 2.0]
        let stack = try PatchStack.build(ps, weights: zip(ps, weights).map { ($0.name, $1) })
        let inputs = try inputs(sides: ps.map(\.name))
        let got = try run(stack, inputs)
        for key in ["fused", "lora_delta." + q] {
            let singles = try ps.map { try single($0, side: "side.\($0.name)", inputs)[key] ?? [] }
            var want = [Float](repeating: 0, count: singles[0].count)
            for j in want.indices { want[j] = Float(zip(weights, singles).reduce(0.0) { $0 + $1.0 * Double($1.1[j]) }) }
            #expect(got[key] == want, "\(key)")   // same summation rule: bit-identical
            #expect(!(got[key] ?? []).allSatisfy { $0 == 0 })
        }
    }

    @Test func orderDoesNotMatterBeyondRounding() throws {
        let ps = try patches()
        let inputs = try inputs(sides: ps.map(\.name))
        let w: [(key: String, weight: Double)] = [("video", 0.5), ("audio", 1.5), ("depth", -1)]
        let forward = try run(PatchStack.build(ps, weights: w), inputs)
        let backward = try run(PatchStack.build(ps.reversed(), weights: w), inputs)
        for key in forward.keys { #expect(close(forward[key] ?? [], backward[key] ?? [], tol: 1e-6)) }
        // Two members: IEEE addition commutes, so the result is bit-identical.
        let two = try run(PatchStack.build(Array(ps.prefix(2)), weights: w.dropLast()), inputs)
        let owt = try run(PatchStack.build(Array(ps.prefix(2)).reversed(), weights: w.dropLast()), inputs)
        #expect(two == owt)
    }

    @Test func weightZeroIsLeavingThePatchOut() throws {
        let ps = try patches()
        let inputs = try inputs(sides: ps.map(\.name))
        let with = try run(PatchStack.build(ps, weights: [("audio", 0)]), inputs)
        let without = try run(PatchStack.build([ps[0], ps[2]]), inputs)
        #expect(with == without)
        // Its side input is not needed.
        var t = inputs.tensors
        t["side.audio"] = nil
        #expect(try run(PatchStack.build(ps, weights: [("audio", 0)]), InMemoryTensors(t)) == without)
    }

    @Test func composedFileIsBitIdenticalToTheLoadTimeStack() throws {
        let ps = try patches()
        let stack = try PatchStack.build(ps, weights: [("video", 0.1), ("audio", 1.0 / 3.0), ("depth", -0.7)])
        let plan = try StackComposer.plan(stack, options: ComposeOptions(name: "stack"))
        let reparsed = try Manifest(jsonBytes: plan.manifest.canonicalData())
        let file = StackInput(tensors: try materialize(plan).tensors, manifest: reparsed, digest: "sha256:" + String(repeating: "1", count: 64), path: "stack.pave")
        let inputs = try inputs(sides: ps.map(\.name))
        #expect(try run(PatchStack.load(file), inputs) == run(stack, inputs))
    }

    @Test func composeOfComposeFlattensToTheSameNumbers() throws {
        let ps = try patches()
        let inner = try materialize(StackComposer.plan(try PatchStack.build(Array(ps.prefix(2)), weights: [("audio", 0.5)]),
                                                       options: ComposeOptions(name: "av")))
        let outer = try PatchStack.build([inner, ps[2]], weights: [("av", 2), ("depth", 0.25)])
        let direct = try PatchStack.build(ps, weights: [("video", 2), ("audio", 1), ("depth", 0.25)])
        let inputs = try inputs(sides: ps.map(\.name))
        #expect(try run(outer, inputs) == run(direct, inputs))
        let file = try materialize(StackComposer.plan(outer, options: ComposeOptions(name: "avd")))
        #expect(try run(PatchStack.load(file), inputs) == run(direct, inputs))
    }

    @Test func catMergeEqualsTheStackNumerically() throws {
        let ps = try patches()
        let stack = try PatchStack.build(ps, weights: [("video", 0.5), ("audio", -1.25), ("depth", 3)])
        let merged = try PatchStack.load(materialize(StackComposer.plan(stack, options: ComposeOptions(name: "m", mergeLoRA: .cat))))
        let inputs = try inputs(sides: ps.map(\.name))
        let a = try run(stack, inputs), b = try run(merged, inputs)
        #expect(a["fused"] == b["fused"])   // the fusion part is untouched
        let key = "lora_delta." + q
        #expect(close(a[key] ?? [], b[key] ?? [], tol: 1e-5))
        #expect(a[key] != nil && a[key]?.allSatisfy { $0 == 0 } == false)
    }

    @Test func svdMergeAtFullRankEqualsTheStack() throws {
        let ps = try patches()
        let stack = try PatchStack.build(ps)
        let inputs = try inputs(sides: ps.map(\.name))
        let exact = try run(stack, inputs)["lora_delta." + q] ?? []
        var previous = Double.infinity
        for r in [1, 3, 6] {
            let merged = try PatchStack.load(materialize(StackComposer.plan(stack, options: ComposeOptions(name: "m", mergeLoRA: .svd(rank: r)))))
            let got = try run(merged, inputs)["lora_delta." + q] ?? []
            let err = zip(got, exact).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
            #expect(err <= previous + 1e-6)
            previous = err
            if r == 6 { #expect(close(got, exact, tol: 1e-4)) }
        }
    }

    @Test func missingSideInputIsNamed() throws {
        let ps = try patches()
        var t = try inputs(sides: ps.map(\.name)).tensors
        t["side.audio"] = nil
        let e = #expect(throws: ExecutorError.self) { try run(PatchStack.build(ps), InMemoryTensors(t)) }
        #expect(e?.description.contains("side.audio") == true)
    }
}
