import Foundation
import Testing

/// The inputs fuzzing found that made `pavepkg pack DIR` die of SIGILL (issue 13), run through the built
/// binary: exit 1 with an error naming the file, never a signal. Fails (does not skip) without the binary.
@Suite struct FuzzCrasherCLITests {
    static let crashers = CLI.root.appendingPathComponent("Tests/Fixtures/crashers")

    @Test(arguments: [("long1_sign_extension", "data.pkl"), ("zip64_locator_underflow", "zip64")])
    func packRefusesTheCrasherWithExit1(name: String, expected: String) throws {
        let tmp = try TempDir()
        let r = try CLI.run(["pack", Self.crashers.appendingPathComponent(name).path, "-o", tmp.path("x.pave"), "--heads", "2", "--rope", "none"])
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("non_lora_trainables.bin") && r.stderr.contains(expected), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("x.pave")))
    }
}
