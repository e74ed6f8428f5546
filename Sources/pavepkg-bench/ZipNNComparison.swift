import Foundation
import PaveKit

/// `pavepkg-bench run`'s side-by-side comparison with ZipNN (PyPI `zipnn`, run through Python on the same raw
/// tensor bytes in the same run). Skipped, with a note, when no Python with `zipnn` is found: set
/// `PAVE_BENCH_PYTHON`, or make `.venv-bench` with `scripts/install-zipnn-bench.sh`.
enum ZipNNComparison {
    /// pavepkg's figures from the same run (best wall seconds over the whole raw size).
    struct PaveFigures {
        var rawBytes: Int
        var storedBytes: Int
        /// threads → seconds.
        var pack: [Int: Double]
        var read: [Int: Double]
    }

    /// ZipNN's figures: threads → (compress seconds, decompress seconds), and the compressed size.
    struct ZipNNFigures {
        var compress: [Int: Double] = [:]
        var decompress: [Int: Double] = [:]
        var size = 0
        var version = "?"
        /// Whether every decompression gave back exactly the input bytes.
        var lossless = true
    }

    /// Which ZipNN `bytearray_dtype` fits a dtype (ZipNN's byte grouping needs the element width); nil = not compared.
    static func zipnnDType(_ d: DType) -> String? {
        switch d {
        case .bf16: return "bfloat16"
        case .f16: return "float16"
        case .f32: return "float32"
        default: return nil
        }
    }

    /// The Python interpreter to use: `PAVE_BENCH_PYTHON`, else `.venv-bench/bin/python3` when present, else `python3`.
    static func python() -> String {
        if let p = ProcessInfo.processInfo.environment["PAVE_BENCH_PYTHON"], !p.isEmpty { return p }
        let venv = FileManager.default.currentDirectoryPath + "/.venv-bench/bin/python3"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// Times ZipNN compress and decompress of `blob` (raw bytes of one dtype) for each thread count, best of
    /// `repeats`; checks the round trip. Returns nil when `zipnn` cannot be imported.
    static let script = """
        import sys, json, time
        try:
            import zipnn
            from zipnn import ZipNN
        except Exception as e:
            print(json.dumps({"missing": str(e)})); sys.exit(0)
        from importlib.metadata import version
        path, dtype, repeats, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(t) for t in sys.argv[4].split(",")]
        data = open(path, "rb").read()
        out = {"version": version("zipnn"), "runs": {}}
        for t in threads:
            z = ZipNN(input_format="byte", bytearray_dtype=dtype, threads=t)
            bc = bd = float("inf")
            for _ in range(repeats):
                t0 = time.perf_counter(); c = z.compress(data); bc = min(bc, time.perf_counter() - t0)
            for _ in range(repeats):
                t0 = time.perf_counter(); d = z.decompress(c); bd = min(bd, time.perf_counter() - t0)
            d = bytes(d)
            differ = len(d) != len(data) or d != data
            out["runs"][str(t)] = {"compress": bc, "decompress": bd, "size": len(c), "lossless": not differ}
        print(json.dumps(out))
        """

    /// Runs ZipNN on each `(dtype, blob)` and sums the figures; nil (with the reason printed) when unavailable.
    static func measure(_ blobs: [(DType, URL)], threads: [Int], repeats: Int) throws -> ZipNNFigures? {
        var total = ZipNNFigures()
        for (dtype, blob) in blobs {
            guard let name = zipnnDType(dtype) else {
                print("ZipNN: \(dtype.rawValue) is not compared (ZipNN groups bytes of float16 / bfloat16 / float32 only)")
                continue
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [python(), "-c", script, blob.path, name, "\(repeats)", threads.map(String.init).joined(separator: ",")]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch {
                print("ZipNN: skipped (cannot run \(python()): \(error))")
                return nil
            }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0, let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                print("ZipNN: skipped (\(python()) exited with status \(p.terminationStatus))")
                return nil
            }
            if let missing = json["missing"] as? String {
                print("ZipNN: skipped — `import zipnn` fails with \(python()) (\(missing)); install it with scripts/install-zipnn-bench.sh")
                return nil
            }
            total.version = json["version"] as? String ?? "?"
            guard let runs = json["runs"] as? [String: [String: Any]] else { return nil }
            for t in threads {
                guard let r = runs[String(t)], let c = r["compress"] as? Double, let d = r["decompress"] as? Double else { continue }
                total.compress[t, default: 0] += c
                total.decompress[t, default: 0] += d
                if t == threads[0] { total.size += r["size"] as? Int ?? 0 }
                if (r["lossless"] as? Bool) == false { total.lossless = false }
            }
        }
        return total.compress.isEmpty ? nil : total
    }

    /// Prints pavepkg and ZipNN row by row with the ratio pavepkg / ZipNN (speed: higher is better for pavepkg;
    /// size: lower is better for pavepkg).
    static func report(_ pave: PaveFigures, _ z: ZipNNFigures, comparedBytes: Int) {
        func rate(_ s: Double?) -> Double? { s.map { Double(pave.rawBytes) / $0 / 1e6 } }
        func zrate(_ s: Double?) -> Double? { s.map { Double(comparedBytes) / $0 / 1e6 } }
        print("\npavepkg vs ZipNN \(z.version) (default settings, same raw bytes, same run; MB/s of raw bytes, best wall time)")
        print("row                                          ZipNN     pavepkg   pavepkg/ZipNN")
        func row(_ label: String, _ zv: Double?, _ pv: Double?, unit: String) {
            guard let zv, let pv else { return }
            print(label.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "%10.1f  %10.1f  %8.2f   %@", zv, pv, pv / zv, unit))
        }
        for t in pave.pack.keys.sorted(by: >) {
            row("compress / pack, \(t) thread\(t == 1 ? "" : "s")", zrate(z.compress[t]), rate(pave.pack[t]), unit: "MB/s")
        }
        for t in pave.read.keys.sorted(by: >) {
            row("decompress / open+read+verify, \(t) thread\(t == 1 ? "" : "s")", zrate(z.decompress[t]), rate(pave.read[t]), unit: "MB/s (ZipNN: no hashing)")
        }
        let zr = Double(z.size) / Double(max(1, comparedBytes)), pr = Double(pave.storedBytes) / Double(max(1, pave.rawBytes))
        print("size / raw".padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%10.4f  %10.4f  %8.4f   (lower is smaller)", zr, pr, pr / zr))
        if !z.lossless {
            print("warning: ZipNN's decompress did NOT give back the input bytes (its round trip is not lossless here); its speed is shown as measured")
        }
        if comparedBytes != pave.rawBytes {
            print("(ZipNN saw \(comparedBytes) of the \(pave.rawBytes) raw bytes: only float16 / bfloat16 / float32 tensors)")
        }
    }
}
