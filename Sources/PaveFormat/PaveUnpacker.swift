import Foundation

/// Writes a `.pave` back out as a standard safetensors file plus its manifest as JSON.
public enum PaveUnpacker {
    /// File names written into the output directory.
    public static let tensorsFileName = "tensors.safetensors"
    public static let manifestFileName = "manifest.json"

    /// What was written.
    public struct Result: Sendable, Codable, Equatable {
        public var safetensors: String
        public var manifest: String
        public var tensorCount: Int
        public var bytes: Int
    }

    /// Unpacks `file` into `directory` (created if missing): `tensors.safetensors` (tensors in index order,
    /// `__metadata__` = {"pave_digest", "pave_name"}; Python's `safetensors` loads it with identical bytes) and
    /// `manifest.json` (pretty, sorted keys). Tensor data is streamed chunk by chunk and hash-checked; on any
    /// error nothing is left behind (a directory this call created is removed again).
    /// - Parameter progress: called with (raw bytes written, raw bytes in total).
    public static func unpack(_ file: PaveFile, to directory: URL, progress: ((Int64, Int64) -> Void)? = nil) throws -> Result {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let existed = fm.fileExists(atPath: directory.path, isDirectory: &isDir)
        if existed && !isDir.boolValue {
            throw PaveFormatError.io(path: directory.path, reason: "exists and is not a directory")
        }
        if !existed {
            do { try fm.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw PaveFormatError.io(path: directory.path, reason: "cannot create the directory: \(error.localizedDescription)")
            }
        }
        let stURL = directory.appendingPathComponent(tensorsFileName)
        let manifestURL = directory.appendingPathComponent(manifestFileName)
        do {
            var metadata = ["pave_digest": file.digest]
            if let name = file.manifest.name { metadata["pave_name"] = name }
            let header = try SafetensorsWriter.header(for: file.entries.map { ($0.name, $0.dtype, $0.shape) }, metadata: metadata)
            let total = Int64(file.entries.reduce(0) { $0 + $1.byteCount })
            let out = try AtomicFileWriter(destination: stURL)
            do {
                try out.write(header)
                var done: Int64 = 0
                for e in file.entries {
                    try file.forEachChunk(of: e) { _, bytes in
                        try out.write(bytes)
                        done += Int64(bytes.count)
                    }
                    progress?(done, total)
                }
                try out.commit()
            } catch {
                out.abort()
                throw error
            }
            var pretty = JSONValue.object(file.manifest.fields).prettyData()
            pretty.append(contentsOf: Array("\n".utf8))
            do { try AtomicFileWriter.write(pretty, to: manifestURL) } catch {
                try? fm.removeItem(at: stURL)
                throw error
            }
            return Result(safetensors: stURL.path, manifest: manifestURL.path, tensorCount: file.entries.count, bytes: Int(total))
        } catch {
            if !existed { try? fm.removeItem(at: directory) }
            throw error
        }
    }
}
