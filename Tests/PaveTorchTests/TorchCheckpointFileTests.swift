import Foundation
import PaveTestSupport
import Testing
@testable import PaveFormat
@testable import PaveTorch

/// Reading real `torch.save` files (made by torch 2.15, see Fixtures/torch/README.md) and files written
/// by ``TorchCheckpointWriter``.
@Suite struct TorchCheckpointFileTests {
    @Test(arguments: ["views.bin", "state_dict.bin", "pave_tiny_lora/non_lora_trainables.bin"])
    func realTorchSaveFilesReadWithIdenticalBytes(file: String) throws {
        let expected = try TorchFixtures.expected(file)
        let ckpt = try TorchCheckpointFile(url: TorchFixtures.url(file))
        #expect(ckpt.tensors.map(\.name).sorted() == expected.keys.sorted())
        for t in ckpt.tensors {
            let e = try #require(expected[t.name])
            let data = try ckpt.load(t)
            #expect(TorchFixtures.torchName(data.dtype) == e["dtype"]?.stringValue, "\(t.name)")
            #expect(data.shape == e["shape"]?.arrayValue?.compactMap(\.intValue), "\(t.name)")
            #expect(TorchFixtures.hash(data) == e["sha256"]?.stringValue, "\(t.name)")
        }
    }

    @Test func viewsOffsetsAndSharedStoragesAreResolved() throws {
        let ckpt = try TorchCheckpointFile(url: TorchFixtures.url("views.bin"))
        func tensor(_ n: String) throws -> TorchCheckpointFile.Tensor { try #require(ckpt.tensors.first { $0.name == n }) }
        let shared = try tensor("shared"), view = try tensor("offset_view"), tr = try tensor("transposed"), row = try tensor("row_slice")
        #expect(shared.view.storage == view.view.storage && shared.view.storage == tr.view.storage)
        #expect(view.view.offset == 8 && !view.isContiguous)
        #expect(!tr.isContiguous && row.isContiguous && row.view.offset == 12)
        // base = arange(24)/8 reshaped (4, 6): offset_view = base[1:3, 2:5].
        let v = try ckpt.load(view)
        let floats = stride(from: 0, to: v.bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(v.bytes[i]) | UInt32(v.bytes[i + 1]) << 8 | UInt32(v.bytes[i + 2]) << 16 | UInt32(v.bytes[i + 3]) << 24)
        }
        #expect(floats == [8, 9, 10, 14, 15, 16].map { Float($0) / 8 })
        #expect(try ckpt.load(tensor("param")).shape == [2])
        #expect(try ckpt.load(tensor("scalar")).shape == [])
        #expect(try ckpt.load(tensor("empty")).bytes.isEmpty)
    }

    @Test func writerOutputReadsBackAndIsDeterministic() throws {
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = try TorchCheckpointFile(url: TorchFixtures.url("views.bin"))
        let tensors = try src.writerTensors()
        let a = dir.appendingPathComponent("non_lora_trainables.bin"), b = dir.appendingPathComponent("copy.bin")
        try TorchCheckpointWriter.write(tensors, to: a)
        try TorchCheckpointWriter.write(tensors, to: b)
        let back = try TorchCheckpointFile(url: a)
        #expect(back.stem == "non_lora_trainables")
        #expect(back.tensors.map(\.name) == src.tensors.map(\.name))
        for (x, y) in zip(src.tensors, back.tensors) {
            #expect(try src.load(x) == back.load(y), "\(x.name)")
            #expect(y.isContiguous && y.view.offset == 0)
        }
        let rawB = try Data(contentsOf: b)
        let archive = try ZipArchive(url: a)
        for e in archive.entries { #expect(e.dataOffset % 64 == 0, "\(e.name) data at \(e.dataOffset)") }
        #expect(archive.entries.map(\.name).prefix(4) == ["non_lora_trainables/data.pkl", "non_lora_trainables/.format_version",
                                                           "non_lora_trainables/.storage_alignment", "non_lora_trainables/byteorder"])
        try TorchCheckpointWriter.write(tensors, to: b)
        #expect(try Data(contentsOf: b) == rawB)
    }

    @Test func writtenPickleMatchesTorchOpcodeForOpcode() throws {
        // torch.save({"weight": ..., "bias": ...}) of nn.Linear(3, 2) minus the OrderedDict wrapper: compare
        // against the real file's records by re-reading both.
        let real = try TorchCheckpointFile(url: TorchFixtures.url("state_dict.bin"))
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sd.bin")
        try TorchCheckpointWriter.write(try real.writerTensors(), to: out)
        let back = try TorchCheckpointFile(url: out)
        #expect(back.tensors.map(\.name) == ["weight", "bias"])
        #expect(back.tensors.map(\.view.storage.type) == [.float, .float])
    }

    @Test func legacyFormatIsRefusedClearly() throws {
        #expect(throws: TorchFormatError.legacyFormat(path: TorchFixtures.url("legacy.bin").path)) {
            try TorchCheckpointFile(url: TorchFixtures.url("legacy.bin"))
        }
    }

    @Test func testWrittenArchivesWithSharedBF16StorageAndOffsets() throws {
        // Two bf16 views on one 6-element storage: [2] at offset 1 and the transposed [[0, 3], [1, 4], [2, 5]] → [3, 2].
        let storage: [UInt8] = (0..<6).flatMap { i -> [UInt8] in
            let bits = Float(i + 1).bitPattern >> 16  // 1…6 are exact in bf16
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        let pickle = TorchPickleWriter.pickle([
            .init(name: "a", type: .bfloat16, storageKey: "0", shape: [2], offset: 1, storageElements: 6),
            .init(name: "t", type: .bfloat16, storageKey: "0", shape: [3, 2], stride: [1, 3], storageElements: 6),
        ])
        let dir = try TorchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try TorchCheckpointFile(url: TorchFixtures.torchFile(pickle: pickle, storages: [storage], in: dir))
        func values(_ n: String) throws -> [Float] {
            let b = try f.load(try #require(f.tensors.first { $0.name == n })).bytes
            return stride(from: 0, to: b.count, by: 2).map { Float(bitPattern: (UInt32(b[$0]) | UInt32(b[$0 + 1]) << 8) << 16) }
        }
        #expect(try values("a") == [2, 3])
        #expect(try values("t") == [1, 4, 2, 5, 3, 6])
        #expect(f.tensors.allSatisfy { $0.dtype == .bf16 && $0.view.storage.key == "0" })
    }
}
