import Foundation

/// Copies libFuzzer's input into an array (the harnesses' parsers take Swift collections).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Name used for in-memory inputs in messages.
public let memoryURL = URL(fileURLWithPath: "/fuzz/input")

/// The separator between files when one fuzz input holds several (`scripts/fuzz-seeds.py` writes it).
public let fileSeparator: [UInt8] = Array("\n--PAVEFUZZ--\n".utf8)

/// Splits `bytes` at every ``fileSeparator``.
public func splitFiles(_ bytes: [UInt8]) -> [[UInt8]] {
    var parts: [[UInt8]] = []
    var start = 0
    var i = 0
    let sep = fileSeparator
    while i + sep.count <= bytes.count {
        if bytes[i] == sep[0], bytes[i..<i + sep.count].elementsEqual(sep) {
            parts.append(Array(bytes[start..<i]))
            i += sep.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(Array(bytes[start...]))
    return parts
}
