import Foundation
import PaveKit
import Testing

/// Untrusted text (manifest fields, tensor names) never reaches the terminal raw: human-readable output shows
/// control characters as `\u001b`; `--json` output stays exact JSON.
struct UntrustedTextCLITests {
    static let clear = "\u{1B}[2J"
    static let retitle = "\u{1B}]0;owned\u{07}"

    /// A patch whose description, license, tags and author hold ANSI escape sequences.
    func hostilePatch(in dir: TempDir) throws -> String {
        let st = dir.path("w.safetensors")
        try Fixtures.safetensors(at: st)
        let manifest: JSONValue = [
            "description": .string("nice patch\(Self.clear)\r ok"), "license": .string("MIT\(Self.retitle)"),
            "tags": [.string("a\(Self.clear)"), "b"], "authors": [.string("eve\u{9B}2J")],
        ]
        let mpath = dir.path("m.json")
        try manifest.prettyData().write(to: URL(fileURLWithPath: mpath))
        let out = dir.path("hostile.pave")
        let r = try CLI.run(["pack", st, "--manifest", mpath, "-o", out, "--name", "hostile", "--version", "1.0.0", "--created", "2026-01-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    func expectNoRawControls(_ text: String, _ what: String) {
        let raw = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
        #expect(raw.isEmpty, "\(what) holds raw control characters \(raw.map { String($0.value, radix: 16) })")
    }

    @Test func inspectEscapesControlCharactersInText() throws {
        let dir = try TempDir()
        let pave = try hostilePatch(in: dir)
        let r = try CLI.run(["inspect", pave])
        #expect(r.status == 0)
        expectNoRawControls(r.stdout, "inspect")
        #expect(r.stdout.contains("\\u001b[2J"))
        #expect(r.stdout.contains("\\u001b]0;owned\\u0007"))
    }

    @Test func jsonOutputStaysExact() throws {
        let dir = try TempDir()
        let pave = try hostilePatch(in: dir)
        let r = try CLI.run(["inspect", pave, "--json"])
        #expect(r.status == 0)
        let v = try JSONValue.parse(Array(r.stdout.utf8))
        let text = String(decoding: v.canonicalData(), as: UTF8.self)
        #expect(text.contains("\\u001b[2J") || r.stdout.contains("\\u001b[2J"))
        // The decoded JSON gives back exactly the description that was packed.
        func find(_ v: JSONValue) -> Bool {
            switch v {
            case let .string(s): return s == "nice patch\(Self.clear)\r ok"
            case let .array(a): return a.contains(where: find)
            case let .object(o): return o.values.contains(where: find)
            default: return false
            }
        }
        #expect(find(v))
    }

    @Test func errorMessagesEscapeTensorNames() throws {
        let dir = try TempDir()
        let st = dir.path("bad.safetensors")
        try SafetensorsWriter.write([("x\(Self.clear)y", try TensorData.f32(shape: [1], [1]))], to: URL(fileURLWithPath: st))
        let r = try CLI.run(["pack", st, "-o", dir.path("o.pave"), "--name", "n", "--version", "1.0.0"])
        #expect(r.status == 1)
        expectNoRawControls(r.stderr, "pack's error")
        #expect(r.stderr.contains("\\u001b[2J"), "\(r.stderr)")
    }

    @Test func registryTextOutputIsEscaped() throws {
        let dir = try TempDir()
        let pave = try hostilePatch(in: dir)
        let env = ["PAVE_HOME": dir.path("home")]
        #expect(try CLI.run(["install", pave], environment: env).status == 0)
        for args in [["show", "hostile"], ["list"], ["search", "nice"]] {
            let r = try CLI.run(args, environment: env)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            expectNoRawControls(r.stdout + r.stderr, args[0])
        }
        let shown = try CLI.run(["show", "hostile"], environment: env)
        #expect(shown.stdout.contains("\\u001b[2J"), "\(shown.stdout)")
    }
}
