// rt.ops.gelu / rt.ops.relu: elementwise activations over any number of elements (the shape is the caller's).
import { checkEnum, checkOptions, describeValue, failType } from '../errors.ts';
import { borrowInput, borrowOutput, checkInput, checkOutput, type Borrowed, type Operand } from './operand.ts';
import { unary, type Unary } from '../ops/elementwise.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';

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

function unaryOp(rt: Runtime, where: string, x: Operand, out: Operand | undefined, f: Unary): Float32Array | Tensor {
  const n = size(where, x);
  checkInput(rt, where, 'x', x, n);
  checkOutput(rt, where, out, n, 'x.length');
  const held: Borrowed[] = [];
  try {
    const X = borrowInput(rt, where, 'x', x, n, undefined, out, true); held.push(X);   // in place: out === x
    const Y = borrowOutput(rt, where, out, n, 'x.length'); held.push(Y);
    unary(rt, f, n, X.ptr, Y.ptr);
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}

export function gelu(rt: Runtime, x: Operand, options: GeluOptions = {}): Float32Array | Tensor {
  checkOptions('gelu', options, ['approximate', 'out']);
  const approx = options.approximate === undefined ? 'none' : checkEnum('gelu', 'approximate', options.approximate, ['none', 'tanh'] as const);
  return unaryOp(rt, 'gelu', x, options.out, approx === 'tanh' ? 'gelu_tanh' : 'gelu');
}

export function relu(rt: Runtime, x: Operand, options: ReluOptions = {}): Float32Array | Tensor {
  checkOptions('relu', options, ['out']);
  return unaryOp(rt, 'relu', x, options.out, 'relu');
}
