import Foundation
import Testing
@testable import PaveFormat

/// The strict JSON rules (spec/pave-format-v1.md §4.1): what every JSON pavepkg reads from a file must satisfy.
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let v = try parse(#" {"a": [1, -2, 3.5, 1e2, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(v == .object(["a": .array([1, -2, 3.5, 100, true, false, nil, "x\né😀"]), "b": .object([:])]))
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("1.0") == .int(1))
    }

    @Test func duplicateKeysAreRefusedWhicheverComesFirst() {
        for text in [#"{"format_version":"2.0","format_version":"1.0"}"#, #"{"format_version":"1.0","format_version":"2.0"}"#] {
            #expect(throws: JSONParseError.duplicateKey(key: "format_version", offset: 24)) { try parse(text) }
        }
        #expect(throws: JSONParseError.duplicateKey(key: "a", offset: 13)) { try parse(#"[{"b":{"a":1,"a":1}}]"#) }
        // Escapes are decoded before comparing: "\u0061" is "a".
        #expect(throws: JSONParseError.duplicateKey(key: "a", offset: 7)) { try parse(#"{"a":1,"\u0061":2}"#) }
    }

    @Test func byteOrderMarkIsRefused() {
        #expect(throws: JSONParseError.byteOrderMark) { try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) }
    }

    @Test func loneSurrogatesAreRefusedPairsAccepted() throws {
        #expect(throws: JSONParseError.loneSurrogate(offset: 1)) { try parse(#""\ud800""#) }
        #expect(throws: JSONParseError.loneSurrogate(offset: 1)) { try parse(#""\udc00\ud800""#) }
        #expect(throws: JSONParseError.loneSurrogate(offset: 1)) { try parse(#""\ud800\u0041""#) }
        #expect(try parse(#""\ud800\udc00""#) == .string("\u{10000}"))
    }

    @Test func invalidUTF8IsRefused() {
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF]] {
            #expect(throws: JSONParseError.invalidUTF8(offset: 1)) { try JSONParser.parse([0x22] + bad + [0x22]) }
        }
    }

    @Test func nestingAndSizeLimitsHaveNamedErrors() throws {
        let limits = JSONParser.Limits(maxBytes: 1000, maxDepth: 4)
        _ = try JSONParser.parse(Array("[[[[1]]]]".utf8), limits: limits)
        #expect(throws: JSONParseError.tooDeep(offset: 4, limit: 4)) { try JSONParser.parse(Array("[[[[[1]]]]]".utf8), limits: limits) }
        #expect(throws: JSONParseError.tooLarge(size: 1001, limit: 1000)) { try JSONParser.parse([UInt8](repeating: 0x20, count: 1001), limits: limits) }
        // The default depth limit stops a deeply nested document before the stack does.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.tooDeep(offset: 64, limit: 64)) { try parse(deep) }
        #expect((try? parse(deep)).map { _ in "" } == nil)
    }

    @Test func syntaxErrorsNameTheOffset() {
        for (text, offset) in [("{\"a\":1,}", 7), ("[1 2]", 3), ("01", 0), ("\"\u{1}\"", 1), ("nul", 0), ("1.", 2), ("{} x", 3), ("\"\\x\"", 1)] {
            #expect(throws: JSONParseError.self) { try parse(text) }
            do { _ = try parse(text) } catch { if case let .syntax(o, _) = error { #expect(o == offset, "\(text)") } else { Issue.record("\(text): \(error)") } }
        }
    }

    @Test func errorsHaveStableCodes() {
        #expect(JSONParseError.duplicateKey(key: "k", offset: 0).code == "json.duplicate_key")
        #expect(JSONParseError.tooDeep(offset: 0, limit: 1).code == "json.depth")
        #expect(JSONParseError.tooLarge(size: 2, limit: 1).code == "json.size")
        #expect(JSONParseError.byteOrderMark.code == "json.byte_order_mark")
        #expect(JSONParseError.loneSurrogate(offset: 0).code == "json.surrogate")
        #expect("\(JSONParseError.duplicateKey(key: "format_version", offset: 3))".contains("\"format_version\""))
    }
}
