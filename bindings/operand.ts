// Moving op operands in and out of the linear memory. A Tensor of this runtime is used in place (zero copy);
// a Float32Array is copied into scratch and the scratch freed after the call.
import { checkLength, failType, describeValue } from './errors.ts';
import type { Runtime } from './runtime.ts';
import { Tensor } from './tensor.ts';

export type Operand = Float32Array | Tensor;

/** A pointer valid for the duration of one op call. */
export interface Borrowed {
  ptr: number;
  release(): void;
}

function checkTensor(rt: Runtime, where: string, name: string, x: Tensor): void {
  if (x.host !== rt) failType(where, `${name} is a Tensor of another runtime; tensors cannot move between runtimes`);
  if (x.disposed) failType(where, `${name} is a Tensor that was disposed`);
}

/** Borrows an input operand of `expected` elements (`expr` explains the count in errors). */
export function borrowInput(rt: Runtime, where: string, name: string, x: unknown, expected: number, expr?: string): Borrowed {
  if (x instanceof Tensor) {
    checkTensor(rt, where, name, x);
    checkLength(where, name, x.size, expected, expr);
    return { ptr: x.ptr, release() {} };
  }
  if (x instanceof Float32Array) {
    checkLength(where, name, x.length, expected, expr);
    const ptr = rt.alloc(expected * 4);
    rt.f32(ptr, expected).set(x);
    return { ptr, release: () => rt.free(ptr) };
  }
  failType(where, `${name} must be a Float32Array or a Tensor, got ${describeValue(x)}`);
}

/** Where an op writes its result; `finish()` copies out if needed and returns what the op returns. */
export interface OutputTarget<R> {
  ptr: number;
  finish(): R;
  release(): void;
}

/** The output of `expected` elements: `out` (Tensor: in place; Float32Array: copied into) or a new Float32Array. */
export function borrowOutput(rt: Runtime, where: string, out: unknown, expected: number, expr?: string): OutputTarget<Float32Array | Tensor> {
  if (out instanceof Tensor) {
    checkTensor(rt, where, 'out', out);
    checkLength(where, 'out', out.size, expected, expr);
    return { ptr: out.ptr, finish: () => out, release() {} };
  }
  if (out !== undefined && !(out instanceof Float32Array)) {
    failType(where, `out must be a Float32Array or a Tensor, got ${describeValue(out)}`);
  }
  if (out instanceof Float32Array) checkLength(where, 'out', out.length, expected, expr);
  const ptr = rt.alloc(expected * 4);
  return {
    ptr,
    finish() {
      const view = rt.f32(ptr, expected);
      if (out instanceof Float32Array) { out.set(view); return out; }
      return view.slice();
    },
    release: () => rt.free(ptr),
  };
}
