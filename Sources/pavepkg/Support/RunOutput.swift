import Foundation
import PaveKit

/// The tail of `pavepkg run` (single patch and stack): writes the outputs as F32 safetensors, atomically, and
/// prints the summary (JSON, or one line per output and the written file).
enum RunOutput {
    /// Writes `outputs` to `path` and prints the summary; `extraJSON` adds fields to the JSON object and
    /// `heading` a first text line.
    static func write(_ outputs: [(name: String, tensor: FloatTensor)], to path: String, start: Date, json: Bool,
                      extraJSON: [String: JSONValue] = [:], heading: String? = nil) throws {
        try SafetensorsWriter.write(outputs.map { ($0.name, $0.tensor.tensorData()) }, to: URL(fileURLWithPath: path))
        let seconds = Date().timeIntervalSince(start)
        if json {
            var obj: [String: JSONValue] = [
                "output": .string(path), "seconds": .double(seconds),
                "tensors": .array(outputs.map { .object(["name": .string($0.name), "shape": .array($0.tensor.shape.map { .int(Int64($0)) })]) }),
            ]
            obj.merge(extraJSON) { _, new in new }
            CLIOutput.printJSON(.object(obj))
        } else {
            if let heading { print(heading) }
            for o in outputs { print("\(o.name) \(Shape.describe(o.tensor.shape))") }
            print("wrote \(path) (\(String(format: "%.3f", seconds)) s)")
        }
    }
}
