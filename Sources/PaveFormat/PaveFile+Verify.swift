import Foundation

extension PaveFile {
    /// Checks everything `open` did not: every chunk decodes as its record says, every tensor's bytes have the
    /// SHA-256 the index records, and every padding byte between sections, regions and chunks is zero.
    ///
    /// Opening already checked the header, limits, manifest, index, layout and digest; those appear in the report
    /// as passed checks. Damaged tensors are all listed (checking goes on after the first).
    /// - Parameter progress: called with (raw bytes checked, raw bytes in total) after each tensor.
    public func verifyAll(progress: ((Int64, Int64) -> Void)? = nil) throws -> PaveVerificationReport {
        var report = PaveVerificationReport(path: path, digest: digest, formatVersion: "\(major).\(minor)")
        let total = entries.reduce(0) { $0 + $1.byteCount }
        let chunkCount = entries.reduce(0) { $0 + $1.chunks.count }
        report.record("container.structure", detail: "format \(major).\(minor), header, manifest (\(layout.manifestLength) bytes), index, layout (\(entries.count) tensors, \(chunkCount) chunks), limits")
        report.record("container.digest", detail: digest)
        var schema: [any PaveError] = []
        do { try ManifestRules.validateStored(manifest, major: major, path: path, offset: layout.manifestOffset) } catch { schema.append(error) }
        report.record("manifest.schema", detail: "format_version, name, version and the typed fields of spec/manifest.schema.json", problems: schema)

        let damaged = try checkAllTensors(progress: progress)
        report.record("container.hashes", detail: "\(entries.count) tensors, \(total) raw bytes, \(chunkCount) chunks decoded and SHA-256 checked", problems: damaged)

        var padding: [any PaveError] = []
        do { try checkPadding() } catch let error as PaveFormatError { padding.append(error) }
        report.record("container.padding", detail: "padding between sections, tensor regions and chunks is zero", problems: padding)
        return report
    }

    /// Throws ``PaveFormatError/nonZeroPadding(path:offset:after:)`` for the first non-zero padding byte.
    func checkPadding() throws {
        var gaps: [(start: Int, end: Int, after: String)] = []
        gaps.append((layout.manifestOffset + layout.manifestLength, layout.indexOffset, "the manifest"))
        gaps.append((layout.indexOffset + layout.indexLength, layout.dataOffset, "the index"))
        var cursor = layout.dataOffset
        var last = "the index"
        for e in entries {
            gaps.append((cursor, e.regionOffset, last))
            var c = e.regionOffset
            for (j, ch) in e.chunks.enumerated() {
                gaps.append((c, ch.offset, j == 0 ? "the start of tensor \"\(e.name)\"" : "tensor \"\(e.name)\" chunk \(j - 1)"))
                c = ch.offset + ch.storedLength
            }
            cursor = e.regionOffset + e.regionLength
            last = "tensor \"\(e.name)\""
        }
        gaps.append((cursor, layout.layoutOffset, last))
        if minor > PaveLimits.minor { gaps.removeFirst(2) }  // newer minors may put data in the section gaps
        for g in gaps where g.end > g.start {
            let bytes: [UInt8]
            do { bytes = try source.read(at: g.start, count: g.end - g.start) } catch {
                throw PaveFormatError.truncated(path: path, what: "padding after \(g.after)", offset: g.start, needed: g.end - g.start, fileSize: source.size)
            }
            if let k = bytes.firstIndex(where: { $0 != 0 }) {
                throw PaveFormatError.nonZeroPadding(path: path, offset: g.start + k, after: g.after)
            }
        }
    }
}
