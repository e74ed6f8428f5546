import Foundation
import PaveFormat
import PaveModel

extension StackComposer {
    /// Writes `plan` as a `.pave` file (atomically). Member tensors are streamed chunk by chunk from their
    /// files and stored byte for byte; nothing is written when anything fails.
    @discardableResult
    public static func write(_ plan: ComposedPlan, to url: URL, options: PackOptions = PackOptions()) throws -> PackSummary {
        let sources = try plan.tensors.map { try source(for: $0) }
        return try PaveWriter.write(manifest: plan.manifest, tensors: sources, to: url, options: options)
    }

    /// A streaming source for a planned tensor: stored tensors stream from the member's file (chunk by chunk
    /// for a `.pave`), computed ones from memory.
    static func source(for t: ComposedPlan.Tensor) throws -> any TensorSource {
        switch t.source {
        case let .memory(d): return InMemoryTensorSource(name: t.name, tensor: d)
        case let .stored(provider, name): return try provider.source(name, renamedTo: t.name)
        }
    }
}
