import Foundation
import PaveTestSupport
import PaveKit
import Testing

/// The CI gate through the built `pavepkg`: the exact commands of the README's GitHub Actions and GitLab CI jobs,
/// run in a repository of signed patches; the JUnit output parsed and counted by Python's xml.etree.
struct CIGateTests {
    /// The `pavepkg verify …` command lines of the README's CI jobs (the `run:` / `- ` prefix removed).
    static func readmeGateCommands() throws -> [String] {
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        var inYAML = false
        var out: [String] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("```") { inYAML = t == "```yaml"; continue }
            guard inYAML, t.contains("pavepkg verify ") else { continue }
            var command = t
            for prefix in ["run: ", "- "] where command.hasPrefix(prefix) { command = String(command.dropFirst(prefix.count)) }
            out.append(command)
        }
        return out
    }

    static func bash(_ command: String, in dir: String) throws -> CLI.Result {
        let bin = try CLI.binary().deletingLastPathComponent()
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-eo", "pipefail", "-c", command],
                                     environment: ["PATH": path, "PAVE_HOME": dir + "/.pave-home"],
                                     currentDirectory: URL(fileURLWithPath: dir))
        return CLI.Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// (tests, failures, testcases, failed testcases) of a JUnit file, by xml.etree.
    static func junitCounts(_ path: String) throws -> [Int] {
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            cases = root.iter("testcase")
            cases = list(cases)
            failed = [c for c in cases if c.find("failure") is not None]
            assert all(f.find("failure").get("message") for f in failed)
            print(root.get("tests"), root.get("failures"), len(cases), len(failed))
            """
        let r = try SigningInteropTests.external("python3", ["-c", script, path])
        guard r.status == 0 else { throw CLIError("xml.etree refused \(path): \(r.stderr)") }
        return r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
    }

    @Test func theReadmeJobsGateARepositoryOfSignedPatches() throws {
        let commands = try Self.readmeGateCommands()
        #expect(commands.count == 2, "\(commands)")  // one GitHub Actions, one GitLab CI
        let repo = try TempDir()
        let patches = repo.path("patches")
        try FileManager.default.createDirectory(atPath: patches + "/team", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: patches + "/keys", withIntermediateDirectories: true)
        #expect(try CLI.run(["key", "generate", "-o", repo.path("ci")]).status == 0)
        try FileManager.default.copyItem(atPath: repo.path("ci.pub"), toPath: patches + "/keys/ci.pub")
        try Data(#"{"trusted_keys": ["keys/ci.pub"], "require_signature": true}"#.utf8).write(to: URL(fileURLWithPath: patches + "/policy.json"))
        for rel in ["a.pave", "team/b.pave", "team/c.pave"] {
            let dest = patches + "/" + rel
            try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("samples/tiny.pave").path, toPath: dest)
            #expect(try CLI.run(["sign", dest, "--key", repo.path("ci.pem")]).status == 0)
        }

        // Every patch signed and intact: both jobs pass.
        for command in commands {
            let r = try Self.bash(command, in: repo.url.path)
            #expect(r.status == 0, "\(command): \(r.stdout)\(r.stderr)")
        }
        let clean = try Self.junitCounts(repo.path("pavepkg-verify.xml"))
        #expect(clean[0] == clean[2] && clean[1] == 0 && clean[3] == 0)
        #expect(clean[2] == 3 * 7)  // 3 patches × (4 container checks, manifest.schema, signature.oms, policy)

        // One patch changed after signing, one unsigned: both jobs fail, naming them.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: patches + "/team/b.pave")))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: patches + "/team/b.pave"))
        try FileManager.default.removeItem(atPath: patches + "/team/c.pave.sig")
        for command in commands {
            let r = try Self.bash(command, in: repo.url.path)
            #expect(r.status == 1, "\(command): \(r.stdout)\(r.stderr)")
            if command.contains("--format github") {
                let errors = r.stdout.split(separator: "\n").filter { $0.hasPrefix("::error file=patches/team/") }
                #expect(errors.contains { $0.contains("b.pave") && $0.contains("signing.digest_mismatch") })
                #expect(errors.contains { $0.contains("c.pave") && $0.contains("policy.require_signature") })
                #expect(r.stdout.contains("1 passed, 2 failed"))
            }
        }
        let failing = try Self.junitCounts(repo.path("pavepkg-verify.xml"))
        #expect(failing[1] == failing[3] && failing[3] >= 3)  // b: hashes + signature; c: policy
    }

    @Test func gateFormatsAndExitStatus() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.path("p/sub"), withIntermediateDirectories: true)
        for rel in ["p/x.pave", "p/sub/y.pave"] {
            try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("samples/tiny.pave").path, toPath: dir.path(rel))
        }
        let text = try CLI.run(["verify", dir.path("p")])
        #expect(text.status == 0 && text.stdout.contains("2 patches verified") && text.stdout.contains("2 passed, 0 failed"))
        let json = try CLI.run(["verify", dir.path("p/x.pave"), dir.path("p/sub"), "--format", "json"])
        let value = try JSONValue.parse(Data(json.stdout.utf8))
        #expect(value["passed"]?.intValue == 2 && value["results"]?.arrayValue?.count == 2 && value["ok"]?.boolValue == true)
        // A missing path is an I/O error (exit 2), not a failed patch.
        #expect(try CLI.run(["verify", dir.path("p"), dir.path("nope")]).status == 2)
        // An empty folder: nothing to gate is a usage error.
        try FileManager.default.createDirectory(atPath: dir.path("empty"), withIntermediateDirectories: true)
        #expect(try CLI.run(["verify", dir.path("empty")]).status == 2)
    }
}
