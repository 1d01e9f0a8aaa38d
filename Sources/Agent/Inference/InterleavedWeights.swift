import CInferenceKernels
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WeightMatrix {
    /// This matrix with Forager's row-interleaved copy for the eight-row K-quant kernels
    /// (`kquants_x8.c`: eight rows' blocks stored together), when its type has one (Q4_K, Q6_K)
    /// and its shape allows (rows a multiple of 8, row length of 256); otherwise itself. The copy
    /// is appended to `owners`. With `releasingFilePages` (`data` is in a read-only file map) the
    /// file's pages under the matrix are released from this process afterwards (they stay in the
    /// page cache), so resident memory holds one copy of the weights; `data` still addresses
    /// them, for the rare reader of a row in the file layout. Never for heap memory, which the
    /// release would zero.
    func interleaved(owners: inout [AnyObject], releasingFilePages: Bool = false) -> WeightMatrix {
        let t = Int32(type.rawValue)
        let bytes = ik_interleaved_bytes(t, Int32(rows), Int32(cols))
        guard bytes > 0, !isInterleaved else { return self }
        let buffer = OwnedBuffer(byteCount: bytes)
        owners.append(buffer)
        let groups = rows / 8
        let parts = min(groups, 2 * ProcessInfo.processInfo.activeProcessorCount)
        let src = UnsafeSendable(data), dst = UnsafeSendable(UnsafeRawPointer(buffer.pointer))
        let (r, c) = (Int32(rows), Int32(cols))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let g0 = groups * part / parts, g1 = groups * (part + 1) / parts
            _ = ik_interleave_rows(t, src.pointer, r, c, UnsafeMutableRawPointer(mutating: dst.pointer), Int32(g0), Int32(g1))
        }
        if releasingFilePages { releasePages(data, count: byteCount) }
        return WeightMatrix(type: type, data: data, rows: rows, cols: cols,
                            kernelType: ik_interleaved_type(t), kernelData: UnsafeRawPointer(buffer.pointer))
    }
}

extension LayerWeights {
    func interleaved(owners: inout [AnyObject], releasingFilePages: Bool) -> LayerWeights {
        var l = self
        let f = releasingFilePages
        l.wq = wq.interleaved(owners: &owners, releasingFilePages: f)
        l.wk = wk.interleaved(owners: &owners, releasingFilePages: f)
        l.wv = wv.interleaved(owners: &owners, releasingFilePages: f)
        l.wo = wo.interleaved(owners: &owners, releasingFilePages: f)
        l.gate = gate.interleaved(owners: &owners, releasingFilePages: f)
        l.up = up.interleaved(owners: &owners, releasingFilePages: f)
        l.down = down.interleaved(owners: &owners, releasingFilePages: f)
        return l
    }
}

/// A pointer handed to the threads of `concurrentPerform`, each touching its own part.
private struct UnsafeSendable: @unchecked Sendable {
    let pointer: UnsafeRawPointer
    init(_ pointer: UnsafeRawPointer) { self.pointer = pointer }
}

/// Drops this process's mapping of the whole pages inside `[p, p + count)` (madvise DONTNEED on
/// a read-only file map: they are read again from the page cache if touched).
private func releasePages(_ p: UnsafeRawPointer, count: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (Int(bitPattern: p) + page - 1) / page * page
    let end = (Int(bitPattern: p) + count) / page * page
    guard end > start, let base = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(base, end - start, Int32(MADV_DONTNEED))
}
