import Foundation
import PaveKit

#if canImport(Glibc)
import Glibc
#endif

/// `pavepkg-bench pack-zip [DIR] [--runs N]`: the 7B-shaped synthetic PAVE checkpoint of `import` (fusion +
/// r = 64 LoRA, ~340 MB bf16), zipped with DEFLATE by Python's `zipfile` (as released checkpoints are), then in
/// one run:
/// - `pavepkg pack` (the built binary next to this one) from the extracted directory and from the zip,
///   alternating, best of N each; the zip must take ≤ 1.3× the directory;
/// - raw inflate throughput of every entry of the zip: ``ZipArchive`` (zlib) against Python's `zipfile`.
enum PackFromZipBenchmark {
    static let preset = "VideoFeatModelArgumentsV5_1_3_audio_languagebind_7B"

    static func run(directory dirArgument: String?, runs: Int) throws {
        let dir = dirArgument.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-bench-import-\(getpid())")
        let ckpt = dir.appendingPathComponent("pave_v5_1_3_lora_avsd_7B_imagebind")
        let zip = dir.appendingPathComponent("pave_v5_1_3_lora_avsd_7B_imagebind.zip")
        if !FileManager.default.fileExists(atPath: ckpt.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try ImportBenchmark.makeCheckpoint(at: ckpt)
        }
        if !FileManager.default.fileExists(atPath: zip.path) {
            let t0 = Date()
            try python(["-c", """
                import os, sys, zipfile
                src, out = sys.argv[1], sys.argv[2]
                top = os.path.basename(src)
                with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
                    for name in sorted(os.listdir(src)):
                        z.write(os.path.join(src, name), top + "/" + name)
                os.replace(out + ".tmp", out)
                """, ckpt.path, zip.path])
            print(String(format: "zipped with Python zipfile (DEFLATE level 6) in %.1f s", Date().timeIntervalSince(t0)))
        }
        let rawBytes = try FileManager.default.contentsOfDirectory(atPath: ckpt.path).reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: ckpt.appendingPathComponent($1).path)[.size] as? Int) ?? 0)
        }
        let zipBytes = (try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int) ?? 0
        print(String(format: "checkpoint: %.0f MiB extracted, %.0f MiB as a DEFLATE zip", Double(rawBytes) / 1_048_576, Double(zipBytes) / 1_048_576))

        // pack: directory vs zip, alternating.
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pavepkg")
        var fromDir: [Double] = [], fromZip: [Double] = []
        for r in 0..<runs {
            for (input, label) in [(ckpt, "dir"), (zip, "zip")] {
                let out = dir.appendingPathComponent("bench-\(label).pave")
                try? FileManager.default.removeItem(at: out)
                let t0 = Date()
                try runTool(bin, ["pack", input.path, "-o", out.path, "--preset", preset, "--created", "2026-01-01T00:00:00Z"])
                let t = Date().timeIntervalSince(t0)
                if label == "dir" { fromDir.append(t) } else { fromZip.append(t) }
                print(String(format: "  run %d: pack from %@: %.2f s", r + 1, label, t))
            }
        }
        let bestDir = fromDir.min() ?? 0, bestZip = fromZip.min() ?? 0
        let ratio = bestDir > 0 ? bestZip / bestDir : 0
        print(String(format: "pack from dir: %.2f s, from zip: %.2f s (best of %d): zip/dir = %.2f× (target ≤ 1.30×) %@",
                     bestDir, bestZip, runs, ratio, ratio <= 1.3 ? "OK" : "MISSED"))

        // Raw inflate throughput: every entry of the zip, streamed and CRC-checked.
        var swiftBest = Double.infinity
        var inflated = 0
        for _ in 0..<runs {
            let t0 = Date()
            let archive = try ZipArchive(url: zip)
            var n = 0
            for e in archive.entries { try archive.stream(e) { n += $0.count } }
            swiftBest = min(swiftBest, Date().timeIntervalSince(t0))
            inflated = n
        }
        let py = try python(["-c", """
            import sys, time, zipfile
            best = None
            for _ in range(int(sys.argv[2])):
                t0 = time.perf_counter()
                n = 0
                with zipfile.ZipFile(sys.argv[1]) as z:
                    for info in z.infolist():
                        with z.open(info) as f:
                            while True:
                                b = f.read(1 << 20)
                                if not b: break
                                n += len(b)
                t = time.perf_counter() - t0
                best = t if best is None else min(best, t)
            print(n, best)
            """, zip.path, String(runs)])
        let parts = py.split(separator: " ")
        guard parts.count == 2, let pyBytes = Int(parts[0]), let pyTime = Double(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("unexpected Python output: \(py)")
        }
        let mb = Double(inflated) / 1_048_576
        print(String(format: "inflate all entries (%.0f MiB): ZipArchive/zlib %.2f s = %.0f MiB/s; Python zipfile %.2f s = %.0f MiB/s (%@ bytes); ratio %.2f×",
                     mb, swiftBest, mb / swiftBest, pyTime, Double(pyBytes) / 1_048_576 / pyTime, pyBytes == inflated ? "same" : "DIFFERENT", swiftBest / pyTime))
    }

    @discardableResult
    static func python(_ arguments: [String]) throws -> String {
        try runTool(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }

    @discardableResult
    static func runTool(_ tool: URL, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = tool
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BenchError("\(tool.lastPathComponent) \(arguments.first ?? "") exited \(p.terminationStatus): \(String(decoding: e, as: UTF8.self).suffix(500))")
        }
        return String(decoding: o, as: UTF8.self)
    }
}
