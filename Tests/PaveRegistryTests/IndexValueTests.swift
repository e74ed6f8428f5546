import Testing
@testable import PaveRegistry

@Suite struct IndexValueTests {
    @Test(arguments: [
        ("[]", [String]()), ("[\"a\"]", ["a"]), ("[\"speech\",\"asr\"]", ["speech", "asr"]),
        ("[\"q\\\"uote\",\"b\\\\s\"]", ["q\"uote", "b\\s"]), ("[\"ünï\",\"x y\"]", ["ünï", "x y"]),
    ])
    func storedStringArraysDecode(json: String, expected: [String]) {
        #expect(InstalledPatch.stringArray(json) == expected)
    }

    @Test func versionsOrderSemantically() {
        let sorted = ["1.10.0", "1.2.0", "1.2.0-rc.1", "0.9", "abc", "1.2.0-alpha"].map(VersionOrder.init).sorted().map(\.text)
        #expect(sorted == ["0.9", "1.2.0-alpha", "1.2.0-rc.1", "1.2.0", "1.10.0", "abc"])
    }

    @Test func searchTextCannotInjectFTSSyntax() {
        #expect(Registry.ftsQuery("audio NEAR(\"x\" OR") == "\"audio\"* \"NEAR\"* \"x\"* \"OR\"*")
        #expect(Registry.ftsQuery("  -- ''") == "")
    }

    @Test func referencesParse() throws {
        #expect(try PatchReference.parse("pave-audio") == [.name("pave-audio", version: nil)])
        #expect(try PatchReference.parse("pave-audio:1.2.0") == [.name("pave-audio", version: "1.2.0")])
        #expect(try PatchReference.parse("deadbeef") == [.name("deadbeef", version: nil), .digestPrefix("deadbeef")])
        #expect(try PatchReference.parse("sha256:DEADBEEF00") == [.digestPrefix("deadbeef00")])
        #expect(throws: RegistryError.self) { try PatchReference.parse("sha256:abc") }
        #expect(throws: RegistryError.self) { try PatchReference.parse("../x") }
    }
}
