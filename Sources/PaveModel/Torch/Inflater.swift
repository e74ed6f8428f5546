/// A streaming raw-DEFLATE (RFC 1951) decoder for zip entries stored with method 8.
///
/// Input is pulled in chunks from `read` (an empty chunk means end of input), output is pushed in chunks
/// of at most ~1 MiB to `write`; memory stays bounded (a 32 KiB window plus one output chunk) whatever
/// the entry size. Decoding stops with an error as soon as the output would exceed `maxOutput` bytes,
/// so a decompression bomb costs at most that much work.
struct Inflater {
    /// Why decoding failed (mapped to ``ZipError/corruptDeflate(path:entry:reason:)`` by the caller).
    struct Failure: Error, Sendable { var reason: String; var outputLimitHit = false }

    private let read: () throws -> [UInt8]
    private let write: ([UInt8]) throws -> Void
    private let maxOutput: Int

    private var input: [UInt8] = []
    private var inputPos = 0
    private var bitBuf: UInt64 = 0
    private var bitCount = 0
    /// Zero bits appended after the end of input (consuming any of them means the stream is truncated).
    private var padBits = 0

    private static let windowSize = 32_768
    private static let flushThreshold = 1 << 20
    private var window: [UInt8]
    private var pos = 0
    /// Bytes already handed to `write`.
    private var flushed = 0

    init(maxOutput: Int, read: @escaping () throws -> [UInt8], write: @escaping ([UInt8]) throws -> Void) {
        self.maxOutput = maxOutput
        self.read = read
        self.write = write
        window = [UInt8](repeating: 0, count: Self.flushThreshold + Self.windowSize + 258)
    }

    /// Total bytes produced so far.
    var totalOutput: Int { flushed + pos }

    /// Decodes the whole stream (until the final block), flushing all output.
    mutating func run() throws {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1: try codedBlock(lit: Self.fixedLit, dist: Self.fixedDist)
            case 2:
                let (lit, dist) = try dynamicTables()
                try codedBlock(lit: lit, dist: dist)
            default: throw Failure(reason: "block type 3 is reserved")
            }
        }
        try flush(keepWindow: false)
    }

    // MARK: Bits

    private mutating func fill() throws {
        while bitCount <= 56 {
            if inputPos == input.count {
                input = try read()
                inputPos = 0
                if input.isEmpty {
                    bitCount += 8
                    padBits += 8
                    continue
                }
            }
            bitBuf |= UInt64(input[inputPos]) << UInt64(bitCount)
            inputPos += 1
            bitCount += 8
        }
    }

    private mutating func consume(_ n: Int) throws {
        bitBuf >>= UInt64(n)
        bitCount -= n
        if bitCount < padBits { throw Failure(reason: "the compressed data ends in the middle of a block") }
    }

    private mutating func bits(_ n: Int) throws -> Int {
        if bitCount < n { try fill() }
        let v = Int(bitBuf & ((1 << UInt64(n)) - 1))
        try consume(n)
        return v
    }

    // MARK: Blocks

    private mutating func storedBlock() throws {
        try consume(bitCount % 8)  // to a byte boundary
        let len = try bits(16)
        let nlen = try bits(16)
        guard len == (~nlen & 0xFFFF) else { throw Failure(reason: "stored block length \(len) does not match its complement") }
        var remaining = len
        // Bytes still in the bit buffer come first.
        while remaining > 0, bitCount - padBits >= 8 {
            try emit(UInt8(try bits(8)))
            remaining -= 1
        }
        // Whatever padding was added is discarded: real input continues from `input`.
        bitBuf = 0; bitCount = 0; padBits = 0
        while remaining > 0 {
            if inputPos == input.count {
                input = try read(); inputPos = 0
                if input.isEmpty { throw Failure(reason: "the compressed data ends inside a stored block") }
            }
            let n = min(remaining, input.count - inputPos)
            for i in 0..<n { try emit(input[inputPos + i]) }
            inputPos += n
            remaining -= n
        }
    }

    private mutating func codedBlock(lit: HuffmanTable, dist: HuffmanTable) throws {
        while true {
            let sym = try decode(lit)
            if sym < 256 {
                try emit(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < 29 else { throw Failure(reason: "invalid length symbol \(sym)") }
                let length = Self.lengthBase[li] + (Self.lengthExtra[li] > 0 ? try bits(Self.lengthExtra[li]) : 0)
                let ds = try decode(dist)
                guard ds < 30 else { throw Failure(reason: "invalid distance symbol \(ds)") }
                let distance = Self.distBase[ds] + (Self.distExtra[ds] > 0 ? try bits(Self.distExtra[ds]) : 0)
                guard distance <= totalOutput else {
                    throw Failure(reason: "back-reference distance \(distance) reaches before the start of the output (\(totalOutput) bytes so far)")
                }
                try copy(distance: distance, length: length)
            }
        }
    }

    private mutating func dynamicTables() throws -> (HuffmanTable, HuffmanTable) {
        let hlit = try bits(5) + 257
        let hdist = try bits(5) + 1
        let hclen = try bits(4) + 4
        guard hlit <= 286, hdist <= 30 else { throw Failure(reason: "too many length or distance codes (\(hlit), \(hdist))") }
        var clLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<hclen { clLengths[Self.codeLengthOrder[i]] = UInt8(try bits(3)) }
        let clTable = try HuffmanTable(lengths: clLengths)
        var lengths = [UInt8]()
        lengths.reserveCapacity(hlit + hdist)
        while lengths.count < hlit + hdist {
            let sym = try decode(clTable)
            switch sym {
            case 0..<16: lengths.append(UInt8(sym))
            case 16:
                guard let prev = lengths.last else { throw Failure(reason: "repeat code with no previous length") }
                lengths.append(contentsOf: repeatElement(prev, count: 3 + (try bits(2))))
            case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
            default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
            }
        }
        guard lengths.count == hlit + hdist else { throw Failure(reason: "code lengths overrun the declared counts") }
        guard lengths[256] != 0 else { throw Failure(reason: "no end-of-block code") }
        return (try HuffmanTable(lengths: Array(lengths[0..<hlit])), try HuffmanTable(lengths: Array(lengths[hlit...])))
    }

    private mutating func decode(_ table: HuffmanTable) throws -> Int {
        if bitCount < 15 { try fill() }
        let entry = table.fast[Int(bitBuf & UInt64(HuffmanTable.fastMask))]
        if entry != 0 {
            try consume(Int(entry & 15))
            return Int(entry >> 4)
        }
        // Slow path (codes longer than the fast table): canonical decoding bit by bit.
        var code = 0, first = 0, index = 0
        var peek = bitBuf
        for len in 1...15 {
            code |= Int(peek & 1)
            peek >>= 1
            let count = Int(table.counts[len])
            if code - first < count {
                try consume(len)
                return Int(table.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw Failure(reason: "invalid Huffman code")
    }

    // MARK: Output

    private mutating func emit(_ byte: UInt8) throws {
        guard totalOutput < maxOutput else { throw Failure(reason: "output exceeds \(maxOutput) bytes", outputLimitHit: true) }
        window[pos] = byte
        pos += 1
        if pos >= Self.flushThreshold + Self.windowSize { try flush(keepWindow: true) }
    }

    private mutating func copy(distance: Int, length: Int) throws {
        guard totalOutput + length <= maxOutput else {
            throw Failure(reason: "output exceeds \(maxOutput) bytes", outputLimitHit: true)
        }
        var from = pos - distance
        for _ in 0..<length {
            window[pos] = window[from]
            pos += 1
            from += 1
        }
        if pos >= Self.flushThreshold + Self.windowSize { try flush(keepWindow: true) }
    }

    private mutating func flush(keepWindow: Bool) throws {
        let keep = keepWindow ? min(pos, Self.windowSize) : 0
        let n = pos - keep
        guard n > 0 else { return }
        guard flushed + n <= maxOutput else { throw Failure(reason: "output exceeds \(maxOutput) bytes", outputLimitHit: true) }
        try write(Array(window[0..<n]))
        flushed += n
        if keep > 0 {
            window.withUnsafeMutableBytes { buf in
                guard let base = buf.baseAddress else { return }
                base.copyMemory(from: base + n, byteCount: keep)
            }
        }
        pos = keep
    }

    // MARK: Tables

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    // Fixed tables are valid by construction; `try?` falls back to an empty table that decodes nothing.
    private static let fixedLit: HuffmanTable = (try? HuffmanTable(lengths:
        [UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112) + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8)))
        ?? HuffmanTable.empty
    private static let fixedDist: HuffmanTable = (try? HuffmanTable(lengths: [UInt8](repeating: 5, count: 30))) ?? HuffmanTable.empty
}
