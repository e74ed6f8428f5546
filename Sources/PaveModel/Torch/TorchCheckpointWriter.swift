import Crypto
import Foundation
import PaveFormat

/// Writes a dict of tensors as `torch.save` (torch 2.x, zip format) writes it, so that
/// `torch.load(path, weights_only=True)` returns the same names, dtypes, shapes and values.
///
/// Layout, as torch's `PyTorchStreamWriter` produces it: stored entries with data descriptors, every
/// record's data 64-byte aligned through an `FB` extra field padded with `Z`, records
/// `<stem>/data.pkl`, `<stem>/.format_version`, `<stem>/.storage_alignment`, `<stem>/byteorder`,
/// `<stem>/data/<n>` (one storage per tensor, in order), `<stem>/version`, `<stem>/.data/serialization_id`,
/// then the central directory and zip64 end records. `serialization_id` is derived from the content
/// (torch uses a random number), so the same tensors always give the same bytes.
public enum TorchCheckpointWriter {
    /// Writes `tensors` (in order) to `url` atomically; the archive folder is `url`'s file stem.
    public static func write(_ tensors: [ImportedTensor], to url: URL, chunkSize: Int = 8 << 20) throws {
        let stem = url.deletingPathExtension().lastPathComponent
        var items: [TorchPickleWriter.Item] = []
        var seen = Set<String>()
        for (i, t) in tensors.enumerated() {
            guard let type = TorchStorageType(dtype: t.dtype) else {
                throw CheckpointExportError.unsupportedDType(tensor: t.name, dtype: t.dtype.rawValue)
            }
            guard seen.insert(t.name).inserted else { throw CheckpointExportError.invalidPatch(reason: "tensor \"\(t.name)\" appears twice") }
            items.append(.init(name: t.name, type: type, storageKey: String(i), shape: t.shape))
        }
        let writer = try AtomicFileWriter(destination: url)
        var zip = TorchZipWriter(sink: writer, path: url.path)
        var hasher = SHA256()
        let pickle = TorchPickleWriter.pickle(items)
        hasher.update(data: pickle)
        try zip.add("\(stem)/data.pkl", bytes: pickle)
        try zip.add("\(stem)/.format_version", bytes: Array("1".utf8))
        try zip.add("\(stem)/.storage_alignment", bytes: Array("64".utf8))
        try zip.add("\(stem)/byteorder", bytes: Array("little".utf8))
        for (i, t) in tensors.enumerated() {
            try zip.begin("\(stem)/data/\(i)")
            try t.forEachChunk(chunkSize: chunkSize) { chunk in
                hasher.update(data: chunk)
                try zip.write(chunk)
            }
            try zip.end()
        }
        try zip.add("\(stem)/version", bytes: Array("3\n".utf8))
        let digest = Array(hasher.finalize())
        let id = digest.prefix(20).map { b -> String in let s = String(b % 100); return s.count < 2 ? "0" + s : s }.joined()
        try zip.add("\(stem)/.data/serialization_id", bytes: Array(id.utf8))
        try zip.finish()
        try writer.commit()
    }
}

/// The zip layer of ``TorchCheckpointWriter``: stored entries, 64-byte aligned data, data descriptors,
/// central directory, zip64 end record and locator, classic end record — byte-compatible with torch's.
struct TorchZipWriter {
    private struct Record { var name: [UInt8]; var crc: UInt32; var size: Int; var headerOffset: Int }
    private let sink: AtomicFileWriter
    private let path: String
    private var offset = 0
    private var records: [Record] = []
    private var current: (name: [UInt8], headerOffset: Int, crc: CRC32, size: Int)?

    init(sink: AtomicFileWriter, path: String) {
        self.sink = sink
        self.path = path
    }

    mutating func add(_ name: String, bytes: [UInt8]) throws {
        try begin(name)
        try write(bytes)
        try end()
    }

    mutating func begin(_ name: String) throws {
        let nameBytes = Array(name.utf8)
        guard offset < 0xFFFF_FFFF else { throw CheckpointExportError.tooLarge(path: path, reason: "archive exceeds 4 GiB") }
        // Data starts after the 30-byte header, the name and the 4-byte FB extra header, padded to 64.
        let start = offset + 30 + nameBytes.count + 4
        let pad = (64 - start % 64) % 64
        var h: [UInt8] = []
        LE.put32(0x0403_4B50, into: &h)
        LE.put16(0, into: &h)  // version needed
        LE.put16(0x0808, into: &h)  // data descriptor + UTF-8 names
        LE.put16(0, into: &h)  // stored
        LE.put16(0, into: &h); LE.put16(0, into: &h)  // time, date
        LE.put32(0, into: &h); LE.put32(0, into: &h); LE.put32(0, into: &h)  // crc, sizes (in the descriptor)
        LE.put16(UInt16(nameBytes.count), into: &h)
        LE.put16(UInt16(4 + pad), into: &h)
        h += nameBytes
        h += [0x46, 0x42]  // "FB"
        LE.put16(UInt16(pad), into: &h)
        h += [UInt8](repeating: 0x5A, count: pad)  // "Z"
        current = (nameBytes, offset, CRC32(), 0)
        try emit(h)
    }

    mutating func write(_ bytes: [UInt8]) throws {
        guard var c = current else { return }
        c.crc.update(bytes)
        c.size += bytes.count
        current = c
        try emit(bytes)
    }

    mutating func end() throws {
        guard let c = current else { return }
        current = nil
        guard c.size < 0xFFFF_FFFF else { throw CheckpointExportError.tooLarge(path: path, reason: "record \(String(decoding: c.name, as: UTF8.self)) exceeds 4 GiB") }
        var d: [UInt8] = []
        LE.put32(0x0807_4B50, into: &d)
        LE.put32(c.crc.value, into: &d)
        LE.put32(UInt32(c.size), into: &d)
        LE.put32(UInt32(c.size), into: &d)
        records.append(Record(name: c.name, crc: c.crc.value, size: c.size, headerOffset: c.headerOffset))
        try emit(d)
    }

    mutating func finish() throws {
        let cdOffset = offset
        var cd: [UInt8] = []
        for r in records {
            LE.put32(0x0201_4B50, into: &cd)
            LE.put16(0, into: &cd); LE.put16(0, into: &cd)  // made by, needed
            LE.put16(0x0808, into: &cd)
            LE.put16(0, into: &cd); LE.put16(0, into: &cd); LE.put16(0, into: &cd)  // method, time, date
            LE.put32(r.crc, into: &cd)
            LE.put32(UInt32(r.size), into: &cd); LE.put32(UInt32(r.size), into: &cd)
            LE.put16(UInt16(r.name.count), into: &cd)
            LE.put16(0, into: &cd); LE.put16(0, into: &cd); LE.put16(0, into: &cd); LE.put16(0, into: &cd)  // extra, comment, disk, int attr
            LE.put32(0, into: &cd)  // ext attr
            LE.put32(UInt32(r.headerOffset), into: &cd)
            cd += r.name
        }
        let z64Offset = cdOffset + cd.count
        guard z64Offset < 0xFFFF_FFFF else { throw CheckpointExportError.tooLarge(path: path, reason: "archive exceeds 4 GiB") }
        var end: [UInt8] = []
        LE.put32(0x0606_4B50, into: &end)
        LE.put64(44, into: &end)
        LE.put16(0x031E, into: &end); LE.put16(45, into: &end)
        LE.put32(0, into: &end); LE.put32(0, into: &end)
        LE.put64(UInt64(records.count), into: &end); LE.put64(UInt64(records.count), into: &end)
        LE.put64(UInt64(cd.count), into: &end); LE.put64(UInt64(cdOffset), into: &end)
        LE.put32(0x0706_4B50, into: &end)
        LE.put32(0, into: &end)
        LE.put64(UInt64(z64Offset), into: &end)
        LE.put32(1, into: &end)
        LE.put32(0x0605_4B50, into: &end)
        LE.put16(0, into: &end); LE.put16(0, into: &end)
        LE.put16(UInt16(records.count), into: &end); LE.put16(UInt16(records.count), into: &end)
        LE.put32(UInt32(cd.count), into: &end); LE.put32(UInt32(cdOffset), into: &end)
        LE.put16(0, into: &end)
        try emit(cd + end)
    }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += bytes.count
    }
}
