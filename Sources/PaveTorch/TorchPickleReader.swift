import PaveFormat
/// A closed interpreter for the pickles `torch.save` writes for a dict of tensors (protocol 2).
///
/// It knows only the opcodes such a pickle contains and only the globals `collections.OrderedDict`,
/// `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter` and `torch.<Type>Storage`. Globals
/// are never resolved or called: `REDUCE` on an allowed rebuild function produces a ``TorchTensorRef``
/// description, and any other global, callable or opcode stops parsing with a ``TorchFormatError``.
///
/// Every resource the input controls is bounded by ``Limits``; crossing one throws
/// ``TorchFormatError/limitExceeded(path:offset:what:limit:)`` naming the limit. Use
/// ``tensors(in:path:limits:)`` to read a `data.pkl` (or any raw pickle) held in memory.
public struct TorchPickleReader {
    /// Safety limits, each reported by name when crossed.
    public struct Limits: Sendable {
        /// Longest string argument (`BINUNICODE`), "string length".
        public var maxStringBytes = 1 << 20
        /// Highest memo index and most memo entries (`BINPUT` / `LONG_BINPUT`), "memo index" / "memo size".
        public var maxMemoEntries = 1 << 20
        /// Most values on the stack, "stack depth".
        public var maxStackDepth = 1 << 18
        /// Most open `MARK`s, "MARK nesting".
        public var maxMarkDepth = 64
        /// Deepest nesting of tuples and dicts, "nesting depth".
        public var maxNesting = 32
        /// Highest tensor rank, "tensor rank".
        public var maxDims = 16
        /// Most dict items in the whole pickle, "number of dict items".
        public var maxItems = 1 << 22
        /// The default limits.
        public init() {}
    }

    private var reader: ByteReader
    let path: String
    let limits: Limits

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every dict built, so ``releaseDicts()`` can break the reference cycles a hostile pickle makes (a dict
    /// put into itself through the memo: `d[k] = d`), which reference counting alone would leak.
    private(set) var dicts: [PickleDict] = []
    private var items = 0

    init(bytes: [UInt8], path: String, limits: Limits = Limits()) {
        reader = ByteReader(bytes)
        self.path = path
        self.limits = limits
    }

    /// Parses the pickle in `bytes` (no file system access; `path` names it in messages) and returns the
    /// tensors of its top-level dict, in dict order. The byte-based entry point for fuzzing the interpreter.
    public static func tensors(in bytes: [UInt8], path: String, limits: Limits = Limits()) throws(TorchFormatError) -> [(name: String, tensor: TorchTensorRef)] {
        var reader = TorchPickleReader(bytes: bytes, path: path, limits: limits)
        defer { reader.releaseDicts() }  // after the tensors are copied out, on success and on error
        let top = try reader.run()
        guard case let .dict(d) = top else {
            throw .malformedPickle(path: path, offset: 0, reason: "the top-level object is a \(top.kind), expected a dict of tensors")
        }
        var out: [(String, TorchTensorRef)] = []
        var seen = Set<String>()
        for (k, v) in d.items {
            guard case let .string(name) = k else { throw .malformedPickle(path: path, offset: 0, reason: "a top-level key is a \(k.kind), expected str") }
            guard case let .tensor(t) = v else { throw .malformedPickle(path: path, offset: 0, reason: "entry \"\(name)\" is a \(v.kind), expected a tensor") }
            guard seen.insert(name).inserted else { throw .malformedPickle(path: path, offset: 0, reason: "key \"\(name)\" appears twice") }
            out.append((name, t))
        }
        return out
    }

    // MARK: Interpreter

    mutating func run() throws(TorchFormatError) -> PickleValue {
        while true {
            let at = reader.position
            let op = try byte()
            switch op {
            case 0x80:  // PROTO
                let v = try byte()
                guard v == 2 else { throw .malformedPickle(path: path, offset: at, reason: "pickle protocol \(v); torch.save writes protocol 2") }
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1, let top = stack.last else {
                    throw .malformedPickle(path: path, offset: at, reason: "STOP with \(stack.count) values and \(marks.count) marks on the stack")
                }
                return top
            case 0x7D: try push(.dict(newDict(ordered: false)), at: at)  // EMPTY_DICT
            case 0x29: try push(.tuple([], depth: 1), at: at)  // EMPTY_TUPLE
            case 0x4E: try push(.none, at: at)  // NONE
            case 0x88: try push(.bool(true), at: at)  // NEWTRUE
            case 0x89: try push(.bool(false), at: at)  // NEWFALSE
            case 0x28:  // MARK
                guard marks.count < limits.maxMarkDepth else { throw .limitExceeded(path: path, offset: at, what: "MARK nesting", limit: limits.maxMarkDepth) }
                marks.append(stack.count)
            case 0x58:  // BINUNICODE
                let n = Int(try u32())
                guard n <= limits.maxStringBytes else { throw .limitExceeded(path: path, offset: at, what: "string length \(n)", limit: limits.maxStringBytes) }
                let raw = try take(n, at: at)
                guard let s = String(validating: raw, as: UTF8.self) else { throw .malformedPickle(path: path, offset: at, reason: "string is not valid UTF-8") }
                try push(.string(s), at: at)
            case 0x4B: try push(.int(Int64(try byte())), at: at)  // BININT1
            case 0x4D: try push(.int(Int64(try u16())), at: at)  // BININT2
            case 0x4A: try push(.int(Int64(Int32(bitPattern: try u32()))), at: at)  // BININT
            case 0x8A:  // LONG1
                let n = Int(try byte())
                guard n <= 8 else { throw .limitExceeded(path: path, offset: at, what: "LONG1 length \(n) bytes", limit: 8) }
                let raw = try take(n, at: at)
                var v: UInt64 = 0
                for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                // Sign-extend from the last byte (`raw` is a slice of the pickle: index it through its own
                // indices, never from 0).
                if let last = raw.last, n < 8, last & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
                try push(.int(Int64(bitPattern: v)), at: at)
            case 0x71: try memoize(Int(try byte()), at: at)  // BINPUT
            case 0x72: try memoize(Int(try u32()), at: at)  // LONG_BINPUT
            case 0x68: try recall(Int(try byte()), at: at)  // BINGET
            case 0x6A: try recall(Int(try u32()), at: at)  // LONG_BINGET
            case 0x63:  // GLOBAL
                let module = try line(at: at), name = try line(at: at)
                guard let g = PickleGlobal(module: module, name: name) else {
                    throw .forbiddenGlobal(path: path, offset: at, global: "\(module).\(name)")
                }
                try push(.global(g), at: at)
            case 0x74:  // TUPLE
                let values = try popMark(at: at)
                try push(try tuple(values, at: at), at: at)
            case 0x85, 0x86, 0x87:  // TUPLE1/2/3
                let n = Int(op - 0x84)
                guard stack.count - (marks.last ?? 0) >= n else { throw underflow(at) }
                let values = Array(stack.suffix(n))
                stack.removeLast(n)
                try push(try tuple(values, at: at), at: at)
            case 0x51:  // BINPERSID
                try push(.storage(try persistentStorage(try pop(at: at), at: at)), at: at)
            case 0x52:  // REDUCE
                let args = try pop(at: at)
                let callable = try pop(at: at)
                try push(try reduce(callable, args, at: at), at: at)
            case 0x73:  // SETITEM
                let value = try pop(at: at), key = try pop(at: at)
                try setItems(on: try top(at: at), [(key, value)], at: at)
            case 0x75:  // SETITEMS
                let values = try popMark(at: at)
                guard values.count % 2 == 0 else { throw .malformedPickle(path: path, offset: at, reason: "SETITEMS with an odd number of values") }
                var pairs: [(PickleValue, PickleValue)] = []
                pairs.reserveCapacity(values.count / 2)
                for i in stride(from: 0, to: values.count, by: 2) { pairs.append((values[i], values[i + 1])) }
                try setItems(on: try top(at: at), pairs, at: at)
            case 0x62:  // BUILD: only the `_metadata` state torch attaches to a state_dict OrderedDict
                let state = try pop(at: at)
                guard case let .dict(target) = try top(at: at), target.ordered, case let .dict(s) = state,
                    s.items.allSatisfy({ if case .string("_metadata") = $0.key { return true } else { return false } })
                else { throw .forbiddenCall(path: path, offset: at, callable: "BUILD (object state other than an OrderedDict's _metadata)") }
            default:
                throw .unknownOpcode(path: path, offset: at, opcode: op, name: Self.opcodeNames[op])
            }
        }
    }

    private mutating func reduce(_ callable: PickleValue, _ args: PickleValue, at: Int) throws(TorchFormatError) -> PickleValue {
        guard case let .global(g) = callable else {
            throw .forbiddenCall(path: path, offset: at, callable: "a \(callable.kind) value")
        }
        guard case let .tuple(a, _) = args else { throw .malformedPickle(path: path, offset: at, reason: "REDUCE arguments are a \(args.kind), expected a tuple") }
        switch g {
        case .orderedDict:
            guard a.isEmpty else { throw .forbiddenCall(path: path, offset: at, callable: "collections.OrderedDict with arguments") }
            return .dict(newDict(ordered: true))
        case .rebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard a.count == 6 || a.count == 7, case let .storage(storage) = a[0], case let .int(offset) = a[1],
                case let .tuple(sizeValues, _) = a[2], case let .tuple(strideValues, _) = a[3], case let .bool(grad) = a[4]
            else { throw .malformedPickle(path: path, offset: at, reason: "_rebuild_tensor_v2 arguments are not (storage, int, tuple, tuple, bool, hooks)") }
            try requireEmptyHooks(a[5], at: at)
            if a.count == 7 {
                switch a[6] {
                case .none: break
                case let .dict(d) where d.items.isEmpty: break
                default: throw .forbiddenCall(path: path, offset: at, callable: "_rebuild_tensor_v2 with tensor metadata")
                }
            }
            let shape = try ints(sizeValues, what: "size", at: at)
            let stride = try ints(strideValues, what: "stride", at: at)
            guard shape.count == stride.count else { throw .malformedPickle(path: path, offset: at, reason: "size has \(shape.count) dims but stride has \(stride.count)") }
            guard shape.count <= limits.maxDims else { throw .limitExceeded(path: path, offset: at, what: "tensor rank \(shape.count)", limit: limits.maxDims) }
            guard offset >= 0, let off = Int(exactly: offset) else { throw .malformedPickle(path: path, offset: at, reason: "negative storage offset \(offset)") }
            return .tensor(TorchTensorRef(storage: storage, offset: off, shape: shape, stride: stride, requiresGrad: grad))
        case .rebuildParameter:
            // (tensor, requires_grad, backward_hooks)
            guard a.count == 3, case var .tensor(t) = a[0], case let .bool(grad) = a[1] else {
                throw .malformedPickle(path: path, offset: at, reason: "_rebuild_parameter arguments are not (tensor, bool, hooks)")
            }
            try requireEmptyHooks(a[2], at: at)
            t.requiresGrad = grad
            return .tensor(t)
        case .storageType:
            throw .forbiddenCall(path: path, offset: at, callable: g.qualifiedName)
        }
    }

    private func requireEmptyHooks(_ v: PickleValue, at: Int) throws(TorchFormatError) {
        guard case let .dict(d) = v, d.ordered, d.items.isEmpty else {
            throw .forbiddenCall(path: path, offset: at, callable: "tensor rebuild with backward hooks (\(v.kind))")
        }
    }

    private func ints(_ values: [PickleValue], what: String, at: Int) throws(TorchFormatError) -> [Int] {
        var out: [Int] = []
        for v in values {
            guard case let .int(i) = v, i >= 0, let n = Int(exactly: i) else {
                throw .malformedPickle(path: path, offset: at, reason: "tensor \(what) entries must be non-negative ints, got \(v.kind)")
            }
            out.append(n)
        }
        return out
    }

    private func persistentStorage(_ pid: PickleValue, at: Int) throws(TorchFormatError) -> TorchStorageRef {
        guard case let .tuple(a, _) = pid, a.count == 5, case .string("storage") = a[0], case let .global(g) = a[1],
            case let .string(key) = a[2], case let .string(location) = a[3], case let .int(numel) = a[4]
        else { throw .malformedPickle(path: path, offset: at, reason: "persistent id is not ('storage', type, key, location, numel)") }
        guard case let .storageType(type) = g else { throw .forbiddenCall(path: path, offset: at, callable: "\(g.qualifiedName) as a storage type") }
        guard !key.isEmpty, key.count <= 32, key.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }) else {
            throw .malformedPickle(path: path, offset: at, reason: "storage key \"\(key)\" is not a plain record name")
        }
        guard numel >= 0, let n = Int(exactly: numel), n.multipliedReportingOverflow(by: type.elementSize).overflow == false else {
            throw .malformedPickle(path: path, offset: at, reason: "storage element count \(numel) is invalid")
        }
        return TorchStorageRef(key: key, type: type, location: location, elementCount: n)
    }

    private func tuple(_ values: [PickleValue], at: Int) throws(TorchFormatError) -> PickleValue {
        let depth = 1 + (values.map(\.depth).max() ?? 0)
        guard depth <= limits.maxNesting else { throw .limitExceeded(path: path, offset: at, what: "nesting depth", limit: limits.maxNesting) }
        return .tuple(values, depth: depth)
    }

    private mutating func setItems(on target: PickleValue, _ pairs: [(PickleValue, PickleValue)], at: Int) throws(TorchFormatError) {
        guard case let .dict(d) = target else { throw .malformedPickle(path: path, offset: at, reason: "SETITEM(S) on a \(target.kind)") }
        items += pairs.count
        guard items <= limits.maxItems else { throw .limitExceeded(path: path, offset: at, what: "number of dict items", limit: limits.maxItems) }
        for (k, v) in pairs {
            switch k {
            case .string, .int, .bool, .none: break
            default: throw .malformedPickle(path: path, offset: at, reason: "dict key of type \(k.kind)")
            }
            let depth = 1 + v.depth
            guard depth <= limits.maxNesting else { throw .limitExceeded(path: path, offset: at, what: "nesting depth", limit: limits.maxNesting) }
            d.depth = max(d.depth, depth)
            d.items.append((k, v))
        }
    }

    private mutating func newDict(ordered: Bool) -> PickleDict {
        let d = PickleDict(ordered: ordered)
        dicts.append(d)
        return d
    }

    /// Empties every dict this reader built, breaking any cycle between them.
    mutating func releaseDicts() {
        for d in dicts { d.items = [] }
        dicts = []
    }

    // MARK: Stack and memo

    private mutating func push(_ v: PickleValue, at: Int) throws(TorchFormatError) {
        guard stack.count < limits.maxStackDepth else { throw .limitExceeded(path: path, offset: at, what: "stack depth", limit: limits.maxStackDepth) }
        stack.append(v)
    }

    private mutating func pop(at: Int) throws(TorchFormatError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.popLast() else { throw underflow(at) }
        return v
    }

    private func top(at: Int) throws(TorchFormatError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.last else { throw underflow(at) }
        return v
    }

    private mutating func popMark(at: Int) throws(TorchFormatError) -> [PickleValue] {
        guard let m = marks.popLast() else { throw .malformedPickle(path: path, offset: at, reason: "no MARK on the stack") }
        let values = Array(stack[m...])
        stack.removeSubrange(m...)
        return values
    }

    private mutating func memoize(_ index: Int, at: Int) throws(TorchFormatError) {
        guard index < limits.maxMemoEntries else { throw .limitExceeded(path: path, offset: at, what: "memo index \(index)", limit: limits.maxMemoEntries) }
        guard memo[index] != nil || memo.count < limits.maxMemoEntries else {
            throw .limitExceeded(path: path, offset: at, what: "memo size", limit: limits.maxMemoEntries)
        }
        memo[index] = try top(at: at)
    }

    private mutating func recall(_ index: Int, at: Int) throws(TorchFormatError) {
        guard let v = memo[index] else { throw .malformedPickle(path: path, offset: at, reason: "memo slot \(index) is empty") }
        try push(v, at: at)
    }

    private func underflow(_ at: Int) -> TorchFormatError {
        .malformedPickle(path: path, offset: at, reason: "stack underflow")
    }

    // MARK: Bytes

    private mutating func byte() throws(TorchFormatError) -> UInt8 {
        guard let b = reader.u8() else { throw .malformedPickle(path: path, offset: reader.position, reason: "data ends without a STOP opcode") }
        return b
    }

    private mutating func take(_ n: Int, at: Int) throws(TorchFormatError) -> ArraySlice<UInt8> {
        guard let b = reader.take(n) else {
            throw .malformedPickle(path: path, offset: at, reason: "a \(n)-byte argument runs past the end of the \(reader.bytes.count)-byte pickle")
        }
        return b
    }

    private mutating func u16() throws(TorchFormatError) -> UInt16 {
        let at = reader.position
        guard let v = reader.u16() else { throw .malformedPickle(path: path, offset: at, reason: "a 2-byte argument runs past the end of the \(reader.bytes.count)-byte pickle") }
        return v
    }

    private mutating func u32() throws(TorchFormatError) -> UInt32 {
        let at = reader.position
        guard let v = reader.u32() else { throw .malformedPickle(path: path, offset: at, reason: "a 4-byte argument runs past the end of the \(reader.bytes.count)-byte pickle") }
        return v
    }

    /// A newline-terminated ASCII identifier (GLOBAL arguments), at most 256 bytes.
    private mutating func line(at: Int) throws(TorchFormatError) -> String {
        var raw: [UInt8] = []
        while true {
            let b = try byte()
            if b == 0x0A { break }
            guard b >= 0x20, b < 0x7F else { throw .malformedPickle(path: path, offset: at, reason: "GLOBAL name contains a non-printable byte") }
            raw.append(b)
            guard raw.count <= 256 else { throw .limitExceeded(path: path, offset: at, what: "GLOBAL name length", limit: 256) }
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Names of opcodes this reader refuses, for messages.
    static let opcodeNames: [UInt8: String] = [
        0x69: "INST", 0x6F: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x93: "STACK_GLOBAL", 0x50: "PERSID",
        0x56: "UNICODE", 0x53: "STRING", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x8C: "SHORT_BINUNICODE",
        0x8D: "BINUNICODE8", 0x95: "FRAME", 0x94: "MEMOIZE", 0x5D: "EMPTY_LIST", 0x61: "APPEND", 0x65: "APPENDS",
        0x6C: "LIST", 0x64: "DICT", 0x47: "BINFLOAT", 0x46: "FLOAT", 0x49: "INT", 0x4C: "LONG", 0x8B: "LONG4",
        0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x67: "GET", 0x70: "PUT",
        0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8E: "BINBYTES8", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER",
        0x98: "READONLY_BUFFER", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET",
    ]
}
