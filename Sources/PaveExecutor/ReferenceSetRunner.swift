import PaveFormat
import PaveModel

/// Something that runs a reference vector set's inputs: a single patch (``PatchExecutor``) or a stack of patches
/// (`StackExecutor` in PaveCompose). ``ReferenceVectors/check(_:executor:tensors:)`` works with either.
public protocol ReferenceSetRunner {
    /// Runs the inputs `prefix + {visual, side…, lora_x…}` found in `inputs` and returns the outputs
    /// (`fused`, `lora_delta.<module>`) with names relative to `prefix`.
    func run(inputs: any TensorProvider, prefix: String, loraModules: [String], chunkNum: Int?, sideLength: Int?,
             requireFused: Bool) throws -> [(name: String, tensor: FloatTensor)]
}

extension PatchExecutor: ReferenceSetRunner {}
