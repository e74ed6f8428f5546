import CZstd

// The only file that calls libzstd. Each wrapper names the C function it maps to.
// Contexts are reused: one compressor / decompressor per worker thread (see ``ZstdContextPool``).

/// Why a zstd call failed; callers turn it into a ``PaveFormatError`` that names the tensor and chunk.
struct ZstdFailure: Error, Sendable {
    let reason: String
    /// Set when the frame declares (`declared` non-nil) or would decode to (`declared` nil) more than the room given.
    var oversize: (declared: UInt64?, room: Int)?

    init(reason: String, oversize: (declared: UInt64?, room: Int)? = nil) {
        self.reason = reason
        self.oversize = oversize
    }
}

/// zstd compression parameters a writer uses. Not part of the format (any standard frame decodes).
struct ZstdParameters: Sendable, Hashable {
    /// zstd level (1 … 22).
    var level: Int32
    /// Literal-oriented match finding (strategy fast, minMatch 7, hashLog 6) for byte-grouped float planes:
    /// keeps the exponent plane as Huffman-coded literals, which compresses it better and faster than the
    /// level's own match finder.
    var literalTuned: Bool
}

/// A compression context (`ZSTD_CCtx`) with fixed parameters. Not thread-safe; one per worker.
final class ZstdCompressor {
    private let ctx: OpaquePointer
    let parameters: ZstdParameters

    /// `ZSTD_createCCtx` + `ZSTD_CCtx_setParameter`.
    init(_ parameters: ZstdParameters) throws(ZstdFailure) {
        guard let ctx = ZSTD_createCCtx() else { throw ZstdFailure(reason: "ZSTD_createCCtx failed (out of memory)") }
        self.ctx = ctx
        self.parameters = parameters
        try set(ZSTD_c_compressionLevel, parameters.level)
        try set(ZSTD_c_checksumFlag, 1)
        try set(ZSTD_c_contentSizeFlag, 1)
        if parameters.literalTuned && parameters.level < 10 {
            try set(ZSTD_c_strategy, 1)  // ZSTD_fast
            try set(ZSTD_c_minMatch, 7)
            try set(ZSTD_c_hashLog, 6)
        }
    }

    deinit { ZSTD_freeCCtx(ctx) }

    private func set(_ p: ZSTD_cParameter, _ v: Int32) throws(ZstdFailure) {
        let r = ZSTD_CCtx_setParameter(ctx, p, v)
        if ZSTD_isError(r) != 0 { throw ZstdFailure(reason: "ZSTD_CCtx_setParameter: \(Self.name(r))") }
    }

    /// Compresses `src` into one frame (`ZSTD_compress2`) written to `dst`, or returns nil when the frame
    /// would not be strictly smaller than `src` (the chunk is then stored raw).
    func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(ZstdFailure) -> Int? {
        let capacity = min(dst.count, max(0, src.count - 1))
        guard capacity > 0, let out = dst.baseAddress else { return nil }
        let r = ZSTD_compress2(ctx, out, capacity, src.baseAddress, src.count)
        if ZSTD_isError(r) != 0 {
            if ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall { return nil }
            throw ZstdFailure(reason: "ZSTD_compress2: \(Self.name(r))")
        }
        return r < src.count ? r : nil
    }

    /// Compresses the concatenation of `parts` into one frame that declares its content size, ending a zstd block
    /// after every part (`ZSTD_CCtx_setPledgedSrcSize`, then `ZSTD_compressStream2` with `ZSTD_e_flush` between parts
    /// and `ZSTD_e_end` after the last). The byte planes of a grouped chunk thus never share a block: each block's
    /// literals get a Huffman table fitted to one plane, and a plane of random mantissa bytes becomes raw blocks.
    /// Returns nil when the frame would not be strictly smaller than the input.
    func compress(parts: [UnsafeRawBufferPointer], into dst: UnsafeMutableRawBufferPointer) throws(ZstdFailure) -> Int? {
        let total = parts.reduce(0) { $0 + $1.count }
        let capacity = min(dst.count, max(0, total - 1))
        guard capacity > 0, let outBase = dst.baseAddress else { return nil }
        var r = ZSTD_CCtx_reset(ctx, ZSTD_reset_session_only)
        if ZSTD_isError(r) != 0 { throw ZstdFailure(reason: "ZSTD_CCtx_reset: \(Self.name(r))") }
        r = ZSTD_CCtx_setPledgedSrcSize(ctx, UInt64(total))
        if ZSTD_isError(r) != 0 { throw ZstdFailure(reason: "ZSTD_CCtx_setPledgedSrcSize: \(Self.name(r))") }
        var output = ZSTD_outBuffer(dst: outBase, size: capacity, pos: 0)
        for (k, part) in parts.enumerated() {
            let last = k == parts.count - 1
            var input = ZSTD_inBuffer(src: part.baseAddress, size: part.count, pos: 0)
            while true {
                let remaining = ZSTD_compressStream2(ctx, &output, &input, last ? ZSTD_e_end : ZSTD_e_flush)
                if ZSTD_isError(remaining) != 0 { throw ZstdFailure(reason: "ZSTD_compressStream2: \(Self.name(remaining))") }
                if remaining == 0 && input.pos == input.size { break }
                if output.pos == output.size { return nil }  // would not shrink
            }
        }
        return output.pos < total ? output.pos : nil
    }

    static func name(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}

/// A decompression context (`ZSTD_DCtx`) limited to a 2^27 window. Not thread-safe; one per worker.
final class ZstdDecompressor {
    private let ctx: OpaquePointer

    /// `ZSTD_createDCtx` + `ZSTD_DCtx_setParameter(ZSTD_d_windowLogMax)`.
    init() throws(ZstdFailure) {
        guard let ctx = ZSTD_createDCtx() else { throw ZstdFailure(reason: "ZSTD_createDCtx failed (out of memory)") }
        self.ctx = ctx
        let r = ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, PaveLimits.maxWindowLog)
        if ZSTD_isError(r) != 0 { throw ZstdFailure(reason: "ZSTD_DCtx_setParameter: \(ZstdCompressor.name(r))") }
    }

    deinit { ZSTD_freeDCtx(ctx) }

    /// Decodes `frame`, which must be exactly one zstd frame declaring a content size of `dst.count`, into `dst`.
    ///
    /// Checks, before decoding anything: `ZSTD_findFrameCompressedSize` = the whole input (one frame, nothing
    /// after it) and `ZSTD_getFrameContentSize` = `dst.count` (a frame never writes more than it was given room
    /// for); then `ZSTD_decompressDCtx` must produce exactly `dst.count` bytes.
    func decompress(_ frame: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(ZstdFailure) {
        guard let src = frame.baseAddress, frame.count > 0 else { throw ZstdFailure(reason: "empty zstd frame") }
        let whole = ZSTD_findFrameCompressedSize(src, frame.count)
        if ZSTD_isError(whole) != 0 { throw ZstdFailure(reason: "not a complete zstd frame (\(ZstdCompressor.name(whole)))") }
        guard whole == frame.count else {
            throw ZstdFailure(reason: "the zstd frame is \(whole) bytes but the chunk stores \(frame.count) (extra bytes after the frame)")
        }
        let declared = ZSTD_getFrameContentSize(src, frame.count)
        if declared == UInt64.max { throw ZstdFailure(reason: "the zstd frame does not declare its content size") }
        if declared == UInt64.max - 1 { throw ZstdFailure(reason: "the zstd frame header is invalid") }
        if declared > UInt64(dst.count) {
            throw ZstdFailure(reason: "the zstd frame declares \(declared) content bytes, more than the chunk record's \(dst.count)",
                              oversize: (declared, dst.count))
        }
        guard declared == UInt64(dst.count) else {
            throw ZstdFailure(reason: "the zstd frame declares \(declared) content bytes, the chunk record expects \(dst.count)")
        }
        guard let out = dst.baseAddress else { return }
        let r = ZSTD_decompressDCtx(ctx, out, dst.count, src, frame.count)
        if ZSTD_isError(r) != 0 {
            if ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall {
                throw ZstdFailure(reason: "the zstd frame decodes to more than its declared \(dst.count) bytes", oversize: (nil, dst.count))
            }
            throw ZstdFailure(reason: "zstd decoding failed: \(ZstdCompressor.name(r))")
        }
        guard r == dst.count else { throw ZstdFailure(reason: "the zstd frame decoded to \(r) bytes, expected \(dst.count)") }
    }
}

/// Upper bound of a compressed frame for `n` input bytes (`ZSTD_compressBound`).
func zstdCompressBound(_ n: Int) -> Int { ZSTD_compressBound(n) }
