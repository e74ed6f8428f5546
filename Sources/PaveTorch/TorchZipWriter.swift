import Foundation
import PaveFormat

/// The zip layer of ``TorchCheckpointWriter``: stored entries, 64-byte aligned data, data descriptors,
/// central directory, zip64 end record and locator, classic end record — byte-compatible with torch's.
public struct TorchZipWriter {
    /// Writes a zip in torch's layout holding exactly `records` (name, bytes), in order, atomically (temporary
    /// file, fsync, rename). For building archives in tests and benchmarks.
    /// - Throws: ``TorchWriteError`` for an archive over 4 GiB; `AtomicFileError` when the file cannot be written.
    public static func write(_ records: [(name: String, bytes: [UInt8])], to url: URL) throws {
        let w = try AtomicFileWriter(destination: url)
        do {
            var z = TorchZipWriter(sink: w, path: url.path)
            for (name, bytes) in records { try z.add(name, bytes: bytes) }
            try z.finish()
            try w.commit()
        } catch {
            w.abort()
            throw error
        }
    }

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
        guard offset < 0xFFFF_FFFF else { throw TorchWriteError.tooLarge(path: path, reason: "archive exceeds 4 GiB") }
        // Data starts after the 30-byte header, the name and the 4-byte FB extra header, padded to 64.
        let start = offset + 30 + nameBytes.count + 4
        let pad = (64 - start % 64) % 64
        var h = ByteWriter()
        h.u32(0x0403_4B50)
        h.u16(0)  // version needed
        h.u16(0x0808)  // data descriptor + UTF-8 names
        h.u16(0)  // stored
        h.u16(0); h.u16(0)  // time, date
        h.u32(0); h.u32(0); h.u32(0)  // crc, sizes (in the descriptor)
        h.u16(UInt16(nameBytes.count))
        h.u16(UInt16(4 + pad))
        h.append(nameBytes)
        h.append([0x46, 0x42])  // "FB"
        h.u16(UInt16(pad))
        h.append([UInt8](repeating: 0x5A, count: pad))  // "Z"
        current = (nameBytes, offset, CRC32(), 0)
        try emit(h.bytes)
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
        guard c.size < 0xFFFF_FFFF else { throw TorchWriteError.tooLarge(path: path, reason: "record \(String(decoding: c.name, as: UTF8.self)) exceeds 4 GiB") }
        var d = ByteWriter()
        d.u32(0x0807_4B50)
        d.u32(c.crc.value)
        d.u32(UInt32(c.size))
        d.u32(UInt32(c.size))
        records.append(Record(name: c.name, crc: c.crc.value, size: c.size, headerOffset: c.headerOffset))
        try emit(d.bytes)
    }

    mutating func finish() throws {
        let cdOffset = offset
        var cd = ByteWriter()
        for r in records {
            cd.u32(0x0201_4B50)
            cd.u16(0); cd.u16(0)  // made by, needed
            cd.u16(0x0808)
            cd.u16(0); cd.u16(0); cd.u16(0)  // method, time, date
            cd.u32(r.crc)
            cd.u32(UInt32(r.size)); cd.u32(UInt32(r.size))
            cd.u16(UInt16(r.name.count))
            cd.u16(0); cd.u16(0); cd.u16(0); cd.u16(0)  // extra, comment, disk, int attr
            cd.u32(0)  // ext attr
            cd.u32(UInt32(r.headerOffset))
            cd.append(r.name)
        }
        let z64Offset = cdOffset + cd.bytes.count
        guard z64Offset < 0xFFFF_FFFF else { throw TorchWriteError.tooLarge(path: path, reason: "archive exceeds 4 GiB") }
        var end = ByteWriter()
        end.u32(0x0606_4B50)
        end.u64(44)
        end.u16(0x031E); end.u16(45)
        end.u32(0); end.u32(0)
        end.u64(UInt64(records.count)); end.u64(UInt64(records.count))
        end.u64(UInt64(cd.bytes.count)); end.u64(UInt64(cdOffset))
        end.u32(0x0706_4B50)
        end.u32(0)
        end.u64(UInt64(z64Offset))
        end.u32(1)
        end.u32(0x0605_4B50)
        end.u16(0); end.u16(0)
        end.u16(UInt16(records.count)); end.u16(UInt16(records.count))
        end.u32(UInt32(cd.bytes.count)); end.u32(UInt32(cdOffset))
        end.u16(0)
        try emit(cd.bytes + end.bytes)
    }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += bytes.count
    }
}
