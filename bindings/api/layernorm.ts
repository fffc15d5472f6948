// rt.ops.layerNorm: torch.nn.LayerNorm over the last dim of x [rows, cols] (biased variance, eps inside the sqrt).
import { checkOptions, checkPositiveInt, describeValue, fail, failType } from '../errors.ts';
import { borrowInput, borrowOutput, checkInput, checkOutput, type Borrowed, type Operand } from './operand.ts';
import { layerNorm as layerNormRows } from '../ops/norm.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Tensor } from '../runtime/tensor.ts';

export interface LayerNormOptions {
  rows: number;
  cols: number;
  /** LayerNorm weight [cols] (default ones). */
  weight?: Operand;
  /** LayerNorm bias [cols] (default zeros). */
  bias?: Operand;
  /** Added to the variance inside the sqrt (default 1e-5, as PyTorch). */
  eps?: number;
  /** Where to write y [rows, cols] (may be x itself for in place); default a new Float32Array. */
  out?: Operand;
}

const OPTIONS = ['rows', 'cols', 'weight', 'bias', 'eps', 'out'] as const;
const W = 'layerNorm';

export function layerNorm(rt: Runtime, x: Operand, options: LayerNormOptions): Float32Array | Tensor {
  if (options === undefined || options === null) failType(W, 'options { rows, cols } are required');
  checkOptions(W, options, OPTIONS);
  const rows = checkPositiveInt(W, 'rows', options.rows);
  const cols = checkPositiveInt(W, 'cols', options.cols);
  const eps = options.eps === undefined ? 1e-5 : options.eps;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    fail(W, `eps must be a finite number >= 0, got ${describeValue(eps)}`);
  }
  const n = rows * cols, expr = `rows*cols = ${rows}*${cols}`;
  const hasW = options.weight !== undefined && options.weight !== null, hasB = options.bias !== undefined && options.bias !== null;
  checkInput(rt, W, 'x', x, n, expr);
  if (hasW) checkInput(rt, W, 'weight', options.weight, cols, 'cols');
  if (hasB) checkInput(rt, W, 'bias', options.bias, cols, 'cols');
  checkOutput(rt, W, options.out, n, expr);
  const held: Borrowed[] = [];
  try {
    const X = borrowInput(rt, W, 'x', x, n, expr, options.out, true); held.push(X);   // in place: out === x
    let g = 0, b = 0;
    if (hasW) {
      const G = borrowInput(rt, W, 'weight', options.weight, cols, 'cols', options.out); held.push(G); g = G.ptr;
    }
    if (hasB) {
      const B = borrowInput(rt, W, 'bias', options.bias, cols, 'cols', options.out); held.push(B); b = B.ptr;
    }
    const Y = borrowOutput(rt, W, options.out, n, expr); held.push(Y);
    layerNormRows(rt, { rows, cols, x: X.ptr, ldx: cols, y: Y.ptr, ldy: cols, weight: g, bias: b, eps });
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}
