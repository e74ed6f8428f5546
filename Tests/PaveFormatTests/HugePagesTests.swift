import Foundation
import Testing
@testable import PaveFormat

@Suite struct HugePagesTests {
    /// The `VmFlags` of the mapping of /proc/self/smaps that holds `address`.
    static func vmFlags(containing address: UInt) throws -> [String] {
        // procfs reports size 0: read to the end rather than by the size.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= address && address < ends[1]
            } else if inside, line.hasPrefix("VmFlags:") {
                return fields.dropFirst().map(String.init)
            }
        }
        return []
    }

    @Test func adviseMarksTheAlignedInteriorOfALargeBuffer() throws {
        let size = 16 << 20
        let p = try #require(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(p, size) }
        HugePages.advise(UnsafeMutableRawBufferPointer(start: p, count: size))
        let middle = UInt(bitPattern: p) + UInt(size / 2)
        #expect(try Self.vmFlags(containing: middle).contains("hg"))
        // Below the threshold nothing is advised.
        let q = try #require(mmap(nil, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(q, 1 << 20) }
        HugePages.advise(UnsafeMutableRawBufferPointer(start: q, count: 1 << 20))
        #expect(!(try Self.vmFlags(containing: UInt(bitPattern: q))).contains("hg"))
    }
}
