import PaveFormat

extension StackInput {
    /// A `.pave` file given to `run`, `compose` or `verify`.
    public init(file: PaveFile) {
        self.init(tensors: PaveFileTensors(file), manifest: file.manifest, digest: file.digest, path: file.path)
    }
}
