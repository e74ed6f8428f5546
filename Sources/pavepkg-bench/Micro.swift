import Foundation
import PaveKit
/// `pavepkg-bench micro FILE.pave`: where decode time goes (SHA-256, ungrouping, zstd), one thread.
enum Micro {
    static func run(_ url: URL) throws {
        let f = try PaveFile.open(url, threads: 1)
        var total = 0
        var tensors: [TensorData] = []
        let tRead = try Benchmark.timed(3) {
            tensors = try f.entries.map { try f.readTensor($0) }
        }.cpu
        total = tensors.reduce(0) { $0 + $1.bytes.count }
        let tHash = try Benchmark.timed(3) { for t in tensors { _ = PaveDigestProbe.sha256(t.bytes) } }.cpu
        let tHash2 = try Benchmark.timed(3) { for t in tensors { _ = PaveDigestProbe.sha256Pieces(t.bytes) } }.cpu
        print(String(format: "SHA-256 in 1 MiB pieces: %.1f MB/s", Double(total) / tHash2 / 1e6))
        let tOpen = try Benchmark.best(3) { _ = try PaveFile.open(url, threads: 1) }
        let tStream = try Benchmark.timed(3) { for e in f.entries { try f.forEachChunk(of: e) { _, _ in } } }.cpu
        print(String(format: "(per CPU-second) readTensor all: %.1f MB/s; forEachChunk (decode+hash): %.1f MB/s; SHA-256 alone: %.1f MB/s; open: %.2f ms",
                     Double(total) / tRead / 1e6, Double(total) / tStream / 1e6, Double(total) / tHash / 1e6, tOpen * 1000))
    }
}
