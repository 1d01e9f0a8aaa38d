/// A GGUF (version 2 or 3) file: metadata key-values and tensor descriptions over a memory map.
/// Layout: magic "GGUF", u32 version, u64 tensor count, u64 kv count, the kvs, the tensor infos,
/// padding to `general.alignment` (default 32), then the tensor data.
public final class GGUFFile: @unchecked Sendable {
    public enum Value: @unchecked Sendable, Equatable {
        case uint(UInt64), int(Int64), float(Double), bool(Bool), string(String)
        case array([Value])
        /// Large arrays of strings (vocabularies) are kept as raw byte slices to load fast.
        case stringArray([UnsafeRawBufferPointer])

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.uint(let x), .uint(let y)): return x == y
            case (.int(let x), .int(let y)): return x == y
            case (.float(let x), .float(let y)): return x == y
            case (.bool(let x), .bool(let y)): return x == y
            case (.string(let x), .string(let y)): return x == y
            case (.array(let x), .array(let y)): return x == y
            default: return false
            }
        }

        public var int: Int? {
            switch self {
            case .uint(let v): return Int(v)
            case .int(let v): return Int(v)
            case .float(let v): return Int(v)
            case .bool(let v): return v ? 1 : 0
            default: return nil
            }
        }
        public var double: Double? {
            switch self {
            case .uint(let v): return Double(v)
            case .int(let v): return Double(v)
            case .float(let v): return v
            default: return nil
            }
        }
        public var string: String? { if case .string(let s) = self { return s }; return nil }
        public var bool: Bool? { if case .bool(let b) = self { return b }; return int.map { $0 != 0 } }
        public var strings: [String]? {
            switch self {
            case .stringArray(let a): return a.map { String(decoding: $0, as: UTF8.self) }
            case .array(let a): return a.compactMap(\.string)
            default: return nil
            }
        }
        public var ints: [Int]? { if case .array(let a) = self { return a.compactMap(\.int) }; return nil }
        public var doubles: [Double]? { if case .array(let a) = self { return a.compactMap(\.double) }; return nil }

        /// A short human-readable rendering (arrays abbreviated).
        public var summary: String {
            switch self {
            case .uint(let v): return "\(v)"
            case .int(let v): return "\(v)"
            case .float(let v): return "\(v)"
            case .bool(let v): return "\(v)"
            case .string(let s): return s.count > 80 ? String(s.prefix(77)).debugDescription + "…" : s.debugDescription
            case .array(let a): return "[\(a.prefix(4).map(\.summary).joined(separator: ", "))\(a.count > 4 ? ", … (\(a.count))" : "")]"
            case .stringArray(let a): return "[\(a.count) strings]"
            }
        }
    }

    public struct TensorInfo: Sendable {
        public let name: String
        /// ggml order: `dims[0]` is the contiguous (row length) dimension.
        public let dims: [Int]
        public let type: GGMLType
        /// Offset from the start of the tensor data section.
        public let offset: Int
        public var elementCount: Int { dims.reduce(1, *) }
        public var byteCount: Int { type.rowBytes(elementCount) }
        public var rowLength: Int { dims[0] }
        public var rowCount: Int { elementCount / dims[0] }
    }

    public let file: MappedFile
    public let version: Int
    public private(set) var metadata: [String: Value] = [:]
    public private(set) var metadataOrder: [String] = []
    public private(set) var tensors: [String: TensorInfo] = [:]
    public private(set) var tensorOrder: [String] = []
    public let alignment: Int
    public let dataOffset: Int

    public var path: String { file.path }

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        var r = Reader(base: file.base, count: file.count, path: file.path)
        guard try r.u32() == 0x4655_4747 else { throw InferenceError.format(file.path, "missing GGUF magic") }
        version = Int(try r.u32())
        guard version == 2 || version == 3 else { throw InferenceError.format(file.path, "GGUF version \(version) (only 2 and 3 are read)") }
        let nTensors = Int(try r.u64())
        let nKV = Int(try r.u64())
        guard nTensors < 1 << 24, nKV < 1 << 24 else { throw InferenceError.format(file.path, "implausible counts") }
        for _ in 0..<nKV {
            let key = try r.string()
            let type = try r.u32()
            metadata[key] = try r.value(type: type)
            metadataOrder.append(key)
        }
        alignment = metadata["general.alignment"]?.int ?? 32
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw InferenceError.format(file.path, "alignment \(alignment) is not a power of two") }
        var infos: [TensorInfo] = []
        for _ in 0..<nTensors {
            let name = try r.string()
            let nd = Int(try r.u32())
            guard nd >= 1 && nd <= 4 else { throw InferenceError.format(file.path, "tensor \(name) has \(nd) dimensions") }
            var dims: [Int] = []
            for _ in 0..<nd { dims.append(Int(try r.u64())) }
            let rawType = try r.u32()
            guard let type = GGMLType(rawValue: rawType) else {
                throw InferenceError.unsupported("\(file.path): tensor \(name) has ggml type \(rawType); supported: F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q4_K, Q5_K, Q6_K")
            }
            guard dims[0] % type.blockSize == 0 else { throw InferenceError.format(file.path, "tensor \(name): row length \(dims[0]) is not a multiple of the \(type) block size") }
            infos.append(TensorInfo(name: name, dims: dims, type: type, offset: Int(try r.u64())))
        }
        dataOffset = (r.pos + alignment - 1) / alignment * alignment
        for info in infos {
            guard info.offset % alignment == 0 else { throw InferenceError.format(file.path, "tensor \(info.name) is not aligned") }
            guard dataOffset + info.offset + info.byteCount <= file.count else {
                throw InferenceError.format(file.path, "tensor \(info.name) extends past the end of the file (truncated download?)")
            }
            tensors[info.name] = info
            tensorOrder.append(info.name)
        }
    }

    public func data(_ info: TensorInfo) -> UnsafeRawPointer { file.base + dataOffset + info.offset }

    public func tensor(_ name: String) throws -> TensorInfo {
        guard let t = tensors[name] else { throw InferenceError.format(file.path, "missing tensor \(name)") }
        return t
    }

    /// All elements of a tensor as Float.
    public func floats(_ name: String) throws -> [Float] {
        let t = try tensor(name)
        return [Float](unsafeUninitializedCapacity: t.elementCount) { buf, n in
            guard let base = buf.baseAddress else { n = 0; return }
            dequantize(type: t.type, data(t), into: base, count: t.elementCount)
            n = t.elementCount
        }
    }

    struct Reader {
        let base: UnsafeRawPointer
        let count: Int
        let path: String
        var pos = 0

        mutating func need(_ n: Int) throws {
            guard n >= 0, pos + n <= count else { throw InferenceError.format(path, "header ends early at byte \(pos)") }
        }
        mutating func u8() throws -> UInt8 { try need(1); defer { pos += 1 }; return base.load(fromByteOffset: pos, as: UInt8.self) }
        mutating func u32() throws -> UInt32 { try need(4); defer { pos += 4 }; return base.loadUnaligned(fromByteOffset: pos, as: UInt32.self) }
        mutating func u64() throws -> UInt64 { try need(8); defer { pos += 8 }; return base.loadUnaligned(fromByteOffset: pos, as: UInt64.self) }
        mutating func bytes() throws -> UnsafeRawBufferPointer {
            let n = Int(try u64())
            try need(n)
            defer { pos += n }
            return UnsafeRawBufferPointer(start: base + pos, count: n)
        }
        mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

        mutating func value(type: UInt32) throws -> Value {
            switch type {
            case 0: return .uint(UInt64(try u8()))
            case 1: return .int(Int64(Int8(bitPattern: try u8())))
            case 2: try need(2); defer { pos += 2 }; return .uint(UInt64(base.loadUnaligned(fromByteOffset: pos, as: UInt16.self)))
            case 3: try need(2); defer { pos += 2 }; return .int(Int64(base.loadUnaligned(fromByteOffset: pos, as: Int16.self)))
            case 4: return .uint(UInt64(try u32()))
            case 5: return .int(Int64(Int32(bitPattern: try u32())))
            case 6: return .float(Double(Float(bitPattern: try u32())))
            case 7: return .bool(try u8() != 0)
            case 8: return .string(try string())
            case 9:
                let elemType = try u32()
                let n = Int(try u64())
                guard n < 1 << 28 else { throw InferenceError.format(path, "array of \(n) elements") }
                if elemType == 8 {
                    var a: [UnsafeRawBufferPointer] = []
                    a.reserveCapacity(n)
                    for _ in 0..<n { a.append(try bytes()) }
                    return .stringArray(a)
                }
                var a: [Value] = []
                a.reserveCapacity(n)
                for _ in 0..<n { a.append(try value(type: elemType)) }
                return .array(a)
            case 10: return .uint(try u64())
            case 11: return .int(Int64(bitPattern: try u64()))
            case 12: return .float(Double(bitPattern: try u64()))
            default: throw InferenceError.format(path, "unknown metadata value type \(type) at byte \(pos)")
            }
        }
    }
}
