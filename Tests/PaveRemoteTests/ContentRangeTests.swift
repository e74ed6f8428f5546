import Testing
@testable import PaveRemote

/// `Content-Range` is read strictly: a resumed download is written only where the server says, exactly.
struct ContentRangeTests {
    @Test(arguments: [
        ("bytes 0-0/1", 0, 0, 1 as Int?),
        ("bytes 100-199/200", 100, 199, 200),
        ("bytes 5-9/*", 5, 9, nil),
    ])
    func wellFormedRangesParse(header: String, first: Int, last: Int, length: Int?) throws {
        let r = try #require(ContentRange(header: header))
        #expect(r.first == first && r.last == last && r.completeLength == length && r.count == last - first + 1)
    }

    @Test(arguments: [
        "", "bytes", "bytes ", "bytes 5-", "bytes -5/10", "bytes 5-4/10", "bytes 5-10/10", "bytes 5-9", "bytes=5-9/10",
        "Bytes 5-9/10", "bytes  5-9/10", "bytes 5 -9/10", "bytes +5-9/10", "bytes 5-9/-1", "bytes 0x5-9/10",
        "bytes 99999999999999999999-99999999999999999999/*", "bytes 5-9/10 ", "foo 5-9/10", "bytes 5-9/1*",
    ])
    func malformedRangesAreRefused(header: String) {
        #expect(ContentRange(header: header) == nil)
    }
}
