// Elementwise kernels over n contiguous elements (exp_f32, tanh_f32, relu_f32, gelu_f32, gelu_tanh_f32, add_f32).
// The output may be an input (in place).
import type { KernelName } from '../runtime/pool.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { SPLIT_MIN, addRanges, parallel, threadSlots } from './parallel.ts';

export type Unary = 'relu' | 'gelu' | 'gelu_tanh' | 'exp' | 'tanh';

// Element ranges on the pool (starts at multiples of 16 elements, so only the last range has a vector tail);
// `ptrs` are the byte pointers of the call, each moved by the range start. False: too small, run in line.
export function splitElements(rt: Runtime, fn: KernelName, n: number, ptrs: number[]): boolean {
  const job = parallel(rt, n, fn === 'relu_f32' || fn === 'add_f32' ? SPLIT_MIN.cheapElements : SPLIT_MIN.mathElements);
  if (job === null) return false;
  addRanges(job, fn, n, threadSlots(rt), 16, (i0, i1) => [i1 - i0, ...ptrs.map((p) => p + 4 * i0)]).run();
  return true;
}

/** y = f(x) over n elements. */
export function unary(rt: Runtime, f: Unary, n: number, x: number, y: number): void {
  if (splitElements(rt, `${f}_f32`, n, [x, y])) return;
  const k = rt.exports;
  switch (f) {
    case 'relu': k.relu_f32(n, x, y); break;
    case 'gelu': k.gelu_f32(n, x, y); break;
    case 'gelu_tanh': k.gelu_tanh_f32(n, x, y); break;
    case 'exp': k.exp_f32(n, x, y); break;
    case 'tanh': k.tanh_f32(n, x, y); break;
  }
}

/** y = a + b over n elements (residual connections). */
export function add(rt: Runtime, n: number, a: number, b: number, y: number): void {
  if (splitElements(rt, 'add_f32', n, [a, b, y])) return;
  rt.exports.add_f32(n, a, b, y);
}
