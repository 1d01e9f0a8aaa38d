import CInferenceKernels

/// Tensor element types the engine reads, with ggml's numbering (as stored in GGUF).
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q8_0 = 8, q4_K = 12, q5_K = 13, q6_K = 14, bf16 = 30

    public var blockSize: Int { Int(ik_block_size(Int32(rawValue))) }
    public var blockBytes: Int { Int(ik_block_bytes(Int32(rawValue))) }
    /// Bytes taken by `elements` consecutive elements (a multiple of the block size).
    public func rowBytes(_ elements: Int) -> Int { elements / blockSize * blockBytes }

    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q8_0: return "Q8_0"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        }
    }
}

/// Converts `count` elements (a multiple of the block size) of `type` at `src` to floats.
public func dequantize(type: GGMLType, _ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
    ik_dequantize(Int32(type.rawValue), src, dst, Int64(count))
}
