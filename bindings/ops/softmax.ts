// Row softmax with the masks attention needs (kernel softmax_rows_f32). Pointer level: byte pointers, strides in
// elements; argument checks are the caller's (api/softmax.ts, nn/).
import type { Runtime } from '../runtime/runtime.ts';
import { SPLIT_MIN, addRanges, parallel, threadSlots } from './parallel.ts';

export interface SoftmaxRows {
  rows: number;
  cols: number;
  x: number; ldx: number;
  y: number; ldy: number;   // y may be x (in place, same stride)
  /** Scores are x·scale (default 1). */
  scale?: number;
  /** Added to the scores: f32 rows at mask + r·ldm (ldm 0: one row for all). */
  mask?: number; ldm?: number;
  /** Boolean, 1 = not allowed: u8 rows at bmask + r·ldbm bytes. */
  bmask?: number; ldbm?: number;
  /** d2l valid lengths: i32[rows]; scores at j >= lens[r] are replaced by -1e6. */
  lens?: number;
  /** Key j is hidden from row r when j > r + causalOffset. */
  causal?: boolean;
  causalOffset?: number;
}

/** y = softmax(scale·x + masks) over each row; fully masked rows give zeros. */
export function softmaxRows(rt: Runtime, a: SoftmaxRows): void {
  const mask = a.mask ?? 0, ldm = a.ldm ?? 0, bmask = a.bmask ?? 0, ldbm = a.ldbm ?? 0, lens = a.lens ?? 0;
  const scale = a.scale ?? 1, causal = a.causal ? 1 : 0, off = a.causalOffset ?? 0;
  const job = a.rows > 1 ? parallel(rt, a.rows * a.cols, SPLIT_MIN.rowElements) : null;
  if (job === null) {
    rt.exports.softmax_rows_f32(a.rows, a.cols, a.x, a.ldx, a.y, a.ldy, mask, ldm, bmask, ldbm, lens, scale, causal, off);
    return;
  }
  // row blocks: every row argument moves by r0 rows, the causal diagonal by r0
  addRanges(job, 'softmax_rows_f32', a.rows, threadSlots(rt), 1, (r0, r1) => [r1 - r0, a.cols, a.x + 4 * r0 * a.ldx, a.ldx,
    a.y + 4 * r0 * a.ldy, a.ldy, mask && ldm ? mask + 4 * r0 * ldm : mask, ldm, bmask && ldbm ? bmask + r0 * ldbm : bmask, ldbm,
    lens ? lens + 4 * r0 : 0, scale, causal, off + r0]).run();
}
