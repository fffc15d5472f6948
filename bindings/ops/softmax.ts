// Row softmax with the masks attention needs (kernel softmax_rows_f32). Pointer level: byte pointers, strides in
// elements; argument checks are the caller's (api/softmax.ts, nn/).
import type { Runtime } from '../runtime/runtime.ts';

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
  rt.exports.softmax_rows_f32(a.rows, a.cols, a.x, a.ldx, a.y, a.ldy, a.mask ?? 0, a.ldm ?? 0, a.bmask ?? 0, a.ldbm ?? 0,
    a.lens ?? 0, a.scale ?? 1, a.causal ? 1 : 0, a.causalOffset ?? 0);
}
