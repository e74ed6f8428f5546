extension FileByteSource {
    /// Positioned reads of a file that is already open.
    public init(file: RandomAccessFile) { self.file = file }
}
