import CInferenceKernels

/// Direct access to the C kernels, for tests and diagnostics.
enum KernelAccess {
    /// Whether the AVX2/FMA/F16C kernels are in use on this thread.
    static var usesAVX2: Bool { ik_has_avx2() != 0 }

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
            byteCount: ik_matmul_scratch(Int32(w.type.rawValue), Int32(w.cols), Int32(ntok), Int32(threads)), alignment: 64)
        defer { scratch.deallocate() }
        var out = [Float](repeating: 0, count: ntok * w.rows)
        out.withUnsafeMutableBufferPointer { o in
            ik_matmul(pool, Int32(w.type.rawValue), w.data, Int32(w.rows), Int32(w.cols), x, Int32(ntok), o.baseAddress, Int32(w.rows), scratch)
        }
        return out
    }
}
