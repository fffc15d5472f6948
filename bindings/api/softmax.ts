// rt.ops.softmax: row softmax of x [rows, cols] with optional scale, additive / boolean mask, causal mask and
// d2l valid lengths, in one kernel call (softmax_rows_f32). Rows whose every score is masked give zeros.
import { checkBoolean, checkFinite, checkOptions, checkPositiveInt, describeValue, fail, failType } from '../errors.ts';
import { borrowInput, borrowOutput, checkInput, checkOutput, type Borrowed, type Operand } from './operand.ts';
import { uploadI32, uploadU8 } from '../ops/memory.ts';
import { softmaxRows } from '../ops/softmax.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';

export interface SoftmaxOptions {
  rows: number;
  cols: number;
  /** Scores are x*scale (default 1). */
  scale?: number;
  /** Float32Array / Tensor: added to the scores; Uint8Array: boolean, nonzero = not allowed (PyTorch MHA).
   *  [rows, cols], or [cols] broadcast to every row. */
  mask?: Operand | Uint8Array;
  /** Mask j > i (query i may not see later keys; upper-left aligned as SDPA is_causal). */
  causal?: boolean;
  /** Per row count of leading valid columns (d2l masked_softmax: the rest is REPLACED by -1e6, so 0 gives a
   *  uniform row). Int32Array or number[] of length rows; values > cols mean no masking. */
  validLens?: Int32Array | readonly number[];
  /** Where to write y [rows, cols] (may be x itself for in place); default a new Float32Array. */
  out?: Operand;
}

const OPTIONS = ['rows', 'cols', 'scale', 'mask', 'causal', 'validLens', 'out'] as const;
const W = 'softmax';

export function softmax(rt: Runtime, x: Operand, options: SoftmaxOptions): Float32Array | Tensor {
  if (options === undefined || options === null) failType(W, 'options { rows, cols } are required');
  checkOptions(W, options, OPTIONS);
  const rows = checkPositiveInt(W, 'rows', options.rows);
  const cols = checkPositiveInt(W, 'cols', options.cols);
  const scale = options.scale === undefined ? 1 : checkFinite(W, 'scale', options.scale);
  const causal = options.causal === undefined ? false : checkBoolean(W, 'causal', options.causal);
  const n = rows * cols, expr = `rows*cols = ${rows}*${cols}`;
  // every argument checked before anything is copied
  checkInput(rt, W, 'x', x, n, expr);
  const mask = options.mask;
  let maskLen = 0;
  if (mask instanceof Uint8Array) {
    maskLen = mask.length;
  } else if (mask !== undefined && mask !== null) {
    if (!(mask instanceof Float32Array) && !(mask instanceof Tensor)) {
      failType(W, `mask must be a Float32Array or Tensor (added) or a Uint8Array (boolean), got ${describeValue(mask)}`);
    }
    maskLen = mask instanceof Tensor ? mask.size : mask.length;
    checkInput(rt, W, 'mask', mask, maskLen);
  }
  const maskLd = mask !== undefined && mask !== null ? maskStride(maskLen, rows, cols) : 0;
  const lens = options.validLens !== undefined && options.validLens !== null ? checkLens(options.validLens, rows) : null;
  checkOutput(rt, W, options.out, n, expr);
  const held: Borrowed[] = [];
  try {
    const X = borrowInput(rt, W, 'x', x, n, expr, options.out, true); held.push(X);   // in place: out === x
    let maskPtr = 0, ldm = 0, bmaskPtr = 0, ldbm = 0, lensPtr = 0;
    if (mask instanceof Uint8Array) {
      ldbm = maskLd;
      bmaskPtr = rt.alloc(mask.length, W);
      held.push({ ptr: bmaskPtr, release: () => rt.free(bmaskPtr) });
      uploadU8(rt, bmaskPtr, mask);
    } else if (mask !== undefined && mask !== null) {
      ldm = maskLd;
      const M = borrowInput(rt, W, 'mask', mask, maskLen, undefined, options.out); held.push(M);
      maskPtr = M.ptr;
    }
    if (lens) {
      lensPtr = rt.alloc(rows * 4, W);
      held.push({ ptr: lensPtr, release: () => rt.free(lensPtr) });
      uploadI32(rt, lensPtr, lens);
    }
    const Y = borrowOutput(rt, W, options.out, n, expr); held.push(Y);
    softmaxRows(rt, { rows, cols, x: X.ptr, ldx: cols, y: Y.ptr, ldy: cols, scale, mask: maskPtr, ldm, bmask: bmaskPtr, ldbm, lens: lensPtr, causal });
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}

// A mask of rows*cols elements has row stride cols; one of cols elements is broadcast (stride 0).
function maskStride(len: number, rows: number, cols: number): number {
  if (len === rows * cols) return cols;
  if (len === cols) return 0;
  fail(W, `mask must have rows*cols = ${rows}*${cols} = ${rows * cols} elements (or cols = ${cols} to broadcast), got ${len}`);
}

function checkLens(v: unknown, rows: number): Int32Array {
  if (!(v instanceof Int32Array) && !Array.isArray(v)) {
    failType(W, `validLens must be an Int32Array or an array of numbers, got ${describeValue(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== rows) fail(W, `validLens must have rows = ${rows} elements, got ${a.length}`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = a[i];
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0) {
      fail(W, `validLens[${i}] must be a non-negative integer, got ${describeValue(l)}`);
    }
    out[i] = Math.min(l, 0x7fffffff);
  }
  return out;
}
