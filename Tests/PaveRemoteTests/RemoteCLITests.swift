import Foundation
import PaveFormat
@testable import PaveRemote
import Testing

/// `pavepkg push / pull / tags / login / logout` through the built binary against a real registry with Basic auth.
@Suite(.serialized) struct RemoteCLITests {
    struct Outcome { var status: Int32; var stdout: String; var stderr: String }

    static func binary() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let url = dir.appendingPathComponent("pavepkg")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/pavepkg")
        guard FileManager.default.isExecutableFile(atPath: fallback.path) else { throw TestFailure("no built pavepkg binary: run swift build first") }
        return fallback
    }

    static func run(_ args: [String], env: [String: String], stdin: String? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = try binary()
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func loginPushTagsPullLogoutWithExitCodesAndAdvice() throws {
        let registry = try TestRegistry(auth: .htpasswd(user: "carol", password: "hunter2"))
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let file = try writePatch(dir.path("p.pave"), name: "cli-patch", version: "1.2.0", tensors: [("w", 30_000, 3)], baseModel: "llava-onevision-qwen2-7b-ov")
        let env = ["DOCKER_CONFIG": dir.path("docker").path, "PAVE_HOME": dir.path("home").path]
        let repo = "\(registry.host)/team/cli-patch"

        let denied = try Self.run(["push", file, repo], env: env)
        #expect(denied.status == 2)
        #expect(denied.stderr.contains("run `pavepkg login \(registry.host)`"), "\(denied.stderr)")

        let wrong = try Self.run(["login", registry.host, "-u", "carol", "--password-stdin"], env: env, stdin: "nope\n")
        #expect(wrong.status == 2 && wrong.stderr.contains("refused the credentials of user \"carol\""), "\(wrong.stderr)")
        let login = try Self.run(["login", registry.host, "-u", "carol", "--password-stdin"], env: env, stdin: "hunter2\n")
        #expect(login.status == 0, "\(login.stderr)")
        let config = try JSONValue.parse(Array(try Data(contentsOf: dir.path("docker/config.json"))))
        #expect(config["auths"]?[registry.host]?["auth"]?.stringValue == Data("carol:hunter2".utf8).base64EncodedString())

        let push = try Self.run(["push", file, repo], env: env)
        #expect(push.status == 0, "\(push.stderr)")
        let digest = push.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(Digest.isValid(digest), "\(push.stdout)")
        let tags = try Self.run(["tags", repo, "--json"], env: env)
        #expect(try JSONValue.parse(Array(tags.stdout.utf8))["tags"]?.arrayValue?.compactMap(\.stringValue) == ["1.2.0"])

        let missing = try Self.run(["pull", repo + ":9.9.9"], env: env)
        #expect(missing.status == 2 && missing.stderr.contains("existing tags: 1.2.0"), "\(missing.stderr)")
        let wrongBase = try Self.run(["pull", repo + ":1.2.0", "--base", "lmms-lab/llava-onevision-qwen2-0.5b-ov", "--json"], env: env)
        #expect(wrongBase.status == 1)
        #expect(try JSONValue.parse(Array(wrongBase.stdout.utf8))["error"]?["code"]?.stringValue == "remote.base_mismatch")
        let pull = try Self.run(["pull", "\(repo)@\(digest)", "--base", "lmms-lab/llava-onevision-qwen2-7b-ov", "--json"], env: env)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try JSONValue.parse(Array(pull.stdout.utf8))["installed"]?["status"]?.stringValue == "installed")
        let list = try Self.run(["list"], env: env)
        #expect(list.stdout.contains("cli-patch:1.2.0"))
        // An installed patch can be pushed by name.
        let byName = try Self.run(["push", "cli-patch:1.2.0", "\(registry.host)/team/copy", "--json"], env: env)
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(try JSONValue.parse(Array(byName.stdout.utf8))["digest"]?.stringValue == digest)

        let logout = try Self.run(["logout", registry.host], env: env)
        #expect(logout.status == 0)
        #expect(try Self.run(["tags", repo], env: env).status == 2)
        #expect(try Self.run(["pull", "not a reference"], env: env).status == 2)
    }
}
