import PaveFormat

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
        LittleEndianBytes.put32(0x0403_4B50, into: &h)
        LittleEndianBytes.put16(0, into: &h)  // version needed
        LittleEndianBytes.put16(0x0808, into: &h)  // data descriptor + UTF-8 names
        LittleEndianBytes.put16(0, into: &h)  // stored
        LittleEndianBytes.put16(0, into: &h); LittleEndianBytes.put16(0, into: &h)  // time, date
        LittleEndianBytes.put32(0, into: &h); LittleEndianBytes.put32(0, into: &h); LittleEndianBytes.put32(0, into: &h)  // crc, sizes (in the descriptor)
        LittleEndianBytes.put16(UInt16(nameBytes.count), into: &h)
        LittleEndianBytes.put16(UInt16(4 + pad), into: &h)
        h += nameBytes
        h += [0x46, 0x42]  // "FB"
        LittleEndianBytes.put16(UInt16(pad), into: &h)
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
        LittleEndianBytes.put32(0x0807_4B50, into: &d)
        LittleEndianBytes.put32(c.crc.value, into: &d)
        LittleEndianBytes.put32(UInt32(c.size), into: &d)
        LittleEndianBytes.put32(UInt32(c.size), into: &d)
        records.append(Record(name: c.name, crc: c.crc.value, size: c.size, headerOffset: c.headerOffset))
        try emit(d)
    }

    mutating func finish() throws {
        let cdOffset = offset
        var cd: [UInt8] = []
        for r in records {
            LittleEndianBytes.put32(0x0201_4B50, into: &cd)
            LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd)  // made by, needed
            LittleEndianBytes.put16(0x0808, into: &cd)
            LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd)  // method, time, date
            LittleEndianBytes.put32(r.crc, into: &cd)
            LittleEndianBytes.put32(UInt32(r.size), into: &cd); LittleEndianBytes.put32(UInt32(r.size), into: &cd)
            LittleEndianBytes.put16(UInt16(r.name.count), into: &cd)
            LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd); LittleEndianBytes.put16(0, into: &cd)  // extra, comment, disk, int attr
            LittleEndianBytes.put32(0, into: &cd)  // ext attr
            LittleEndianBytes.put32(UInt32(r.headerOffset), into: &cd)
            cd += r.name
        }
        let z64Offset = cdOffset + cd.count
        guard z64Offset < 0xFFFF_FFFF else { throw CheckpointExportError.tooLarge(path: path, reason: "archive exceeds 4 GiB") }
        var end: [UInt8] = []
        LittleEndianBytes.put32(0x0606_4B50, into: &end)
        LittleEndianBytes.put64(44, into: &end)
        LittleEndianBytes.put16(0x031E, into: &end); LittleEndianBytes.put16(45, into: &end)
        LittleEndianBytes.put32(0, into: &end); LittleEndianBytes.put32(0, into: &end)
        LittleEndianBytes.put64(UInt64(records.count), into: &end); LittleEndianBytes.put64(UInt64(records.count), into: &end)
        LittleEndianBytes.put64(UInt64(cd.count), into: &end); LittleEndianBytes.put64(UInt64(cdOffset), into: &end)
        LittleEndianBytes.put32(0x0706_4B50, into: &end)
        LittleEndianBytes.put32(0, into: &end)
        LittleEndianBytes.put64(UInt64(z64Offset), into: &end)
        LittleEndianBytes.put32(1, into: &end)
        LittleEndianBytes.put32(0x0605_4B50, into: &end)
        LittleEndianBytes.put16(0, into: &end); LittleEndianBytes.put16(0, into: &end)
        LittleEndianBytes.put16(UInt16(records.count), into: &end); LittleEndianBytes.put16(UInt16(records.count), into: &end)
        LittleEndianBytes.put32(UInt32(cd.count), into: &end); LittleEndianBytes.put32(UInt32(cdOffset), into: &end)
        LittleEndianBytes.put16(0, into: &end)
        try emit(cd + end)
    }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += bytes.count
    }
}
