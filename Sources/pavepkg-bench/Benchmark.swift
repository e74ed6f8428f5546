import Foundation
import PaveKit

/// `pavepkg-bench run FILE.safetensors`: pack / unpack / open+read+verify speed and compression ratio per dtype,
/// next to the `zstd` command-line tool at -3 and -19 on the same raw bytes. Build with `-c release`.
enum Benchmark {
    struct Options {
        var input: URL
        var toBF16 = false
        var level = 3
        var repeats = 3
        var zstdCLI = true
        /// Where the .pave and unpacked files go (default: the temporary directory).
        var outDir: URL?
    }

    static func run(_ o: Options) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("pavepkg-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var input = o.input
        if o.toBF16 {
            let src = try SafetensorsFile(o.input)
            var out: [(name: String, tensor: TensorData)] = []
            for e in src.entries { out.append((e.name, try BF16.convert(try src.tensor(e.name)))) }
            input = work.appendingPathComponent("input-bf16.safetensors")
            try SafetensorsWriter.write(out, to: input)
        }
        let st = try SafetensorsFile(input)
        let raw = st.entries.reduce(0) { $0 + $1.byteCount }
        let dtypes = Dictionary(grouping: st.entries, by: \.dtype).mapValues { $0.reduce(0) { $0 + $1.byteCount } }
        print("input \(o.input.path)\(o.toBF16 ? " (F32 → BF16, round-to-nearest-even)" : "")")
        print("  \(st.entries.count) tensors, \(raw) raw bytes (\(mb(raw)) MB): " + dtypes.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        print("  machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, zstd level \(o.level), chunk \(PaveLimits.defaultChunkSize) bytes, best of \(o.repeats)")
        // Warm the page cache.
        _ = try Data(contentsOf: input)

        let outDir = o.outDir ?? work
        let pave = outDir.appendingPathComponent("pavepkg-bench-\(getpid()).pave")
        defer { try? FileManager.default.removeItem(at: pave) }
        print("  output: \(outDir.path)")
        var summary: PackSummary?
        var figures = ZipNNComparison.PaveFigures(rawBytes: raw, storedBytes: 0, pack: [:], read: [:])
        for threads in [ParallelWork.defaultThreads, 1] {
            let t = try timed(o.repeats) {
                var plan = PackPlan(manifest: benchManifest(), options: PackOptions(level: o.level, threads: threads))
                try plan.addSafetensors([input])
                summary = try plan.write(to: pave)
            }
            figures.pack[threads] = t.wall
            print(String(format: "pack             %d thread%@: %7.1f MB/s wall (%.3f s); %7.1f MB/s per CPU-second (%.3f CPU s)", threads, threads == 1 ? " " : "s",
                         Double(raw) / t.wall / 1e6, t.wall, Double(raw) / t.cpu / 1e6, t.cpu))
        }
        guard let summary else { return }
        for threads in [1, ParallelWork.defaultThreads] {
            let t = try timed(o.repeats) {
                let f = try PaveFile.open(pave, threads: threads)
                _ = try f.readTensors(f.entries)
            }
            figures.read[threads] = t.wall
            print(String(format: "open+read+verify %d thread%@: %7.1f MB/s wall (%.1f ms); %7.1f MB/s per CPU-second (%.1f CPU ms) — decode + SHA-256 of all %@ MB", threads, threads == 1 ? " " : "s",
                         Double(raw) / t.wall / 1e6, t.wall * 1000, Double(raw) / t.cpu / 1e6, t.cpu * 1000, mb(raw)))
        }
        for threads in [1, ParallelWork.defaultThreads] {
            let v = try timed(o.repeats) {
                let f = try PaveFile.open(pave, threads: threads)
                guard try f.verifyAll().ok else { throw BenchError("verify failed") }
            }
            print(String(format: "verify           %d thread%@: %7.1f MB/s wall (%.1f ms); %7.1f MB/s per CPU-second (%.1f CPU ms) — streaming decode + SHA-256 + padding check",
                         threads, threads == 1 ? " " : "s", Double(raw) / v.wall / 1e6, v.wall * 1000, Double(raw) / v.cpu / 1e6, v.cpu * 1000))
        }
        let t = try timed(o.repeats) {
            let f = try PaveFile.open(pave)
            _ = try PaveUnpacker.unpack(f, to: outDir.appendingPathComponent("pavepkg-bench-\(getpid())-unpacked"))
        }
        try? FileManager.default.removeItem(at: outDir.appendingPathComponent("pavepkg-bench-\(getpid())-unpacked"))
        print(String(format: "unpack           %d threads: %7.1f MB/s wall (%.3f s); %7.1f MB/s per CPU-second — to safetensors, fsync'ed", ParallelWork.defaultThreads,
                     Double(raw) / t.wall / 1e6, t.wall, Double(raw) / t.cpu / 1e6))

        print("\ncompressed size / raw size")
        var rows = [["dtype", "raw bytes", "pavepkg", "zstd -3", "zstd -19"]]
        var totals = (raw: 0, pave: 0, z3: 0, z19: 0)
        let file = try PaveFile.open(pave)
        for (dtype, rawBytes) in dtypes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let stored = summary.byDType[dtype.rawValue]?.stored ?? 0
            var row = [dtype.rawValue, "\(rawBytes)", ratio(stored, rawBytes)]
            totals.raw += rawBytes
            totals.pave += stored
            if o.zstdCLI {
                let blob = work.appendingPathComponent("raw-\(dtype.rawValue).bin")
                let w = try AtomicFileWriter(destination: blob)
                for e in file.entries where e.dtype == dtype { try w.write(try file.readTensor(e).bytes) }
                try w.commit()
                let z3 = try zstdSize(blob, level: 3)
                let z19 = try zstdSize(blob, level: 19)
                totals.z3 += z3.size
                totals.z19 += z19.size
                row += [ratio(z3.size, rawBytes) + String(format: " (%.0f MB/s)", Double(rawBytes) / z3.seconds / 1e6),
                        ratio(z19.size, rawBytes) + String(format: " (%.1f MB/s)", Double(rawBytes) / z19.seconds / 1e6)]
            }
            rows.append(row)
        }
        rows.append(["all", "\(totals.raw)", ratio(totals.pave, totals.raw)] + (o.zstdCLI ? [ratio(totals.z3, totals.raw), ratio(totals.z19, totals.raw)] : []))
        for r in rows { print(r.enumerated().map { i, c in i == 0 ? c.padding(toLength: 6, withPad: " ", startingAt: 0) : String(repeating: " ", count: max(0, 20 - c.count)) + c }.joined()) }
        print("(zstd CLI: `zstd -T1 -<level> -c` on the concatenated raw bytes of the tensors of that dtype; speed includes process start)")
        print("digest \(summary.digest), file \(summary.fileBytes) bytes")
        figures.storedBytes = summary.storedBytes
        try compareWithZipNN(figures, file: file, dtypes: Array(dtypes.keys), work: work, repeats: o.repeats)
    }

    /// Writes the raw bytes of each compared dtype to a file and runs ``ZipNNComparison`` on them.
    static func compareWithZipNN(_ figures: ZipNNComparison.PaveFigures, file: PaveFile, dtypes: [DType], work: URL, repeats: Int) throws {
        var blobs: [(DType, URL)] = []
        var compared = 0
        for dtype in dtypes.sorted(by: { $0.rawValue < $1.rawValue }) where ZipNNComparison.zipnnDType(dtype) != nil {
            let blob = work.appendingPathComponent("zipnn-\(dtype.rawValue).bin")
            let w = try AtomicFileWriter(destination: blob)
            for e in file.entries where e.dtype == dtype {
                try w.write(try file.readTensor(e).bytes)
                compared += e.byteCount
            }
            try w.commit()
            blobs.append((dtype, blob))
        }
        guard let z = try ZipNNComparison.measure(blobs, threads: figures.read.keys.sorted(by: >), repeats: repeats) else { return }
        ZipNNComparison.report(figures, z, comparedBytes: compared)
    }

    static func benchManifest() -> Manifest {
        var m = Manifest(name: "bench", version: "1.0.0")
        m.created = "2026-01-01T00:00:00Z"
        return m
    }

    /// Best wall-clock seconds of `repeats` runs.
    static func best(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        try timed(repeats, body).wall
    }

    /// Best wall-clock and best process-CPU seconds of `repeats` runs. CPU time is what a 1-thread run costs
    /// on one core even when the machine is shared (wall time then includes waiting for a core).
    static func timed(_ repeats: Int, _ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        var wall = Double.infinity
        var cpu = Double.infinity
        for _ in 0..<max(1, repeats) {
            let c0 = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            wall = min(wall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cpu = min(cpu, cpuSeconds() - c0)
        }
        return (wall, cpu)
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func zstdSize(_ url: URL, level: Int) throws -> (size: Int, seconds: Double) {
        let out = url.appendingPathExtension("zst")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["zstd", "-q", "-f", "-T1", "-\(level)", url.path, "-o", out.path]
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard p.terminationStatus == 0 else { throw BenchError("zstd -\(level) failed (is the zstd CLI installed?)") }
        let size = (try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(at: out)
        return (size, seconds)
    }

    static func ratio(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.4f", Double(a) / Double(b)) }
    static func mb(_ n: Int) -> String { String(format: "%.2f", Double(n) / 1e6) }
}
