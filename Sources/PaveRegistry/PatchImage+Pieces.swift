import PaveFormat

/// One piece of a patch file as the registry stores it (and as `PaveRemote` pushes it: one OCI layer per piece).
public struct PatchPiece: Sendable, Equatable {
    /// What the bytes are.
    public enum Kind: Sendable, Equatable {
        /// A run of small pieces (the head at offset 0, small tensors, the padding between them, the tail).
        case run
        /// One tensor's data region of at least ``Registry/minimumTensorBlob`` bytes.
        case tensor(String)
        /// All-zero padding next to a large region (the local store keeps no blob for it).
        case zeroPadding
    }
    public var offset: Int
    public var length: Int
    public var kind: Kind

    public init(offset: Int, length: Int, kind: Kind) {
        self.offset = offset; self.length = length; self.kind = kind
    }
}

extension PatchImage {
    /// Cuts the file into the pieces the registry stores, in file order, tiling `0..<size` exactly: each tensor
    /// region of at least `minimumTensorBlob` bytes alone; runs of everything else (head, small tensors,
    /// padding inside the run) grouped; zero padding next to a large region on its own.
    /// - Parameter file: the verified file, read to tell zero padding from other gaps.
    public func storagePieces(of file: RandomAccessFile, minimumTensorBlob: Int = Registry.minimumTensorBlob) throws -> [PatchPiece] {
        var pieces: [PatchPiece] = []
        var run: (offset: Int, length: Int)?
        func flush() {
            guard let r = run else { return }
            run = nil
            pieces.append(PatchPiece(offset: r.offset, length: r.length, kind: .run))
        }
        for range in try segmentRanges() {
            if range.tensor == nil, range.offset != 0, try BlobStore.isZero(file, offset: range.offset, count: range.length) {
                if let r = run, range.length < minimumTensorBlob {
                    run = (r.offset, r.length + range.length)  // alignment padding inside a run of small pieces
                    continue
                }
                flush()
                pieces.append(PatchPiece(offset: range.offset, length: range.length, kind: .zeroPadding))
                continue
            }
            if let tensor = range.tensor, range.length >= minimumTensorBlob {
                flush()
                pieces.append(PatchPiece(offset: range.offset, length: range.length, kind: .tensor(tensor)))
                continue
            }
            if let r = run { run = (r.offset, r.length + range.length) } else { run = (range.offset, range.length) }
        }
        flush()
        return pieces
    }
}
