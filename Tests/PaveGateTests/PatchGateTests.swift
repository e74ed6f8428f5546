import Foundation
import PaveFormat
import PaveSigning
import Testing
@testable import PaveGate

/// The CI gate as a library call: collecting files, verifying in parallel, signatures, policy, and the four
/// output formats (JUnit parsed by Python's xml.etree, a real XML parser).
struct PatchGateTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("pave-gate-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ rel: String) -> String { url.appendingPathComponent(rel).path }

        /// samples/tiny.pave at `rel` (folders made as needed).
        @discardableResult
        func tiny(_ rel: String) throws -> String {
            let dest = url.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: PatchGateTests.root.appendingPathComponent("samples/tiny.pave"), to: dest)
            return dest.path
        }

        /// Flips one byte of the tensor data.
        func damage(_ rel: String) throws {
            let u = url.appendingPathComponent(rel)
            var bytes = try [UInt8](Data(contentsOf: u))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: u)
        }
    }

    static func run(_ executable: String, _ args: [String], stdin: String = "") throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [executable] + args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Parses JUnit XML with Python's xml.etree and returns (testsuites tests, failures, testcase count,
    /// failure count, failed testcase "classname::name" list).
    static func parseJUnit(_ xml: String) throws -> (tests: Int, failures: Int, cases: Int, failed: [String]) {
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.read())
            assert root.tag == "testsuites", root.tag
            cases = root.findall("./testsuite/testcase")
            failed = [c.get("classname") + "::" + c.get("name") for c in cases if c.find("failure") is not None]
            for c in cases:
                f = c.find("failure")
                assert f is None or (f.get("message") and f.text), "failure without message"
            print(root.get("tests"), root.get("failures"), len(cases), len(failed))
            for f in failed: print(f)
            """
        let (status, out, err) = try run("python3", ["-c", script], stdin: xml)
        guard status == 0 else { throw GateTestError("xml.etree refused the JUnit output: \(err)") }
        let lines = out.split(separator: "\n").map(String.init)
        let n = lines[0].split(separator: " ").compactMap { Int($0) }
        return (n[0], n[1], n[2], Array(lines.dropFirst()))
    }

    @Test func collectFindsPaveFilesRecursivelySkippingHiddenFolders() throws {
        let f = try Folder()
        try f.tiny("a.pave")
        try f.tiny("sub/deeper/b.pave")
        try f.tiny(".git/c.pave")
        try Data("x".utf8).write(to: f.url.appendingPathComponent("sub/notes.txt"))
        let files = try PatchGate.collect([f.url.path, f.path("a.pave")])
        #expect(files.map(\.lastPathComponent) == ["a.pave", "b.pave"])
        #expect(throws: SigningError.self) { try PatchGate.collect([f.path("missing")]) }
    }

    @Test func aFolderWithOneDamagedPatchFailsThatPatchOnly() throws {
        let f = try Folder()
        for i in 0..<6 { try f.tiny("p\(i).pave") }
        try f.damage("p3.pave")
        let report = PatchGate(concurrency: 2).run(try PatchGate.collect([f.url.path]))
        #expect(report.results.count == 6 && report.passed == 5 && report.failed == 1 && !report.ok)
        #expect(report.results.map { URL(fileURLWithPath: $0.path).lastPathComponent } == (0..<6).map { "p\($0).pave" })
        let bad = try #require(report.results.first { !$0.ok })
        #expect(bad.path.hasSuffix("p3.pave") && bad.problems.contains { $0.code.hasPrefix("chunk.") || $0.code.hasPrefix("tensor.") || $0.code.hasPrefix("format.") })

        // JUnit: one testcase per patch and check, the failure carries the message.
        let junit = try Self.parseJUnit(GateFormat.junit.render(report))
        let checksPerPatch = report.results[0].checks.count
        #expect(junit.cases == report.results.reduce(0) { $0 + $1.checks.count } && junit.tests == junit.cases)
        #expect(junit.cases >= 6 * checksPerPatch - checksPerPatch)
        #expect(junit.failures == junit.failed.count && junit.failed.count >= 1)
        #expect(junit.failed.allSatisfy { $0.contains("p3.pave::") })

        // GitHub: an ::error annotation on the damaged file.
        let gh = GateFormat.github.render(report)
        #expect(gh.split(separator: "\n").filter { $0.hasPrefix("::error file=") }.allSatisfy { $0.contains("p3.pave") })
        #expect(gh.contains("5 passed, 1 failed"))
        // JSON round-trips, text names the file and the code.
        let decoded = try JSONDecoder().decode(GateReport.self, from: Data(GateFormat.json.render(report).utf8))
        #expect(decoded.results == report.results)
        #expect(GateFormat.text.render(report).contains("FAIL  \(bad.path)"))
    }

    @Test func signaturesBesideTheFilesAndThePolicyAreChecked() throws {
        let f = try Folder()
        try f.tiny("signed.pave")
        try f.tiny("unsigned.pave")
        try f.tiny("tampered.pave")
        let key = SigningKey(generating: .p256)
        try key.write(base: f.url.appendingPathComponent("ci"))
        for name in ["signed.pave", "tampered.pave"] {
            let u = URL(fileURLWithPath: f.path(name))
            try PatchSigner.write(try PatchSigner.sign(fileAt: u, key: key), to: TrustCheck.adjacentSignature(of: u))
        }
        try f.damage("tampered.pave")
        try Data(#"{"trusted_keys": ["ci.pub"], "require_signature": true}"#.utf8).write(to: URL(fileURLWithPath: f.path("policy.json")))
        let policy = try TrustPolicy.load(contentsOf: URL(fileURLWithPath: f.path("policy.json")))
        let report = PatchGate(policy: policy).run(try PatchGate.collect([f.url.path]))
        func result(_ name: String) -> GateResult? { report.results.first { $0.path.hasSuffix("/" + name) } }
        #expect(result("signed.pave")?.ok == true)
        #expect(result("unsigned.pave")?.problems.map(\.code) == ["policy.require_signature"])
        #expect(result("tampered.pave")?.problems.contains { $0.code == "signing.digest_mismatch" } == true)
        // The same with --key instead of a policy: the unsigned file lacks its FILE.sig.
        let withKey = PatchGate(keys: [key.publicKey]).run(try PatchGate.collect([f.url.path]))
        #expect(withKey.results.first { $0.path.hasSuffix("/unsigned.pave") }?.problems.first?.message.contains("unsigned.pave.sig") == true)
        // Annotation escaping keeps one line per annotation.
        for line in GateFormat.github.render(report).split(separator: "\n") where line.hasPrefix("::error") {
            #expect(line.contains("::error file=") && !line.dropFirst(2).contains("\n"))
        }
    }

    @Test func escapingForXMLAndWorkflowCommands() {
        #expect(GateFormat.xml("a<b>&\"c\"\u{1}") == "a&lt;b&gt;&amp;&quot;c&quot; ")
        #expect(GateFormat.data("50%\nnext") == "50%25%0Anext")
        #expect(GateFormat.property("a:b,c") == "a%3Ab%2Cc")
    }
}

struct GateTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
