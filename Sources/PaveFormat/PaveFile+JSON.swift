extension PaveFile {
    /// The whole index as JSON (`inspect --json`): per tensor its name, dtype, shape, sizes, hash, region and
    /// chunks; with the manifest, digest, format version and section layout.
    public func describe(includeChunks: Bool = true) -> JSONValue {
        var tensors: [JSONValue] = []
        for e in entries {
            var t: [String: JSONValue] = [
                "name": .string(e.name), "dtype": .string(e.dtype.rawValue),
                "shape": .array(e.shape.map { .int(Int64($0)) }),
                "bytes": .int(Int64(e.byteCount)), "stored_bytes": .int(Int64(e.regionLength)),
                "sha256": .string(Digest.hexString(e.sha256)), "region_offset": .int(Int64(e.regionOffset)),
                "chunk_size": .int(Int64(e.chunkSize)),
            ]
            if includeChunks {
                t["chunks"] = .array(e.chunks.map { c in
                    .object([
                        "offset": .int(Int64(c.offset)), "stored_bytes": .int(Int64(c.storedLength)),
                        "raw_offset": .int(Int64(c.rawOffset)), "raw_bytes": .int(Int64(c.rawLength)),
                        "encoding": .string(c.encoding?.label ?? "unknown(\(c.encodingCode))"), "width": .int(Int64(c.width)),
                    ])
                })
            }
            tensors.append(.object(t))
        }
        let raw = entries.reduce(0) { $0 + $1.byteCount }
        let stored = entries.reduce(0) { $0 + $1.regionLength }
        let l = layout
        return .object([
            "path": .string(path), "format_version": .string("\(major).\(minor)"), "digest": .string(digest),
            "manifest": .object(manifest.fields), "tensors": .array(tensors),
            "totals": .object(["tensors": .int(Int64(entries.count)), "bytes": .int(Int64(raw)), "stored_bytes": .int(Int64(stored)),
                               "file_bytes": .int(Int64(l.fileSize))]),
            "sections": .object([
                "header_length": .int(Int64(l.headerLength)),
                "manifest": .array([.int(Int64(l.manifestOffset)), .int(Int64(l.manifestLength))]),
                "index": .array([.int(Int64(l.indexOffset)), .int(Int64(l.indexLength))]),
                "data": .array([.int(Int64(l.dataOffset)), .int(Int64(l.dataLength))]),
                "layout": .array([.int(Int64(l.layoutOffset)), .int(Int64(l.layoutLength))]),
            ]),
        ])
    }
}
