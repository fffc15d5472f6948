// rt.ops.gelu / rt.ops.relu: elementwise activations over any number of elements (the shape is the caller's).
import { checkEnum, checkOptions, describeValue, failType } from '../errors.ts';
import { borrowInput, borrowOutput, type Borrowed, type Operand } from '../operand.ts';
import type { Runtime } from '../runtime.ts';
import { Tensor } from '../tensor.ts';
import { checkOverlap } from './aliasing.ts';

export interface GeluOptions {
  /** 'none' (default): 0.5x(1 + erf(x/√2)); 'tanh': 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), as torch. */
  approximate?: 'none' | 'tanh';
  /** Where to write y (same size as x; may be x itself); default a new Float32Array. */
  out?: Operand;
}

export interface ReluOptions {
  out?: Operand;
}

function size(where: string, x: unknown): number {
  if (x instanceof Tensor) return x.size;
  if (x instanceof Float32Array) return x.length;
  failType(where, `x must be a Float32Array or a Tensor, got ${describeValue(x)}`);
}

function unary(rt: Runtime, where: string, x: Operand, out: Operand | undefined,
               kernel: (x: number, y: number, n: number) => void): Float32Array | Tensor {
  const n = size(where, x);
  checkOverlap(where, out, [['x', x]], ['x']);
  const held: Borrowed[] = [];
  try {
    const X = borrowInput(rt, where, 'x', x, n); held.push(X);
    const Y = borrowOutput(rt, where, out, n, 'x.length'); held.push(Y);
    kernel(X.ptr, Y.ptr, n);
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}

export function gelu(rt: Runtime, x: Operand, options: GeluOptions = {}): Float32Array | Tensor {
  checkOptions('gelu', options, ['approximate', 'out']);
  const approx = options.approximate === undefined ? 'none' : checkEnum('gelu', 'approximate', options.approximate, ['none', 'tanh'] as const);
  const k = rt.exports;
  return unary(rt, 'gelu', x, options.out, approx === 'tanh' ? (a, b, n) => k.gelu_tanh_f32(n, a, b) : (a, b, n) => k.gelu_f32(n, a, b));
}

export function relu(rt: Runtime, x: Operand, options: ReluOptions = {}): Float32Array | Tensor {
  checkOptions('relu', options, ['out']);
  const k = rt.exports;
  return unary(rt, 'relu', x, options.out, (a, b, n) => k.relu_f32(n, a, b));
}
