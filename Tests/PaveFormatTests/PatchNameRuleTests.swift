import Foundation
import Testing
@testable import PaveFormat

/// The patch-name rule shared by `pack`, `compose` and (the same limits) the registry.
@Suite struct PatchNameRuleTests {
    @Test(arguments: ["a", "tiny-fusion-sample", "pave_7b.audio-v2", "A1", String(repeating: "x", count: PatchNameRule.maxLength)])
    func acceptedNames(_ name: String) throws {
        try PatchNameRule.validate(name)
        #expect(PatchNameRule.isValid(name))
    }

    @Test func refusedNamesSayWhy() {
        let cases: [(String, String)] = [
            ("", "must not be empty"),
            (String(repeating: "x", count: 129), "129 bytes long; at most 128 allowed"),
            ("video+audio", "byte 5 is not allowed; use ASCII letters, digits and '.' '_' '-'"),
            ("a b", "byte 1 is not allowed"),
            ("name:1.0", "byte 4 is not allowed"),
            ("dir/name", "contains a path separator at byte 3"),
            ("dir\\name", "contains a path separator at byte 3"),
            ("tab\tname", "contains a control character at byte 3"),
            ("-lead", "must start with a letter or a digit"),
            ("a..b", "must not contain \"..\""),
            ("vidéo", "byte 3 is not allowed"),
        ]
        for (name, reason) in cases {
            #expect(!PatchNameRule.isValid(name), "\(name) should be refused")
            do {
                try PatchNameRule.validate(name)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.code == "format.patch_name")
                #expect(error.category == .invalidInput)
                #expect(error.description.contains(reason), "\(error.description)")
            }
        }
    }

    @Test func aPlanWithAnInvalidNameIsNotWritten() throws {
        let dir = try TempDir()
        var plan = PackPlan(manifest: Manifest(name: "video+audio", version: "1.0.0"))
        plan.tensors = [InMemoryTensorSource(name: "w", tensor: try TensorData.f32(shape: [2], [1, 2]))]
        #expect(throws: PaveFormatError.invalidPatchName(name: "video+audio", reason: "byte 5 is not allowed; use ASCII letters, digits and '.' '_' '-'")) {
            try plan.write(to: dir.file("x.pave"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.pave").path))
    }
}
