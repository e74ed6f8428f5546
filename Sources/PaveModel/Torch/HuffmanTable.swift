/// A canonical Huffman code: a 10-bit direct lookup table plus per-length counts for longer codes.
struct HuffmanTable: Sendable {
    static let fastBits = 10
    static let fastMask = (1 << fastBits) - 1
    /// Indexed by the next 10 input bits: `symbol << 4 | length`, 0 when the code is longer than 10 bits.
    var fast: [UInt16]
    /// Number of codes of each length 0…15.
    var counts: [UInt16]
    /// Symbols ordered by (length, value).
    var symbols: [UInt16]

    static let empty = HuffmanTable(fast: [UInt16](repeating: 0, count: 1 << fastBits), counts: [UInt16](repeating: 0, count: 16), symbols: [])

    private init(fast: [UInt16], counts: [UInt16], symbols: [UInt16]) {
        self.fast = fast; self.counts = counts; self.symbols = symbols
    }

    init(lengths: [UInt8]) throws {
        var counts = [UInt16](repeating: 0, count: 16)
        for l in lengths { counts[Int(l)] += 1 }
        counts[0] = 0
        var left = 1
        for len in 1...15 {
            left <<= 1
            left -= Int(counts[len])
            if left < 0 { throw Inflater.Failure(reason: "over-subscribed Huffman code") }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for len in 1..<15 { offsets[len + 1] = offsets[len] + Int(counts[len]) }
        var symbols = [UInt16](repeating: 0, count: lengths.count)
        for (sym, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[Int(l)]] = UInt16(sym)
            offsets[Int(l)] += 1
        }
        var fast = [UInt16](repeating: 0, count: 1 << Self.fastBits)
        var code = 0
        var index = 0
        for len in 1...15 {
            for _ in 0..<Int(counts[len]) {
                if len <= Self.fastBits {
                    var rev = 0
                    for b in 0..<len where (code >> b) & 1 == 1 { rev |= 1 << (len - 1 - b) }
                    let entry = UInt16(symbols[index]) << 4 | UInt16(len)
                    var slot = rev
                    while slot < fast.count {
                        fast[slot] = entry
                        slot += 1 << len
                    }
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
        self.fast = fast
        self.counts = counts
        self.symbols = Array(symbols[0..<index])
    }
}
