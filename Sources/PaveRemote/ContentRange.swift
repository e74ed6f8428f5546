/// A `Content-Range` response header as a registry sends it with a 206 (RFC 9110 §14.4):
/// `bytes <first>-<last>/<complete length or *>`, both positions inclusive.
///
/// Parsed strictly — one space after `bytes`, decimal digits only, `first ≤ last`, `last < length` — so a reply
/// that does not say exactly where its bytes belong is refused instead of being written at a guessed offset.
public struct ContentRange: Sendable, Equatable {
    /// Offset of the first byte of the body.
    public var first: Int
    /// Offset of the last byte of the body (inclusive).
    public var last: Int
    /// The complete length, when the server states it.
    public var completeLength: Int?

    /// Number of bytes the body carries.
    public var count: Int { last - first + 1 }

    public init(first: Int, last: Int, completeLength: Int?) {
        self.first = first; self.last = last; self.completeLength = completeLength
    }

    /// Parses a header value; nil when it is not a well-formed byte range.
    public init?(header: String) {
        let text = Array(header.utf8)
        guard text.count <= 128 else { return nil }
        let prefix = Array("bytes ".utf8)
        guard text.starts(with: prefix) else { return nil }
        let rest = text[prefix.count...]
        guard let dash = rest.firstIndex(of: UInt8(ascii: "-")),
              let slash = rest.firstIndex(of: UInt8(ascii: "/")), dash < slash,
              let first = Self.decimal(rest[rest.startIndex..<dash]),
              let last = Self.decimal(rest[(dash + 1)..<slash]), first <= last
        else { return nil }
        let lengthText = rest[(slash + 1)...]
        var length: Int?
        if lengthText.elementsEqual([UInt8(ascii: "*")]) {
            length = nil
        } else {
            guard let n = Self.decimal(lengthText), last < n else { return nil }
            length = n
        }
        self.init(first: first, last: last, completeLength: length)
    }

    /// A non-empty run of ASCII digits as an Int, nil on anything else or on overflow.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value = 0
        for d in digits {
            guard d >= 0x30, d <= 0x39 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(d - 0x30))
            guard !o1, !o2 else { return nil }
            value = plus
        }
        return value
    }
}
