// Batched matrix products with broadcast batch dims (numpy / tf.matMul rules), bias and relu fused into the store:
// C_i = A_{ai(i)}·B_{bi(i)} (or ·B_{bi(i)}ᵀ) (+ bias[n]) (act) for every output batch item i. Pointer level, on the
// GEMM entries gemm_f32 / gemm_f32_trans_b (bindings/ops/gemm.ts); used by the tfjs adapter (bindings/adapters/).
import type { Runtime } from '../runtime/runtime.ts';
import { gemm, gemmScratchFloats, type Act } from './gemm.ts';

/** The broadcast of two batch shapes (the dims before the last two), with the A and B item of each output item. */
export interface BatchBroadcast {
  /** Output batch shape. */
  shape: number[];
  /** Number of output items (product of `shape`). */
  batch: number;
  /** For output item i, the item of A (row-major over A's batch shape) and of B it reads. */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/** numpy broadcasting of batch shapes `sa` and `sb` (right-aligned, a dim of 1 repeats), or null when they do not
 *  broadcast. */
export function broadcastBatch(sa: readonly number[], sb: readonly number[]): BatchBroadcast | null {
  const rank = Math.max(sa.length, sb.length);
  const shape: number[] = [];
  const da: number[] = [], db: number[] = [];
  for (let d = 0; d < rank; d++) {
    const x = sa[d - (rank - sa.length)] ?? 1, y = sb[d - (rank - sb.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    shape.push(x === 1 ? y : x);
    da.push(x);
    db.push(y);
  }
  const batch = shape.reduce((p, v) => p * v, 1);
  const aIndex = new Int32Array(batch), bIndex = new Int32Array(batch);
  // strides of A's and B's items over the output dims (0 where the dim is broadcast)
  const stA = new Array<number>(rank).fill(0), stB = new Array<number>(rank).fill(0);
  for (let d = rank - 1, pa = 1, pb = 1; d >= 0; d--) {
    if (da[d] !== 1) stA[d] = pa;
    if (db[d] !== 1) stB[d] = pb;
    pa *= da[d];
    pb *= db[d];
  }
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < batch; i++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < rank; d++) { ia += idx[d] * stA[d]; ib += idx[d] * stB[d]; }
    aIndex[i] = ia;
    bIndex[i] = ib;
    for (let d = rank - 1; d >= 0; d--) {   // next multi-index
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, batch, aIndex, bIndex };
}

export interface BatchGemm {
  m: number; n: number; k: number;
  /** Output items; C is [batch, m, n] contiguous at c. */
  batch: number;
  /** A items [m, k] contiguous one after another at a; item aIndex[i] is read for output i. */
  a: number; aIndex: ArrayLike<number>;
  /** B items [k, n] (or [n, k] with transposeB) contiguous at b; item bIndex[i] for output i. */
  b: number; bIndex: ArrayLike<number>;
  transposeB?: boolean;
  c: number;
  /** 0 = none, else bias[n] added to every row. */
  bias?: number;
  act?: Act;
  /** batchGemmScratchFloats(...) floats. */
  scratch: number;
}

/** True when the whole batch is one product of batch·m rows: every item reads the same B and A item i. */
function foldable(g: { batch: number; aIndex: ArrayLike<number>; bIndex: ArrayLike<number> }): boolean {
  if (g.batch <= 1) return false;
  for (let i = 0; i < g.batch; i++) if (g.aIndex[i] !== i || g.bIndex[i] !== g.bIndex[0]) return false;
  return true;
}

/** Floats of scratch batchGemm needs. */
export function batchGemmScratchFloats(rt: Runtime, g: Pick<BatchGemm, 'm' | 'n' | 'k' | 'batch' | 'aIndex' | 'bIndex'>): number {
  return gemmScratchFloats(rt, foldable(g) ? g.batch * g.m : g.m, g.n, g.k);
}

/** The batched product (C must not overlap A, B or bias). A batch whose items share one B and read A in order is
 *  run as one product of batch·m rows (a Linear over a batch of sequences). */
export function batchGemm(rt: Runtime, g: BatchGemm): void {
  const { m, n, k } = g;
  const tb = !!g.transposeB;
  const ldb = tb ? k : n;
  if (foldable(g)) {
    gemm(rt, { m: g.batch * m, n, k, a: g.a, lda: k, b: g.b + g.bIndex[0] * k * n * 4, ldb, transposeB: tb,
      c: g.c, ldc: n, bias: g.bias, act: g.act, scratch: g.scratch });
    return;
  }
  for (let i = 0; i < g.batch; i++) {
    gemm(rt, { m, n, k, a: g.a + g.aIndex[i] * m * k * 4, lda: k, b: g.b + g.bIndex[i] * k * n * 4, ldb, transposeB: tb,
      c: g.c + i * m * n * 4, ldc: n, bias: g.bias, act: g.act, scratch: g.scratch });
  }
}
