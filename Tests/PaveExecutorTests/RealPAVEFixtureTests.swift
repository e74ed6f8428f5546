import Foundation
import Testing
import PaveFormat
import PaveModel
@testable import PaveExecutor

/// The executor against outputs of the real `PAVEModuleV5` (dragonlzm/PAVE @ ef6a93f, eval, fp32, torch 2.15).
@Suite struct RealPAVEFixtureTests {
    static let cases = [
        "a2.even", "a2.uneven", "a2.truncated", "a2.upsample_exact", "a2.upsample_short", "a2.upsample_chunknum",
        "a2.fewer_side", "b3.even", "b3.uneven", "r2.even_sq_lt_sk", "r2.uneven_sq_ge_sk", "r2.upsample",
    ]

    @Test(arguments: cases)
    func matchesRealPAVEToOneInTenThousand(_ name: String) throws {
        let arch = String(name.prefix(while: { $0 != "." }))
        let weights = try Fixtures.file("\(arch).weights.safetensors")
        let module = try FusionModule(architecture: try Fixtures.architecture(weights), tensors: weights, threads: 2)
        let c = try Fixtures.file("\(name).safetensors")
        let expected = try Fixtures.floats(c, "fused")
        let got = try module.forward(visual: try Fixtures.floats(c, "visual"), side: try Fixtures.floats(c, "side"),
                                     chunkNum: Int(c.metadata["chunk_num"] ?? ""), sideLength: Int(c.metadata["side_length"] ?? ""))
        #expect(got.shape == expected.shape)
        let worst = worstViolation(got.values, expected.values, atol: 1e-4, rtol: 1e-4)
        #expect(worst == nil, "\(name): worst element \(String(describing: worst)), max abs error \(maxAbsError(got.values, expected.values))")
    }

    @Test func resultIsIdenticalForAnyThreadCount() throws {
        let weights = try Fixtures.file("r2.weights.safetensors")
        let arch = try Fixtures.architecture(weights)
        let c = try Fixtures.file("r2.uneven_sq_ge_sk.safetensors")
        let v = try Fixtures.floats(c, "visual"), s = try Fixtures.floats(c, "side")
        BLAS.setThreadCount(2)   // the executor forces single-threaded OpenBLAS itself
        let one = try FusionModule(architecture: arch, tensors: weights, threads: 1).forward(visual: v, side: s)
        let two = try FusionModule(architecture: arch, tensors: weights, threads: 2).forward(visual: v, side: s)
        let five = try FusionModule(architecture: arch, tensors: weights, threads: 5).forward(visual: v, side: s)
        #expect(one.values.map(\.bitPattern) == two.values.map(\.bitPattern))
        #expect(one.values.map(\.bitPattern) == five.values.map(\.bitPattern))
    }

    @Test(arguments: ["lora", "rslora"])
    func loraDeltaMatchesPEFT(_ tag: String) throws {
        let f = try Fixtures.file("lora.peft.safetensors")
        var map: [String: TensorData] = [:]
        map["m.q_proj.lora_A.weight"] = try f.tensor("\(tag).A")
        map["m.q_proj.lora_B.weight"] = try f.tensor("\(tag).B")
        let config = LoRAConfig(r: 4, alpha: 8, useRSLoRA: tag == "rslora", targetModules: ["m.q_proj"], tensorPrefix: "")
        let adapter = try LoRAAdapter(config: config, module: "m.q_proj", tensors: InMemoryTensors(map))
        #expect(Double(adapter.scale) == Double(f.metadata["\(tag).scaling"] ?? "") )
        let got = try adapter.delta(try Fixtures.floats(f, "\(tag).x"))
        let expected = try Fixtures.floats(f, "\(tag).delta")
        #expect(got.shape == [5, 10])
        #expect(worstViolation(got.values, expected.values, atol: 1e-5, rtol: 1e-5) == nil)
    }
}
