import CInferenceKernels

/// The best kernels the calling thread's matmuls use on this CPU: AVX-512 VNNI for the
/// interleaved K-quants (unless `FORAGER_NO_AVX512=1`), else AVX2/FMA/F16C, else portable C.
public enum KernelLevel: String, Sendable {
    case avx512VNNI = "avx512-vnni", avx2, portable

    public static var current: KernelLevel {
        switch Int(ik_cpu_level()) {
        case IK_LEVEL_VNNI: return .avx512VNNI
        case IK_LEVEL_AVX2: return .avx2
        default: return .portable
        }
    }
}

/// Direct access to the C kernels, for tests and diagnostics.
enum KernelAccess {
    /// Whether the AVX2/FMA/F16C kernels are in use on this thread.
    static var usesAVX2: Bool { ik_has_avx2() != 0 }

    /// Whether the interleaved K-quant kernels use AVX-512 VNNI on this thread.
    static var usesVNNI: Bool { ik_has_vnni() != 0 }

    /// Keeps the calling thread's interleaved K-quant kernels on AVX2 on a VNNI machine.
    static func setNoVNNI(_ on: Bool) { ik_force_no_vnni(on ? 1 : 0) }

    /// Switches the calling thread to the portable kernels (use one-thread pools/sessions).
    static func setPortable(_ on: Bool) { ik_force_portable(on ? 1 : 0) }

    /// Switches the calling thread's matmuls with Q4_K/Q6_K weights to the float path (each row
    /// dequantized, float activations) instead of the integer Q8_K kernels; any pool size.
    static func setFloatKQuants(_ on: Bool) { ik_force_float_kquants(on ? 1 : 0) }

    /// `ntok` rows of `w.cols` activations times the matrix, on a fresh pool of `threads`.
    static func matmul(_ w: WeightMatrix, _ x: [Float], ntok: Int, threads: Int) -> [Float] {
        let pool = ik_pool_create(Int32(threads))
        defer { ik_pool_destroy(pool) }
        let scratch = UnsafeMutableRawPointer.allocate(
            byteCount: ik_matmul_scratch(w.kernelType, Int32(w.cols), Int32(ntok), Int32(threads)), alignment: 64)
        defer { scratch.deallocate() }
        var out = [Float](repeating: 0, count: ntok * w.rows)
        out.withUnsafeMutableBufferPointer { o in
            ik_matmul(pool, w.kernelType, w.kernelData, Int32(w.rows), Int32(w.cols), x, Int32(ntok), o.baseAddress, Int32(w.rows), scratch)
        }
        return out
    }

    /// Three matrices of one row length on the same input in one pass (`ik_matmul3`, as the Q, K
    /// and V projections), on a fresh pool of `threads`.
    static func matmul3(_ w: [WeightMatrix], _ x: [Float], ntok: Int, threads: Int) -> [[Float]] {
        precondition(w.count == 3 && w[0].cols == w[1].cols && w[1].cols == w[2].cols)
        let pool = ik_pool_create(Int32(threads))
        defer { ik_pool_destroy(pool) }
        let bytes = w.map { ik_matmul_scratch($0.kernelType, Int32($0.cols), Int32(ntok), Int32(threads)) }.max() ?? 0
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { scratch.deallocate() }
        var o0 = [Float](repeating: 0, count: ntok * w[0].rows)
        var o1 = [Float](repeating: 0, count: ntok * w[1].rows)
        var o2 = [Float](repeating: 0, count: ntok * w[2].rows)
        o0.withUnsafeMutableBufferPointer { a in
            o1.withUnsafeMutableBufferPointer { b in
                o2.withUnsafeMutableBufferPointer { c in
                    ik_matmul3(pool, w[0].kernelType, w[0].kernelData, Int32(w[0].rows), w[1].kernelType, w[1].kernelData, Int32(w[1].rows),
                               w[2].kernelType, w[2].kernelData, Int32(w[2].rows), Int32(w[0].cols), x, Int32(ntok),
                               a.baseAddress, b.baseAddress, c.baseAddress, scratch)
                }
            }
        }
        return [o0, o1, o2]
    }
}
