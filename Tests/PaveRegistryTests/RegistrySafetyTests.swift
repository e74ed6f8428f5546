import Foundation
import PaveFormat
import Testing
@testable import PaveRegistry

@Suite struct RegistrySafetyTests {
    let reader = SyntheticPatchReader()

    @Test(arguments: ["", "../evil", "a/b", "a\\b", "..", "x..y", ".hidden", "-flag", "a:b", "tab\tname", "nul\u{0}", "ünïcode",
                      String(repeating: "n", count: 129)])
    func hostileNamesAreRefused(name: String) throws {
        #expect(throws: RegistryError.self) { try PatchName.validate(name: name) }
    }

    @Test func goodNamesAndVersionsPass() throws {
        try PatchName.validate(name: "pave-audio_lora.v2")
        try PatchName.validate(name: String(repeating: "n", count: 128))
        try PatchName.validate(version: "1.0.0-rc.1+build.5")
        #expect(throws: RegistryError.self) { try PatchName.validate(version: "1.0/../..") }
    }

    @Test func aPatchWithAHostileNameWritesNothingOutsideTheStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: reader)
        let url = dir.file("evil.pave")
        try SyntheticPatchFormat.write(manifest: testManifest("../../escape", "1.0.0"), tensors: [("t", [1, 2])], to: url)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(throws: RegistryError.invalidName("../../escape", reason: "must start with a letter or a digit")) {
            try registry.install(paths: [url.path])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == before)
        let (blobs, temps) = try registry.blobs.scan()
        #expect(blobs.isEmpty && temps.isEmpty)
        #expect(try registry.list().isEmpty)
    }

    @Test func storePathsStayInsideHome() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let layout = StoreLayout(home: dir.file("home"))
        #expect(throws: RegistryError.self) { try layout.blobURL("../../../../etc/passwd") }
        #expect(throws: RegistryError.self) { try layout.recipeURL(String(repeating: "A", count: 64)) }
        #expect(throws: RegistryError.self) { try layout.confine(dir.file("elsewhere")) }
        let ok = try layout.blobURL(String(repeating: "ab", count: 32))
        #expect(ok.path.hasPrefix(layout.home.path + "/blobs/sha256/ab/"))
        // A blobs directory replaced by a symbolic link to somewhere else is refused.
        try FileManager.default.createDirectory(at: layout.home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.file("outside"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: layout.home.appendingPathComponent("blobs"), withDestinationURL: dir.file("outside"))
        #expect(throws: RegistryError.self) { try Registry(layout: layout, reader: reader) }
    }

    @Test func homeComesFromPaveHomeOrTheUsersHome() {
        #expect(StoreLayout.fromEnvironment(["PAVE_HOME": "/tmp/ph", "HOME": "/root"]).home.path == "/tmp/ph")
        #expect(StoreLayout.fromEnvironment(["HOME": "/home/u"]).home.path == "/home/u/.pave")
    }

    @Test func indexIsWALWithASchemaVersionAndReadableBySqlite3() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let layout = StoreLayout(home: dir.file("home"))
        let registry = try Registry(layout: layout, reader: reader)
        let url = dir.file("p.pave")
        try SyntheticPatchFormat.write(manifest: testManifest("cli-readable", "1.0.0", tags: ["x"]), tensors: [("t", [9, 9])], to: url)
        try registry.install(paths: [url.path])
        #expect(try registry.db.pragmaInteger("user_version") == Int64(Registry.schemaVersion))
        #expect(try registry.db.query("PRAGMA journal_mode").first?.string(0) == "wal")
        let tool = "/usr/bin/sqlite3"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "the sqlite3 command-line tool is needed")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-readonly", layout.indexURL.path,
                       "SELECT name || ':' || version FROM patches; SELECT count(*) FROM segments; SELECT name FROM patches_fts WHERE patches_fts MATCH 'cli'; PRAGMA user_version;"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0)
        #expect(text == "cli-readable:1.0.0\n1\ncli-readable\n1\n")  // one segment: head, the small tensor, padding
    }

    @Test func verifyInstalledReportsBitRotAndDoctorRebuildRestoresALostIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let layout = StoreLayout(home: dir.file("home"))
        var registry: Registry? = try Registry(layout: layout, reader: reader)
        for i in 0..<3 {
            let url = dir.file("p\(i).pave")
            try SyntheticPatchFormat.write(manifest: testManifest("p\(i)", "1.0.\(i)", tags: ["t\(i)"]),
                                           tensors: [("shared", pseudoRandomBytes(20_000, seed: 99)), ("own", pseudoRandomBytes(100, seed: UInt64(i)))], to: url)
            try registry?.install(paths: [url.path])
        }
        #expect(try registry?.verifyInstalled().ok == true)
        let before = try registry?.list()
        let usageBefore = try registry?.usage()

        // Lose the index entirely, rebuild from recipes and blobs.
        registry = nil
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: layout.indexURL.path + suffix) }
        let empty = try Registry(layout: layout, reader: reader)
        #expect(try empty.list().isEmpty)
        #expect(try empty.doctor().findings.contains { $0.code == "uninstalled_recipes" })
        let report = try Registry.rebuildIndex(layout: layout, reader: reader)
        #expect(report.restored == ["p0:1.0.0", "p1:1.0.1", "p2:1.0.2"])
        #expect(report.skipped.isEmpty)
        let rebuilt = try Registry(layout: layout, reader: reader)
        #expect(try rebuilt.list().map(\.digest) == before?.map(\.digest))
        #expect(try rebuilt.usage() == usageBefore)
        #expect(try rebuilt.search("t1").map(\.name) == ["p1"])
        #expect(try rebuilt.doctor().ok)

        // Flip one byte of the shared tensor's blob: verify names the blob and every patch using it.
        let seg = try #require(try rebuilt.show("p0").segments.first { $0.tensor == "shared" })
        let blobURL = try layout.blobURL(try #require(seg.blob))
        var bytes = try Data(contentsOf: blobURL)
        bytes[10] ^= 0x40
        try bytes.write(to: blobURL)
        let v = try rebuilt.verifyInstalled()
        #expect(!v.ok)
        #expect(v.damaged.count == 1)
        #expect(v.damaged.first?.patches == ["p0:1.0.0", "p1:1.0.1", "p2:1.0.2"])
        #expect(v.damaged.first?.tensors == ["shared"])
    }

    @Test func gcFreesOrphansAndStaleTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let layout = StoreLayout(home: dir.file("home"))
        let registry = try Registry(layout: layout, reader: reader)
        let url = dir.file("p.pave")
        try SyntheticPatchFormat.write(manifest: testManifest("keep", "1.0.0"), tensors: [("t", pseudoRandomBytes(700, seed: 5))], to: url)
        try registry.install(paths: [url.path])
        // An orphan blob (as an install killed after writing blobs leaves) and a half-written temporary file.
        let orphan = pseudoRandomBytes(1234, seed: 6)
        let hex = SyntheticPatchFormat.hex(orphan)
        try layout.prepareFanout(hex)
        try Data(orphan).write(to: try layout.blobURL(hex))
        let temp = try layout.blobURL(hex).deletingLastPathComponent().appendingPathComponent(".\(hex).tmp-1-2")
        try Data(count: 99).write(to: temp)
        let dry = try registry.gc(dryRun: true)
        #expect(dry.blobs == 1 && dry.bytes == 1234 && dry.temporaryFiles == 1 && dry.temporaryBytes == 99)
        #expect(FileManager.default.fileExists(atPath: try layout.blobURL(hex).path))
        let real = try registry.gc()
        #expect(real.freedBytes == 1234 + 99)
        #expect(!FileManager.default.fileExists(atPath: try layout.blobURL(hex).path))
        #expect(!FileManager.default.fileExists(atPath: temp.path))
        #expect(try registry.verifyInstalled().ok)
        #expect(try registry.gc().freedBytes == 0)
    }
}

@Suite struct RegistrySchemaTests {
    @Test func anIndexFromANewerPavepkgIsRefusedNotDamaged() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let layout = StoreLayout(home: dir.file("deep/er/home"))  // PAVE_HOME's parents are created too
        _ = try Registry(layout: layout, reader: SyntheticPatchReader())
        let db = try SQLiteConnection(path: layout.indexURL.path)
        try db.execute("PRAGMA user_version = \(Registry.schemaVersion + 1)")
        db.close()
        #expect(throws: RegistryError.schemaTooNew(path: layout.indexURL.path, found: Registry.schemaVersion + 1, supported: Registry.schemaVersion)) {
            try Registry(layout: layout, reader: SyntheticPatchReader())
        }
    }

    @Test func migrationsAreOrderedAndTheFreshIndexIsAtTheLatest() throws {
        let versions = RegistrySchema.migrations.map(\.version)
        #expect(versions == Array(1...versions.count))
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let registry = try Registry(layout: StoreLayout(home: dir.file("home")), reader: SyntheticPatchReader())
        let tables = try registry.db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'patches_fts_%' ORDER BY name").compactMap { $0.string(0) }
        #expect(tables == ["blobs", "manifests", "patches", "patches_fts", "segments"])
        #expect(try registry.db.pragmaInteger("foreign_keys") == 1)
    }
}
