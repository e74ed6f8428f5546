import Foundation
import Testing

/// `pavepkg-bench` parses its arguments with swift-argument-parser, like the CLI.
@Suite struct BenchCLITests {
    @Test func helpPrintsHelpAndCreatesNothing() throws {
        let dir = try TempDir()
        let r = try CLI.run(["import", "--help"], tool: "pavepkg-bench", cwd: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("USAGE: pavepkg-bench import"), "\(r.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
        let bad = try CLI.run(["executor", "--shape", "5d"], tool: "pavepkg-bench", cwd: dir.url)
        #expect(bad.status != 0 && bad.stderr.contains("--shape must be audio7b or 3d"), "\(bad.stderr)")
        let list = try CLI.run(["--help"], tool: "pavepkg-bench")
        for sub in ["generate-samples", "run", "executor", "import", "registry", "signature", "make-model-dir", "compose"] {
            #expect(list.stdout.contains(sub), "\(sub)")
        }
    }
}
