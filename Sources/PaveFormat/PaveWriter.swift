import Crypto
import Foundation

/// Writes `.pave` files (spec `spec/pave-format-v1.md`).
///
/// Streaming: tensors are read chunk by chunk from their ``TensorSource``s, a bounded batch of chunks is
/// encoded in parallel, then hashed and appended in order; the index and header are filled in at the end.
/// Memory stays at a few chunks per thread whatever the patch size. Tensors are sorted by the UTF-8 bytes of
/// their names and every chunk is encoded independently, so the same inputs and options give byte-identical
/// files for any thread count. The file appears atomically (temporary file, fsync, rename) or not at all.
public enum PaveWriter {
    /// Writes `tensors` and `manifest` to `url`.
    ///
    /// `format_version` is set to `"1.0"`; every other manifest field is written as given (canonical JSON).
    /// `deferred` holds manifest values still being computed while the tensors are read (their placeholders are
    /// in `manifest`); they are filled in before the digest, so the file is the same as if they had been given.
    /// - Throws: ``PaveFormatError`` for invalid names, shapes, options or limits, and for failing sources;
    ///   ``AtomicFileError`` when the file cannot be written; what a deferred value throws. Nothing is left at
    ///   `url` on error.
    @discardableResult
    public static func write(manifest: Manifest, tensors: [any TensorSource], to url: URL, options: PackOptions = PackOptions(),
                             deferred: DeferredManifestValues? = nil) throws -> PackSummary {
        try options.validate()
        let plan = try prepare(tensors, chunkSize: options.chunkSize)
        var manifest = manifest
        manifest.formatVersion = "\(PaveLimits.major).\(PaveLimits.minor)"
        let manifestBytes = [UInt8](manifest.canonicalData())
        guard manifestBytes.count <= PaveLimits.maxManifestLength else {
            throw PaveFormatError.limitExceeded(path: url.path, field: "manifest_length", offset: PaveHeader.Field.manifestLength.rawValue,
                                                value: manifestBytes.count, limit: PaveLimits.maxManifestLength)
        }
        let out = try AtomicFileWriter(destination: url)
        do {
            let summary = try write(plan, manifestBytes: manifestBytes, deferred: deferred, to: out, options: options)
            try out.commit()
            return summary
        } catch {
            out.abort()
            throw error
        }
    }

    /// A tensor accepted for writing.
    struct Item {
        let source: any TensorSource
        let nameBytes: [UInt8]
        let byteCount: Int
        let chunkCount: Int
    }

    /// Checks names, shapes and limits; sorts by name bytes.
    static func prepare(_ tensors: [any TensorSource], chunkSize: Int) throws(PaveFormatError) -> [Item] {
        guard tensors.count <= PaveLimits.maxTensorCount else {
            throw .invalidInput(tensor: tensors[PaveLimits.maxTensorCount].name, reason: "more than \(PaveLimits.maxTensorCount) tensors")
        }
        var items: [Item] = []
        items.reserveCapacity(tensors.count)
        var total = 0
        for t in tensors {
            if let problem = PaveLimits.nameProblem(t.name) { throw .invalidName(name: t.name, reason: problem) }
            guard t.shape.count <= PaveLimits.maxRank else {
                throw .invalidInput(tensor: t.name, reason: "rank \(t.shape.count) is over the limit of \(PaveLimits.maxRank)")
            }
            guard t.shape.allSatisfy({ $0 >= 0 && $0 <= PaveLimits.maxDimension }), let n = Shape.elementCount(t.shape),
                let bytes = t.dtype.byteCount(elementCount: n)
            else {
                throw .invalidInput(tensor: t.name, reason: "shape \(Shape.describe(t.shape)) is not valid for \(t.dtype.rawValue) (negative, overflowing or not whole bytes)")
            }
            let (sum, o) = total.addingReportingOverflow(bytes)
            guard !o, sum <= PaveLimits.maxTotalRawBytes else {
                throw .invalidInput(tensor: t.name, reason: "the patch's raw size would exceed the limit of \(PaveLimits.maxTotalRawBytes) bytes")
            }
            total = sum
            items.append(Item(source: t, nameBytes: Array(t.name.utf8), byteCount: bytes, chunkCount: (bytes + chunkSize - 1) / chunkSize))
        }
        items.sort { $0.nameBytes.lexicographicallyPrecedes($1.nameBytes) }
        for i in items.indices.dropFirst() where items[i].nameBytes == items[i - 1].nameBytes {
            throw .invalidName(name: items[i].source.name, reason: "appears twice (tensor names must be unique)")
        }
        return items
    }

    /// Writes the file in four named steps (spec §2 order): the leading sections (header placeholder, manifest,
    /// index placeholder), the tensor regions, the layout table, then the index and header filled in place —
    /// and, with deferred values, the final manifest over the first.
    private static func write(_ items: [Item], manifestBytes first: [UInt8], deferred: DeferredManifestValues?, to file: AtomicFileWriter,
                              options: PackOptions) throws -> PackSummary {
        let out = SectionWriter(file)
        var header = try writeLeadingSections(items, manifestBytes: first, to: out)
        let regions = try writeRegions(items, to: out, options: options)
        try writeLayout(regions, header: &header, to: out)
        var manifestBytes = first
        if let deferred, !deferred.isEmpty {
            manifestBytes = try deferred.resolve(first)
            precondition(manifestBytes.count == first.count, "deferred manifest values keep the manifest's length")
            try out.file.write(manifestBytes, at: header.manifestOffset)
        }
        try writeIndexAndHeader(items, regions: regions, manifestBytes: manifestBytes, header: &header, to: out)
        return PackSummary(path: out.path, digest: Digest.prefixed(header.digest), tensorCount: items.count,
                           rawBytes: items.reduce(0) { $0 + $1.byteCount }, storedBytes: regions.layouts.reduce(0) { $0 + $1.regionLength },
                           fileBytes: out.position, byDType: regions.byDType)
    }

    /// Step 1: a zeroed header (filled in by step 4), the manifest, and a zeroed index of its exact final length.
    static func writeLeadingSections(_ items: [Item], manifestBytes: [UInt8], to out: SectionWriter) throws -> PaveHeader {
        var header = PaveHeader()
        try out.emit(zeros: PaveLimits.headerLength)
        header.manifestOffset = out.position
        header.manifestLength = manifestBytes.count
        try manifestBytes.withUnsafeBytes { try out.emit($0) }
        try out.pad()
        header.indexOffset = out.position
        header.indexLength = PaveIndexCodec.indexLength(items.map { ($0.nameBytes.count, $0.source.shape.count) })
        guard header.indexLength <= PaveLimits.maxIndexLength else {
            throw PaveFormatError.limitExceeded(path: out.path, field: "index_length", offset: PaveHeader.Field.indexLength.rawValue,
                                                value: header.indexLength, limit: PaveLimits.maxIndexLength)
        }
        try out.emit(zeros: header.indexLength)
        try out.pad()
        header.dataOffset = out.position
        return header
    }

    /// Step 3: the layout table after the last region (spec §6).
    static func writeLayout(_ regions: Regions, header: inout PaveHeader, to out: SectionWriter) throws {
        try out.pad()
        header.layoutOffset = out.position
        header.dataLength = out.position - header.dataOffset
        let layoutBytes = PaveIndexCodec.encodeLayout(regions.layouts, chunks: regions.chunks)
        header.layoutLength = layoutBytes.count
        try layoutBytes.withUnsafeBytes { try out.emit($0) }
    }

    /// Step 4: the index (now that every tensor's SHA-256 is known), the digest over manifest and index (§8) and
    /// the header, written over their placeholders.
    static func writeIndexAndHeader(_ items: [Item], regions: Regions, manifestBytes: [UInt8], header: inout PaveHeader,
                                    to out: SectionWriter) throws {
        let index = PaveIndexCodec.encodeIndex(items.enumerated().map { i, it in
            (it.nameBytes, it.source.dtype, it.source.shape, it.byteCount, regions.hashes[i])
        })
        precondition(index.count == header.indexLength, "index length computed in advance must match")
        try out.file.write(index, at: header.indexOffset)
        header.digest = PaveHeader.digest(manifest: manifestBytes, index: index)
        try out.file.write(header.encoded(), at: 0)
    }
}

/// The append position of a file being written, with the zero padding of spec §2.
final class SectionWriter {
    let file: AtomicFileWriter
    private(set) var position = 0

    init(_ file: AtomicFileWriter) { self.file = file }

    /// The destination path, for messages.
    var path: String { file.destination.path }

    /// Appends `bytes`.
    func emit(_ bytes: UnsafeRawBufferPointer) throws {
        try file.write(bytes)
        position += bytes.count
    }

    /// Appends `count` zero bytes.
    func emit(zeros count: Int) throws {
        guard count > 0 else { return }
        try [UInt8](repeating: 0, count: count).withUnsafeBytes { try emit($0) }
    }

    /// Appends zeros up to the next multiple of 64.
    func pad() throws {
        guard let a = PaveLimits.align(position) else { throw PaveFormatError.invalidInput(tensor: "", reason: "file offset overflow") }
        try emit(zeros: a - position)
    }
}
