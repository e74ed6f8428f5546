import CZlib

/// The one place pavepkg calls zlib (Debian `zlib1g-dev`): raw DEFLATE decompression (RFC 1951, as zip
/// method 8 stores it) into a bounded output, and the CRC-32 zip records. DEFLATE compression for tests and
/// the benchmark lives here too, so every zlib call stays in this file.
enum Zlib {
    /// Why inflating failed (mapped to a ``ZipError`` naming the archive and entry by the caller).
    enum Failure: Error, Sendable {
        /// zlib reported damaged data (its message, when it gives one).
        case corrupt(String)
        /// The stream produced more than the allowed output: a decompression bomb or a lying header.
        case outputLimit(Int)
        /// The input ended before the final block.
        case truncated
        /// Bytes follow the end of the DEFLATE stream inside the entry.
        case trailingData(Int)
        /// zlib could not start (out of memory).
        case initFailed(Int32)
    }

    /// Size of the output buffer handed to `write` at most per call.
    static let outputChunk = 1 << 20

    /// Inflates a raw DEFLATE stream (no zlib or gzip header: `windowBits` -15). Input is pulled from `read`
    /// (an empty array means the input has ended); output goes to `write` in chunks of at most
    /// ``outputChunk`` bytes. Stops with ``Failure/outputLimit(_:)`` as soon as the output would exceed
    /// `maxOutput` bytes, so a bomb costs at most that much work and memory stays one chunk plus zlib's
    /// 32 KiB window. Returns the number of bytes produced. Errors thrown by `read` or `write` pass through.
    /// With a `destination` (of `maxOutput` bytes) zlib writes straight into it, and `write` is handed each newly
    /// filled stretch of it: no copy.
    static func inflateRaw(maxOutput: Int, into destination: UnsafeMutableRawBufferPointer? = nil, read: () throws -> [UInt8],
                           write: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        precondition(destination == nil || destination?.count == maxOutput, "the destination holds exactly maxOutput bytes")
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let rc = inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Failure.initFailed(rc) }
        defer { inflateEnd(stream) }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: outputChunk, alignment: 16)
        defer { out.deallocate() }
        guard let outBase = out.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return 0 }

        var total = 0
        var ended = false
        while !ended {
            let input = try read()
            if input.isEmpty { throw Failure.truncated }
            try input.withUnsafeBytes { (inBuf: UnsafeRawBufferPointer) throws in
                guard let inBase = inBuf.baseAddress else { return }
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(inBuf.count)
                defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
                while true {
                    // Into the destination while it has room; past its end into the scratch chunk, where any byte
                    // produced is over the limit.
                    let room = min(outputChunk, maxOutput - total)
                    let target = destination.flatMap { d in room > 0 ? d.baseAddress.map { $0.assumingMemoryBound(to: Bytef.self) + total } : nil } ?? outBase
                    let capacity = target == outBase ? outputChunk : room
                    stream.pointee.next_out = target
                    stream.pointee.avail_out = uInt(capacity)
                    let code = inflate(stream, Z_NO_FLUSH)
                    let produced = capacity - Int(stream.pointee.avail_out)
                    switch code {
                    case Z_OK, Z_STREAM_END, Z_BUF_ERROR: break
                    case Z_MEM_ERROR: throw Failure.initFailed(code)
                    default:
                        let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                        throw Failure.corrupt(message)
                    }
                    guard produced <= maxOutput - total else { throw Failure.outputLimit(maxOutput) }
                    total += produced
                    if produced > 0 { try write(UnsafeRawBufferPointer(start: target, count: produced)) }
                    if code == Z_STREAM_END {
                        ended = true
                        if stream.pointee.avail_in > 0 { throw Failure.trailingData(Int(stream.pointee.avail_in)) }
                        return
                    }
                    // All input consumed and the output buffer not full: zlib needs more input.
                    if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0 { return }
                    if code == Z_BUF_ERROR, produced == 0 {
                        guard stream.pointee.avail_in == 0 else { throw Failure.corrupt("no progress") }
                        return
                    }
                }
            }
        }
        let rest = try read()
        guard rest.isEmpty else { throw Failure.trailingData(rest.count) }
        return total
    }

    /// Compresses `bytes` as one raw DEFLATE stream at `level` (0–9). For building fixtures and benchmark inputs.
    static func deflateRaw(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        guard deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(stream) }
        let bound = Int(deflateBound(stream, uLong(bytes.count)))
        var out = [UInt8](repeating: 0, count: bound)
        var used = 0
        let ok = bytes.withUnsafeBytes { inBuf -> Bool in
            out.withUnsafeMutableBytes { outBuf -> Bool in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(inBuf.count)
                stream.pointee.next_out = outBuf.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(outBuf.count)
                let code = deflate(stream, Z_FINISH)
                used = outBuf.count - Int(stream.pointee.avail_out)
                return code == Z_STREAM_END
            }
        }
        guard ok else { return nil }
        out.removeSubrange(used...)
        return out
    }

    /// Continues the CRC-32 `crc` (0 to start) over `bytes`.
    static func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return crc }
        var c = uLong(crc)
        var left = bytes.count
        // zlib's length argument is a 32-bit uInt: feed in pieces.
        while left > 0 {
            let n = min(left, 1 << 30)
            c = CZlib.crc32(c, p, uInt(n))
            p += n
            left -= n
        }
        return UInt32(truncatingIfNeeded: c)
    }
}
