// The wasm kernel ABI, one entry per export of assembly/index.ts.
// Pointers (`p`) are byte offsets into the shared linear memory; m, n, k, rows, cols, ld*, s* and lengths are in
// elements (f32 unless noted). Kernels never allocate, never check shapes and never write outside their output.
type p = number;

export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  /** 1 for the relaxed build, 0 for simd. */
  variant_id(): number;

  // --- GEMM (assembly/gemm_*.ts). act: 0 = none, 1 = relu. bias: 0 = none, else bias[n] ---
  // m or n = 0 writes nothing; k = 0 gives C = act(bias or 0) (an empty sum). C must not overlap A, B or bias.
  // C[m,n] = A[m,k] · B[k,n] (+ bias) (act), B row-major unpacked.
  gemm_f32(m: number, n: number, k: number, a: p, lda: number, b: p, ldb: number, c: p, ldc: number, bias: p, act: number): void;
  // C[m,n] = A[m,k] · Bᵀ, B given as [n,k] (Q·Kᵀ, x·Wᵀ without packing).
  gemm_f32_bt(m: number, n: number, k: number, a: p, lda: number, b: p, ldb: number, c: p, ldc: number, bias: p, act: number): void;
  // batch x (A_i · B_i or A_i · B_iᵀ), operand i at a + i*sa etc. (strides in elements): per-head products without copies.
  gemm_f32_batched(batch: number, m: number, n: number, k: number, a: p, lda: number, sa: number, b: p, ldb: number, sb: number,
                   c: p, ldc: number, sc: number, transB: number): void;
  // Floats needed by pack_b_f32 for a [k,n] operand.
  packed_b_size_f32(k: number, n: number): number;
  // Packs B [k,n] (transB = 0) or Bᵀ from B [n,k] (transB = 1; nn.Linear weight [out,in]) into column panels.
  pack_b_f32(k: number, n: number, b: p, ldb: number, transB: number, packed: p): void;
  // C[m,n] = A[m,k] · packed(B) (+ bias) (act).
  gemm_f32_packed_b(m: number, n: number, k: number, a: p, lda: number, packed: p, c: p, ldc: number, bias: p, act: number): void;
  // Scalar reference for all of the above.
  gemm_f32_ref(m: number, n: number, k: number, a: p, lda: number, b: p, ldb: number, transB: number, c: p, ldc: number, bias: p, act: number): void;

  // --- softmax over rows (assembly/softmax_rows_f32.ts) ---
  // s = x*scale; lens (i32[rows], 0 = none): s[j] = -1e6 for j >= lens[r] (d2l, replaced);
  // mask (f32, row r at mask + r*ldm; ldm 0 broadcasts one row, 0 = none): s += mask;
  // bmask (u8, row r at bmask + r*ldbm, 0 = none): s = -inf where bmask != 0 (1 = not allowed);
  // causal != 0: s = -inf for j > r + causalOffset; then y = softmax(s); rows that are all -inf give zeros.
  softmax_rows_f32(rows: number, cols: number, x: p, ldx: number, y: p, ldy: number, scale: number,
                   mask: p, ldm: number, bmask: p, ldbm: number, causal: number, causalOffset: number, lens: p): void;
  softmax_rows_f32_ref(rows: number, cols: number, x: p, ldx: number, y: p, ldy: number, scale: number,
                       mask: p, ldm: number, bmask: p, ldbm: number, causal: number, causalOffset: number, lens: p): void;

  // --- additive (Bahdanau) scores, fused: out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]) ---
  // qp: [batch, nq, h], kp: [batch, nk, h], wv: [h], out: [batch, nq, nk] (contiguous).
  additive_scores_f32(batch: number, nq: number, nk: number, h: number, qp: p, kp: p, wv: p, out: p): void;
  additive_scores_f32_ref(batch: number, nq: number, nk: number, h: number, qp: p, kp: p, wv: p, out: p): void;

  // --- elementwise (x and y may alias) ---
  exp_f32(x: p, y: p, n: number): void;            exp_f32_ref(x: p, y: p, n: number): void;
  tanh_f32(x: p, y: p, n: number): void;           tanh_f32_ref(x: p, y: p, n: number): void;
  relu_f32(x: p, y: p, n: number): void;           relu_f32_ref(x: p, y: p, n: number): void;
  gelu_f32(x: p, y: p, n: number): void;           gelu_f32_ref(x: p, y: p, n: number): void;       // exact erf form
  gelu_tanh_f32(x: p, y: p, n: number): void;      gelu_tanh_f32_ref(x: p, y: p, n: number): void;  // tanh form
  add_f32(a: p, b: p, y: p, n: number): void;      add_f32_ref(a: p, b: p, y: p, n: number): void;   // residual add

  // --- LayerNorm over the last dim: biased variance, eps inside the sqrt; gamma/beta 0 = none ---
  layernorm_f32(rows: number, cols: number, x: p, ldx: number, y: p, ldy: number, gamma: p, beta: p, eps: number): void;
  layernorm_f32_ref(rows: number, cols: number, x: p, ldx: number, y: p, ldy: number, gamma: p, beta: p, eps: number): void;

  // --- benchmark probes (assembly/peak_probe_f32.ts): 12 independent f32x4 chains a = a*x + y, no memory access ---
  // Each call does iters * 96 flops (12 chains x 4 lanes x (mul + add)); returns a sum of the chains so nothing is elided.
  peak_mul_add_f32(iters: number): number;  // separate f32x4.mul + f32x4.add in both builds
  peak_madd_f32(iters: number): number;     // madd: relaxed_madd (FMA) in the relaxed build, mul + add in the simd build
}
