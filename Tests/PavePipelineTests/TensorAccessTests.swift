import Foundation
import PaveCompose
import PaveFormat
import PaveModel
import Testing

/// One tensor-access abstraction: every ``TensorProvider`` gives random access and a stream, file-backed ones
/// streaming from the file (no whole-tensor copies, no downcasts in the composer).
@Suite struct TensorAccessTests {
    @Test func providersStreamFromTheirFiles() throws {
        let dir = try PipelineFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let composed = try PaveFile.open(try PipelineFixtures.composed(in: dir))
        let name = "fusion.output_norm.weight"

        let member = PrefixedTensors(composed, prefix: "m.video/")
        let s = try member.source(name)
        #expect(s is PaveTensorSource && s.name == name)
        let renamed = try member.source(name, renamedTo: "x")
        #expect(renamed.name == "x" && renamed.shape == member.tensorInfo(name)?.shape)
        #expect(try renamed.read(offset: 0, count: try #require(renamed.byteCount)) == member.tensor(name).bytes)

        let weights = try PipelineFixtures.file("a2.weights.safetensors")
        #expect(try weights.source(weights.entries[0].name) is SafetensorsTensorSource)

        let memory = InMemoryTensors(["t": try TensorData.f32(shape: [2], [1, 2])])
        #expect(try memory.source("t", renamedTo: "u").name == "u")
        #expect(throws: PaveFormatError.self) { try memory.tensor("missing") }

        let inputs = TensorSourceProvider(try SafetensorsTensorSource.all(in: weights))
        let streamed = try inputs.source(weights.entries[0].name, renamedTo: "renamed")
        #expect(streamed is RenamedTensorSource && streamed.name == "renamed")
        #expect(try inputs.tensor(weights.entries[0].name) == weights.tensor(weights.entries[0].name))
    }
}
