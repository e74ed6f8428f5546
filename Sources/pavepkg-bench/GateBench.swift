import ArgumentParser
import Foundation
import PaveKit

/// `gate`: the CI gate on a folder of signed patches (issue 12).
struct GateBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gate", abstract: "Verify a folder of signed patches: pavepkg verify DIR vs one process per file.")
    @Option(help: "Patches in the folder.") var patches = 100
    @Option(help: "Size of each patch, MB.") var mb = 20
    @Option(help: "Runs (the median is reported).") var runs = 3
    @Option(help: "Parent directory of the folder.") var dir: String?

    func validate() throws {
        guard patches >= 1, mb >= 1, runs >= 1 else { throw ValidationError("--patches, --mb and --runs must be at least 1") }
    }

    func run() throws {
        try GateBench.run(patches: patches, mb: mb, runs: runs, base: dir.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory)
    }
}

/// `pavepkg-bench gate [--patches N] [--mb M] [--runs R] [--dir PATH]`: the CI gate (issue 12) on a folder of N
/// patches of M MB (default 100 × 20 MB), each signed, with a policy trusting the key:
///
/// 1. `pavepkg verify DIR --policy P` in one process (files verified in parallel, one per core);
/// 2. the same files one process at a time: `pavepkg verify FILE --policy P` per file, in sequence, as a shell
///    loop over the folder would do;
/// 3. in-process `PatchGate` with one worker, to separate process start-up from parallelism.
///
/// Prints MB/s of each and the ratio of (2) to (1). The patch is written once (random mantissas, so it does
/// not compress) and copied N times under distinct names, each with its own signature.
enum GateBench {
    static func run(patches: Int, mb: Int, runs: Int, base: URL) throws {
        guard let pavepkg = siblingTool("pavepkg") else { throw BenchError("no pavepkg binary beside pavepkg-bench: swift build -c release first") }
        let root = base.appendingPathComponent("pave-gate-bench-\(getpid())")
        let folder = root.appendingPathComponent("patches")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        print("load average: \(RegistryBench.loadAverage())")

        // The folder: N signed copies of one M MB patch, a key and a policy.
        let first = folder.appendingPathComponent("patch-000.pave")
        let perTensor = Int(Double(mb) * 1e6 / 0.94 / 4 / 5)
        try RegistryBench.writeBig(first, version: "1.0.0", tensors: 5, floats: perTensor, changed: -1)
        let key = SigningKey(generating: .p256)
        try key.write(base: root.appendingPathComponent("ci"))
        var files = [first]
        for n in 1..<patches {
            let url = folder.appendingPathComponent(String(format: "patch-%03d.pave", n))
            try FileManager.default.copyItem(at: first, to: url)
            files.append(url)
        }
        for url in files { try PatchSigner.write(try PatchSigner.sign(fileAt: url, key: key), to: TrustCheck.adjacentSignature(of: url)) }
        let policy = root.appendingPathComponent("policy.json")
        try Data(#"{"trusted_keys": ["ci.pub"], "require_signature": true}"#.utf8).write(to: policy)
        let bytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
        let mbTotal = Double(bytes) / 1e6
        print(String(format: "pavepkg-bench gate: %d patches, %.1f MB in all, %d cores, %d runs, dir %@",
                     patches, mbTotal, ProcessInfo.processInfo.activeProcessorCount, runs, folder.path))

        var gate: [Double] = [], sequential: [Double] = [], inProcessOne: [Double] = []
        for _ in 0..<runs {
            gate.append(try RegistryBench.time {
                try expectStatus(0, try runTool(pavepkg, ["verify", folder.path, "--policy", policy.path]))
            })
            sequential.append(try RegistryBench.time {
                for url in files { try expectStatus(0, try runTool(pavepkg, ["verify", url.path, "--policy", policy.path])) }
            })
            let trust = try TrustPolicy.load(contentsOf: policy)
            inProcessOne.append(try RegistryBench.time {
                let report = PatchGate(policy: trust, concurrency: 1).run(files)
                guard report.ok else { throw BenchError("the gate failed a patch: \(report.results.first { !$0.ok }?.problems.first?.message ?? "")") }
            })
        }
        func line(_ name: String, _ times: [Double]) -> String {
            let t = RegistryBench.median(times)
            return String(format: "%@: median %.2f s, %.0f MB/s", name, t, mbTotal / t)
        }
        print(line("gate, one process (pavepkg verify DIR)", gate))
        print(line("one process per file, in sequence (pavepkg verify FILE)", sequential))
        print(line("in-process PatchGate, 1 worker", inProcessOne))
        print(String(format: "ratio sequential / gate: %.2f", RegistryBench.median(sequential) / RegistryBench.median(gate)))
    }

    /// A tool built beside this benchmark.
    static func siblingTool(_ name: String) -> URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let url = dir.appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    static func runTool(_ tool: URL, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = tool
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func expectStatus(_ expected: Int32, _ status: Int32) throws {
        guard status == expected else { throw BenchError("pavepkg exited with \(status), expected \(expected)") }
    }
}
