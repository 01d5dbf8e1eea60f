import COpenBLAS

/// OpenBLAS settings and identification.
///
/// FreezeStudy runs OpenBLAS single-threaded and parallelises around it (images, columns or
/// rows of a GEMM per core): OpenBLAS's own threads spin-wait with `sched_yield` between calls
/// and would compete with the element-wise kernels' threads for the same two cores.
public enum BLAS {
    /// Puts OpenBLAS in single-threaded mode once, before the first GEMM.
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// The OpenBLAS kernel in use (`OPENBLAS_CORETYPE` picks it, e.g. Haswell or SkylakeX).
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// OpenBLAS's build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()) }
    /// Sets the number of OpenBLAS threads (benchmarks measuring OpenBLAS itself; the kernels
    /// expect 1).
    public static func setThreads(_ count: Int) {
        _ = singleThreaded
        openblas_set_num_threads(Int32(count))
    }
}

/// Row-major `C = alpha * op(A) * op(B) + beta * C` through `cblas_sgemm`.
///
/// `op(A)` is M×K, `op(B)` is K×N, `C` is M×N; `lda`, `ldb`, `ldc` are the row strides of the
/// matrices as stored (before transposition).
@inline(__always)
public func sgemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    _ = BLAS.singleThreaded
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha,
                a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
