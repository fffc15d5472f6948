// The kernel table: every export of the release wasm builds (assembly/index.ts), with its arguments in order,
// its scalar reference and its family. It is the one statement of the ABI on the TypeScript side: KernelExports
// (what rt.exports is) is derived from it, and tests/kernels/kernel_table.test.ts fails when build/simd.wasm or
// build/relaxed.wasm export anything else, or a function with another number of parameters.
// The rules behind the argument lists (naming grammar, argument order, memory contract) are in assembly/README.md:
// pointers are byte offsets into the shared linear memory; dims, strides (ld*, s*) and counts are in elements.

/** `act` of the GEMM entries: the activation fused into the store (assembly/abi.ts). */
export const ACT_NONE = 0;
/** max(x, 0), NaN stays NaN (torch.relu). */
export const ACT_RELU = 1;

/** Arguments of every GEMM entry that runs the blocked driver (assembly/gemm/driver.ts). Rows [row0, row1) and
 *  columns [col0, col1) of C are computed (col0 a multiple of 8; the whole product: 0, m, 0, n), bit-identical to
 *  the same elements of the whole product. scratch: gemm_scratch_size_f32(m, n, k) floats, or 0 if that is 0. */
const GEMM_ARGS = ['m', 'n', 'k', 'row0', 'row1', 'col0', 'col1', 'a', 'lda', 'b', 'ldb', 'c', 'ldc', 'bias', 'act', 'scratch'] as const;
const UNARY_ARGS = ['n', 'x', 'y'] as const;
const SOFTMAX_ARGS = ['rows', 'cols', 'x', 'ldx', 'y', 'ldy', 'mask', 'ldm', 'bmask', 'ldbm', 'lens', 'scale', 'causal', 'causalOffset'] as const;
const LAYERNORM_ARGS = ['rows', 'cols', 'x', 'ldx', 'y', 'ldy', 'weight', 'bias', 'eps'] as const;
const ADDITIVE_ARGS = ['batch', 'nq', 'nk', 'hidden', 'qp', 'kp', 'wv', 'out'] as const;
const SDPA_ARGS = ['L', 'S', 'E', 'Ev', 'q', 'ldq', 'k', 'ldk', 'v', 'ldv', 'out', 'ldo', 'mask', 'ldm', 'bmask', 'ldbm',
  'scale', 'causal', 'causalOffset', 'scratch'] as const;

export const KERNELS = [
  // --- runtime ---
  { name: 'heap_base', family: 'runtime', args: [], ref: null, returns: 'number' },
  /** 1 for the relaxed build, 0 for simd. */
  { name: 'variant_id', family: 'runtime', args: [], ref: null, returns: 'number' },

  // --- gemm (assembly/gemm/): C[m,n] = A[m,k]·B (+ bias[n]) (act); m or n = 0 writes nothing, k = 0 gives
  // act(bias or 0). C must not overlap A, B or bias. ---
  /** B [k, n] row-major. */
  { name: 'gemm_f32', family: 'gemm', args: GEMM_ARGS, ref: 'gemm_f32_ref' },
  /** B given as [n, k]: C = A·Bᵀ (Q·Kᵀ, x·Wᵀ without packing). */
  { name: 'gemm_f32_trans_b', family: 'gemm', args: GEMM_ARGS, ref: 'gemm_f32_ref' },
  /** B packed by pack_b_f32 (weights packed once). */
  { name: 'gemm_f32_packed_b', family: 'gemm',
    args: ['m', 'n', 'k', 'row0', 'row1', 'col0', 'col1', 'a', 'lda', 'packed', 'c', 'ldc', 'bias', 'act', 'scratch'], ref: 'gemm_f32_ref' },
  /** batch x (A_i·B_i, or A_i·B_iᵀ with transB = 1); operand i at a + i·sa elements etc.; no bias/act. */
  { name: 'gemm_f32_batched', family: 'gemm',
    args: ['batch', 'm', 'n', 'k', 'a', 'lda', 'sa', 'b', 'ldb', 'sb', 'c', 'ldc', 'sc', 'transB', 'scratch'], ref: 'gemm_f32_ref' },
  /** Scalar reference of every GEMM entry; b is [k, n], or [n, k] with transB = 1. */
  { name: 'gemm_f32_ref', family: 'gemm', args: ['m', 'n', 'k', 'a', 'lda', 'b', 'ldb', 'c', 'ldc', 'bias', 'transB', 'act'], ref: null },
  /** Floats of scratch the GEMM entries need for a product of m rows and depth k (0 when m <= 1). */
  { name: 'gemm_scratch_size_f32', family: 'gemm', args: ['m', 'n', 'k'], ref: null, returns: 'number' },
  /** 1: 5-row and 4-row register tiles (V8); 0: 4-row tiles with one K step only (SpiderMonkey). Per instance, set
   *  once by init() (option `tiles`). */
  { name: 'gemm_set_tiles', family: 'runtime', args: ['wideTiles'], ref: null },
  /** Floats of a packed [k, n] operand. */
  { name: 'packed_b_size_f32', family: 'gemm', args: ['k', 'n'], ref: null, returns: 'number' },
  /** Packs B [k, n] (transB = 0) or Bᵀ from B [n, k] (transB = 1; nn.Linear weight [out, in]) into column panels. */
  { name: 'pack_b_f32', family: 'gemm', args: ['k', 'n', 'b', 'ldb', 'packed', 'transB'], ref: null },

  // --- softmax over rows (assembly/softmax/): s = x·scale; lens (i32[rows], 0 = none): s[j] = -1e6 for
  // j >= lens[r] (d2l); mask (f32, row r at mask + r·ldm, ldm 0 broadcasts one row, 0 = none): s += mask;
  // bmask (u8, row r at bmask + r·ldbm, 0 = none): s = -inf where bmask != 0; causal != 0: s = -inf for
  // j > r + causalOffset; y = softmax(s); a row that is all -inf gives zeros. ---
  { name: 'softmax_rows_f32', family: 'softmax', args: SOFTMAX_ARGS, ref: 'softmax_rows_f32_ref' },
  { name: 'softmax_rows_f32_ref', family: 'softmax', args: SOFTMAX_ARGS, ref: null },

  // --- LayerNorm over the last dim (assembly/norm/): biased variance, eps inside the sqrt; weight/bias 0 = none ---
  { name: 'layernorm_f32', family: 'norm', args: LAYERNORM_ARGS, ref: 'layernorm_f32_ref' },
  { name: 'layernorm_f32_ref', family: 'norm', args: LAYERNORM_ARGS, ref: null },

  // --- elementwise over n elements (assembly/elementwise/); the output may alias an input ---
  { name: 'exp_f32', family: 'elementwise', args: UNARY_ARGS, ref: 'exp_f32_ref' },
  { name: 'exp_f32_ref', family: 'elementwise', args: UNARY_ARGS, ref: null },
  { name: 'tanh_f32', family: 'elementwise', args: UNARY_ARGS, ref: 'tanh_f32_ref' },
  { name: 'tanh_f32_ref', family: 'elementwise', args: UNARY_ARGS, ref: null },
  { name: 'relu_f32', family: 'elementwise', args: UNARY_ARGS, ref: 'relu_f32_ref' },
  { name: 'relu_f32_ref', family: 'elementwise', args: UNARY_ARGS, ref: null },
  /** Exact (erf) GELU, torch approximate='none'. */
  { name: 'gelu_f32', family: 'elementwise', args: UNARY_ARGS, ref: 'gelu_f32_ref' },
  { name: 'gelu_f32_ref', family: 'elementwise', args: UNARY_ARGS, ref: null },
  /** tanh-form GELU, torch approximate='tanh'. */
  { name: 'gelu_tanh_f32', family: 'elementwise', args: UNARY_ARGS, ref: 'gelu_tanh_f32_ref' },
  { name: 'gelu_tanh_f32_ref', family: 'elementwise', args: UNARY_ARGS, ref: null },
  /** y = a + b (residual add). */
  { name: 'add_f32', family: 'elementwise', args: ['n', 'a', 'b', 'y'], ref: 'add_f32_ref' },
  { name: 'add_f32_ref', family: 'elementwise', args: ['n', 'a', 'b', 'y'], ref: null },

  // --- additive (Bahdanau) scores, fused (assembly/attention/): out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]);
  // qp [batch, nq, h], kp [batch, nk, h], wv [h], out [batch, nq, nk], contiguous ---
  { name: 'additive_scores_f32', family: 'attention', args: ADDITIVE_ARGS, ref: 'additive_scores_f32_ref' },
  { name: 'additive_scores_f32_ref', family: 'attention', args: ADDITIVE_ARGS, ref: null },
  // --- fused scaled dot-product attention, one (batch, head) slice (assembly/attention/sdpa_f32.ts), online softmax,
  // no L x S buffer: s_ij = scale·(q_i·k_j) (+ mask[i·ldm + j], f32, ldm 0 = one row for all i) (-inf where
  // bmask[i·ldbm + j] != 0, u8) (-inf where causal and j > i + causalOffset); out_i = Σ_j softmax_j(s_i)·v_j.
  // q [L, E], k [S, E], v [S, Ev], out [L, Ev] (row strides ld*); a row of only -inf gives zeros, a NaN score a
  // NaN row. Rows [r0, r1): q, out, mask, bmask moved by r0 rows, L = r1 - r0, causalOffset + r0 (same bits).
  // scratch: sdpa_scratch_size_f32(L, S, E, Ev) floats (0 when that is 0). ---
  { name: 'sdpa_f32', family: 'attention', args: SDPA_ARGS, ref: 'sdpa_f32_ref' },
  /** Scalar float64 reference; its scratch needs 2·Ev floats. */
  { name: 'sdpa_f32_ref', family: 'attention', args: SDPA_ARGS, ref: null },
  /** Floats of scratch sdpa_f32 needs for L query rows (any sub-range of them included). */
  { name: 'sdpa_scratch_size_f32', family: 'attention', args: ['L', 'S', 'E', 'Ev'], ref: null, returns: 'number' },

  // --- recurrent layers (assembly/rnn/): one GRU / LSTM timestep, the hidden product h·W_hhᵀ (+ b_hh) and the gates
  // fused (assembly/rnn/rnn_step_f32.ts). gi [batch, G·H] (ldgi) = x·W_ihᵀ + b_ih, gate blocks in PyTorch order
  // (GRU r|z|n, LSTM i|f|g|o); h, c [batch, H]; whh: W_hh packed gate-interleaved (pack_b_f32 of the rearranged
  // [G·H8, H] matrix, bindings/ops/rnn.ts); bhh [G·H] or 0; hidden units [col0, col1) (col0 a multiple of 8).
  // hout must not overlap h; cout may be c. scratch: rnn_step_scratch_size_f32(batch, H, G) floats (G·8 for batch 1). ---
  { name: 'gru_step_f32', family: 'rnn',
    args: ['batch', 'hidden', 'col0', 'col1', 'gi', 'ldgi', 'h', 'ldh', 'whh', 'hout', 'ldo', 'bhh', 'scratch'], ref: 'gru_step_f32_ref' },
  /** float64 reference from the UNPACKED W_hh [3H, H] (row stride ldw). */
  { name: 'gru_step_f32_ref', family: 'rnn',
    args: ['batch', 'hidden', 'gi', 'ldgi', 'h', 'ldh', 'whh', 'ldw', 'hout', 'ldo', 'bhh'], ref: null },
  { name: 'lstm_step_f32', family: 'rnn',
    args: ['batch', 'hidden', 'col0', 'col1', 'gi', 'ldgi', 'h', 'ldh', 'c', 'ldc', 'whh', 'hout', 'ldo', 'cout', 'ldco', 'bhh', 'scratch'], ref: 'lstm_step_f32_ref' },
  /** float64 reference from the UNPACKED W_hh [4H, H] (row stride ldw). */
  { name: 'lstm_step_f32_ref', family: 'rnn',
    args: ['batch', 'hidden', 'gi', 'ldgi', 'h', 'ldh', 'c', 'ldc', 'whh', 'ldw', 'hout', 'ldo', 'cout', 'ldco', 'bhh'], ref: null },
  /** Floats of scratch gru_step_f32 (gates 3) / lstm_step_f32 (gates 4) need for `batch` rows (gates·8 for one row). */
  { name: 'rnn_step_scratch_size_f32', family: 'rnn', args: ['batch', 'hidden', 'gates'], ref: null, returns: 'number' },
  /** y = sigmoid(x) = 1/(1 + e^-x) over n elements (max error in assembly/simd/math.ts); y may alias x. */
  { name: 'sigmoid_f32', family: 'rnn', args: UNARY_ARGS, ref: 'sigmoid_f32_ref' },
  { name: 'sigmoid_f32_ref', family: 'rnn', args: UNARY_ARGS, ref: null },
] as const;

/** The bench-only probe build (build/probes-{simd,relaxed}.wasm, assembly/probes/): never in the release build.
 *  Each call does iters·96 flops (12 chains x 4 lanes x (mul + add)) and returns a sum so nothing is elided. */
export const PROBES = [
  /** separate f32x4.mul + f32x4.add in both builds */
  { name: 'peak_mul_add_f32', family: 'probes', args: ['iters'], ref: null, returns: 'number' },
  /** madd: relaxed_madd (FMA) in the relaxed build, mul + add in the simd build */
  { name: 'peak_madd_f32', family: 'probes', args: ['iters'], ref: null, returns: 'number' },
] as const;

export type KernelFamily = 'runtime' | 'gemm' | 'softmax' | 'norm' | 'elementwise' | 'attention' | 'rnn' | 'probes';

/** One row of KERNELS or PROBES. */
export interface KernelEntry {
  readonly name: string;
  readonly family: KernelFamily;
  readonly args: readonly string[];
  /** The scalar reference this kernel is tested against (itself a row), or null. */
  readonly ref: string | null;
  /** 'number' for the size/query functions; the kernels return nothing. */
  readonly returns?: 'number';
}

type Fn<E> = E extends { readonly args: infer A extends readonly string[] }
  ? (...args: { -readonly [I in keyof A]: number }) => E extends { readonly returns: 'number' } ? number : void
  : never;
type Exports<T extends readonly KernelEntry[]> = { [E in T[number] as E['name']]: Fn<E> };

/** rt.exports: the functions of the table, typed from it, and the memory. */
export type KernelExports = Exports<typeof KERNELS> & { memory: WebAssembly.Memory };
/** The exports of the probe build. */
export type ProbeExports = Exports<typeof PROBES> & { memory: WebAssembly.Memory };

// the table must fit the entry shape (a compile-time check)
const _check: readonly KernelEntry[] = [...KERNELS, ...PROBES];
void _check;
