import PaveFormat

/// Writes the pickle (protocol 2) that `torch.save` writes for a dict of contiguous tensors, opcode for
/// opcode: memo puts and gets, `_rebuild_tensor_v2` reductions, persistent ids
/// `('storage', torch.<Type>Storage, '<key>', 'cpu', numel)`, `SETITEMS` batches of 1000.
struct TorchPickleWriter {
    /// A tensor entry: its dict key, storage type, storage key and shape (contiguous, offset 0).
    struct Item {
        var name: String
        var type: TorchStorageType
        var storageKey: String
        var shape: [Int]
        /// View parameters (offset 0, contiguous stride and a storage of exactly the tensor's elements
        /// unless set; only tests set them, to build damaged files).
        var offset = 0
        var stride: [Int]? = nil
        var storageElements: Int? = nil
    }

    private var out = ByteWriter()
    private var memoCount = 0
    private var memo: [String: Int] = [:]

    /// The pickle bytes for `items`, in order.
    static func pickle(_ items: [Item]) -> [UInt8] {
        var w = TorchPickleWriter()
        w.out.append([0x80, 2, 0x7D])  // PROTO 2, EMPTY_DICT
        w.put()
        var start = 0
        while start < items.count {
            let batch = items[start..<min(items.count, start + 1000)]
            if batch.count > 1 { w.out.u8(0x28) }  // MARK
            for item in batch { w.tensor(item) }
            w.out.u8(batch.count > 1 ? 0x75 : 0x73)  // SETITEMS / SETITEM
            start += 1000
        }
        w.out.u8(0x2E)  // STOP
        return w.out.bytes
    }

    private mutating func tensor(_ t: Item) {
        string(t.name)
        global("torch._utils", "_rebuild_tensor_v2")
        out.u8(0x28)  // MARK (reduce arguments)
        out.u8(0x28)  // MARK (persistent id)
        sharedString("storage")
        global("torch", t.type.rawValue)
        string(t.storageKey)
        sharedString("cpu")
        int(t.storageElements ?? Shape.elementCount(t.shape) ?? 0)
        out.u8(0x74); put()  // TUPLE
        out.u8(0x51)  // BINPERSID
        int(t.offset)  // storage offset
        tuple(t.shape)
        tuple(t.stride ?? Self.contiguousStride(t.shape))
        out.u8(0x89)  // NEWFALSE (requires_grad)
        global("collections", "OrderedDict")
        out.u8(0x29)  // EMPTY_TUPLE
        out.u8(0x52); put()  // REDUCE → backward_hooks
        out.u8(0x74); put()  // TUPLE
        out.u8(0x52); put()  // REDUCE → tensor
    }

    static func contiguousStride(_ shape: [Int]) -> [Int] {
        var stride = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride.indices.reversed() {
            stride[i] = acc
            acc *= shape[i]
        }
        return stride
    }

    private mutating func tuple(_ values: [Int]) {
        if values.isEmpty { out.u8(0x29); return }  // EMPTY_TUPLE, not memoized
        if values.count > 3 { out.u8(0x28) }
        for v in values { int(v) }
        out.u8(values.count > 3 ? 0x74 : 0x84 + UInt8(values.count))
        put()
    }

    private mutating func int(_ v: Int) {
        if v >= 0, v < 256 {
            out.append([0x4B, UInt8(v)])
        } else if v >= 0, v < 65536 {
            out.append([0x4D, UInt8(v & 0xFF), UInt8(v >> 8)])
        } else if v >= Int(Int32.min), v <= Int(Int32.max) {
            out.u8(0x4A)
            out.u32(UInt32(bitPattern: Int32(v)))
        } else {
            // LONG1: minimal little-endian two's complement.
            var bytes: [UInt8] = []
            var x = Int64(v)
            repeat {
                bytes.append(UInt8(truncatingIfNeeded: x))
                x >>= 8
            } while !(x == 0 && bytes[bytes.count - 1] & 0x80 == 0) && !(x == -1 && bytes[bytes.count - 1] & 0x80 != 0)
            out.append([0x8A, UInt8(bytes.count)] + bytes)
        }
    }

    private mutating func string(_ s: String) {
        let b = Array(s.utf8)
        out.u8(0x58)
        out.u32(UInt32(b.count))
        out.append(b)
        put()
    }

    /// A string Python would pass as the same object each time (memoized once, then fetched).
    private mutating func sharedString(_ s: String) {
        if let i = memo["s:" + s] { get(i); return }
        string(s)
        memo["s:" + s] = memoCount - 1
    }

    private mutating func global(_ module: String, _ name: String) {
        let key = "g:\(module) \(name)"
        if let i = memo[key] { get(i); return }
        out.u8(0x63)
        out.append(Array("\(module)\n\(name)\n".utf8))
        put()
        memo[key] = memoCount - 1
    }

    private mutating func put() {
        if memoCount < 256 {
            out.append([0x71, UInt8(memoCount)])
        } else {
            out.u8(0x72)
            out.u32(UInt32(memoCount))
        }
        memoCount += 1
    }

    private mutating func get(_ i: Int) {
        if i < 256 {
            out.append([0x68, UInt8(i)])
        } else {
            out.u8(0x6A)
            out.u32(UInt32(i))
        }
    }
}
