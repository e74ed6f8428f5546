import PaveFormat
import PaveModel

extension StackInput {
    /// A `.pave` file given to `run`, `compose` or `verify`.
    public init(file: PaveFile) {
        self.init(tensors: file, manifest: file.manifest, digest: file.digest, path: file.path)
    }
}
