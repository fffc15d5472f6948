// torch.nn.LayerNorm over the last dim (kernel layernorm_f32): biased variance, eps inside the sqrt.
import type { Runtime } from '../runtime/runtime.ts';
import { upload } from './memory.ts';
import { SPLIT_MIN, addRanges, parallel, threadSlots } from './parallel.ts';

export interface LayerNormRows {
  rows: number; cols: number;
  x: number; ldx: number;
  y: number; ldy: number;   // y may be x (in place)
  /** 0 = none (ones), else weight[cols]. */
  weight?: number;
  /** 0 = none (zeros), else bias[cols]. */
  bias?: number;
  eps: number;
}

export function layerNorm(rt: Runtime, a: LayerNormRows): void {
  const w = a.weight ?? 0, b = a.bias ?? 0;
  const job = a.rows > 1 ? parallel(rt, a.rows * a.cols, SPLIT_MIN.rowElements) : null;
  if (job === null) {
    rt.exports.layernorm_f32(a.rows, a.cols, a.x, a.ldx, a.y, a.ldy, w, b, a.eps);
    return;
  }
  addRanges(job, 'layernorm_f32', a.rows, threadSlots(rt), 1, (r0, r1) =>
    [r1 - r0, a.cols, a.x + 4 * r0 * a.ldx, a.ldx, a.y + 4 * r0 * a.ldy, a.ldy, w, b, a.eps]).run();
}

/** A LayerNorm's parameters in wasm memory (weight [E], bias [E] or none), applied to contiguous rows. */
export class LayerNormParams {
  private constructor(private readonly rt: Runtime, private weight: number, private bias: number,
                      private readonly eps: number, readonly cols: number) {}

  /** Copies weight (and bias) in; allocates nothing if it fails. */
  static load(rt: Runtime, weight: Float32Array, bias: Float32Array | null, eps: number): LayerNormParams {
    const E = weight.length;
    const w = rt.alloc(E * 4);
    let b = 0;
    try {
      if (bias) b = rt.alloc(E * 4);
    } catch (e) {
      rt.free(w);
      throw e;
    }
    upload(rt, w, weight);
    if (bias) upload(rt, b, bias);
    return new LayerNormParams(rt, w, b, eps, E);
  }

  /** y[rows, cols] = LayerNorm(x[rows, cols]). */
  apply(x: number, y: number, rows: number): void {
    layerNorm(this.rt, { rows, cols: this.cols, x, ldx: this.cols, y, ldy: this.cols, weight: this.weight, bias: this.bias, eps: this.eps });
  }

  dispose(): void {
    if (this.weight) this.rt.free(this.weight);
    if (this.bias) this.rt.free(this.bias);
    this.weight = this.bias = 0;
  }
}
