// Scalar reference for every GEMM kernel: C[m,n] = A[m,k] · (transB ? Bᵀ : B) (+bias[n]) (act: 1 = relu).
// a: [m, k] (lda), b: [k, n] or [n, k] when transB (ldb), c: [m, n] (ldc); f32 accumulation in natural k order.
export function gemm_f32_ref(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, transB: i32,
                             c: usize, ldc: i32, bias: usize, act: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) {
        const bv = transB ? load<f32>(b + ((<usize>j * ldb + p) << 2)) : load<f32>(b + ((<usize>p * ldb + j) << 2));
        s += load<f32>(a + ((<usize>i * lda + p) << 2)) * bv;
      }
      if (bias != 0) s += load<f32>(bias + (<usize>j << 2));
      if (act == 1) s = s > 0 || s != s ? s : 0;
      store<f32>(c + ((<usize>i * ldc + j) << 2), s);
    }
  }
}
