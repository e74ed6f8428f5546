import Testing
@testable import PaveFormat
@testable import PaveModel

@Suite struct PatchSemanticsTests {
    @Test func fusionArchitectureRoundTripsThroughManifest() throws {
        var m = Manifest(name: "p", version: "1.0.0")
        let arch = FusionArchitecture(inputDim: 1024, outputDim: 3584)
        try m.encode(arch, forKey: ManifestKey.fusion)
        m["unknown_future_field"] = ["x": 1]
        let back = try Manifest(jsonBytes: [UInt8](m.canonicalData()))
        #expect(try back.decode(FusionArchitecture.self, forKey: ManifestKey.fusion) == arch)
        #expect(back["unknown_future_field"] == ["x": 1])
        #expect(LoRAConfig(r: 64, alpha: 16, targetModules: []).scale == 0.25)
    }
}
