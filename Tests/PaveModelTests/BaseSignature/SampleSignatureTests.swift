import Foundation
import PaveFormat
import Testing
@testable import PaveModel
import PaveTestSupport

/// The committed sample signatures (samples/base-signatures/) are what the tool gives for model directories
/// built from the published configs.
@Suite struct SampleSignatureTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/base-signatures")

    @Test(arguments: ModelDirectoryBuilder.Preset.allCases)
    func committedSampleMatchesARebuild(preset: ModelDirectoryBuilder.Preset) throws {
        let root = SigFixtures.tempDir("sample")
        defer { SigFixtures.cleanup(root) }
        let dir = root.appendingPathComponent(preset.rawValue)
        try ModelDirectoryBuilder(config: preset.config, shardCount: preset == .llavaOneVisionQwen2_7b ? 4 : 1, fill: .sparse).write(to: dir)
        let rebuilt = try BaseSignature.compute(model: dir, name: preset.hubID)
        let committed = try BaseSignature(contentsOf: Self.samples.appendingPathComponent(preset.rawValue + ".sig.json"))
        #expect(committed == rebuilt)
        // And the bytes: the file is exactly what `signature -o` writes.
        let out = root.appendingPathComponent("SIG.json")
        try rebuilt.write(to: out)
        #expect(try Data(contentsOf: out) == Data(contentsOf: Self.samples.appendingPathComponent(preset.rawValue + ".sig.json")))
    }
}
