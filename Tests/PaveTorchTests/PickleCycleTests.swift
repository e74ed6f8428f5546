import Foundation
import Testing
@testable import PaveTorch

/// A pickle can put a dict into itself through the memo (`d[k] = d`); reference counting alone would leak it.
/// Found by fuzz-pickle (LeakSanitizer), kept as Tests/Fixtures/fuzz/fuzz-pickle/leak-dict-cycle.pkl.
struct PickleCycleTests {
    /// `{}` memoised, then `d["self"] = d` via BINGET, then STOP.
    static let selfContaining: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x58, 0x04, 0x00, 0x00, 0x00] + Array("self".utf8) + [0x68, 0x00, 0x73, 0x2E]

    func dictsAreFreed(_ bytes: [UInt8]) -> Bool {
        var reader = TorchPickleReader(bytes: bytes, path: "cycle.pkl")
        _ = try? reader.run()
        let weakDicts = reader.dicts.map { WeakDict($0) }
        #expect(!weakDicts.isEmpty)
        reader.releaseDicts()
        reader = TorchPickleReader(bytes: [], path: "")
        return weakDicts.allSatisfy { $0.value == nil }
    }

    final class WeakDict {
        weak var value: PickleDict?
        init(_ d: PickleDict) { value = d }
    }

    @Test func aSelfContainingDictIsFreed() {
        #expect(dictsAreFreed(Self.selfContaining))
        // The top-level dict holds a dict, not tensors: refused by name, not leaked.
        #expect(throws: TorchFormatError.self) { try TorchPickleReader.tensors(in: Self.selfContaining, path: "cycle.pkl") }
    }

    @Test func theFuzzerInputIsFreed() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/fuzz-pickle/leak-dict-cycle.pkl")
        #expect(dictsAreFreed(try [UInt8](Data(contentsOf: url))))
    }
}
