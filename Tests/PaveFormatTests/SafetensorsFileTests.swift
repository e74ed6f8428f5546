import Foundation
import Testing
@testable import PaveFormat

@Suite struct SafetensorsFileTests {
    @Test func roundTripKeepsBytesAndMetadata() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.safetensors")
        let a = try TensorData.f32(shape: [2, 3], [1, 2, 3, 4, 5, 6])
        let s = try TensorData(dtype: .bf16, shape: [], bytes: [0x80, 0x3f])
        let e = try TensorData(dtype: .i64, shape: [0, 4], bytes: [])
        try SafetensorsWriter.write([("a", a), ("s", s), ("e", e)], metadata: ["k": "v"], to: url)
        let f = try SafetensorsFile(url)
        #expect(f.metadata == ["k": "v"])
        #expect(try f.tensor("a") == a)
        #expect(try f.tensor("s") == s)
        #expect(try f.tensor("e") == e)
        #expect(f.dataStart % 8 == 0)
    }

    @Test func rejectsHeaderLongerThanFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data([0xff, 0xff, 0, 0, 0, 0, 0, 0, UInt8(ascii: "{")]).write(to: url)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(url) }
    }
}
