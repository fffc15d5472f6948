// Moving op operands in and out of the linear memory. A Tensor of this runtime is used in place (zero copy);
// a Float32Array is copied into scratch and the scratch freed after the call.
import { checkLength, failType, describeValue } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';

export type Operand = Float32Array | Tensor;

/** A pointer valid for the duration of one op call. */
export interface Borrowed {
  ptr: number;
  release(): void;
}

function checkTensor(rt: Runtime, where: string, name: string, x: Tensor): void {
  if (x.host !== rt) failType(where, `${name} is a Tensor of another runtime; tensors cannot move between runtimes`);
  if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
}

/** Checks an input operand (type, runtime, liveness, `expected` elements) without copying anything: ops check
 *  every operand before they borrow the first, so a bad argument never costs a copy. */
export function checkInput(rt: Runtime, where: string, name: string, x: unknown, expected: number, expr?: string): void {
  if (x instanceof Tensor) {
    checkTensor(rt, where, name, x);
    checkLength(where, name, x.size, expected, expr);
  } else if (x instanceof Float32Array) {
    checkLength(where, name, x.length, expected, expr);
  } else {
    failType(where, `${name} must be a Float32Array or a Tensor, got ${describeValue(x)}`);
  }
}

/** Checks the `out` operand (undefined = a new Float32Array). */
export function checkOutput(rt: Runtime, where: string, out: unknown, expected: number, expr?: string): void {
  if (out === undefined) return;
  checkInput(rt, where, 'out', out, expected, expr);
}

function overlaps(x: Tensor, out: unknown): boolean {
  return out instanceof Tensor && out.host === x.host && x.ptr < out.ptr + out.size * 4 && out.ptr < x.ptr + x.size * 4;
}

/**
 * Borrows an input operand of `expected` elements (`expr` explains the count in errors). A Tensor that shares memory
 * with the op's `out` Tensor is copied first, so the result is that of a copy; `inPlace` (kernels that read each
 * element before writing it) lets an input that is exactly `out` be used as it is.
 */
export function borrowInput(rt: Runtime, where: string, name: string, x: unknown, expected: number, expr?: string,
                            out?: unknown, inPlace = false): Borrowed {
  checkInput(rt, where, name, x, expected, expr);
  if (x instanceof Tensor) {
    const same = out instanceof Tensor && out.ptr === x.ptr && out.size === x.size;
    if (!overlaps(x, out) || (inPlace && same)) return { ptr: x.ptr, release() {} };
  }
  const ptr = rt.alloc(expected * 4, where);
  rt.f32(ptr, expected).set(x instanceof Tensor ? x.data : x as Float32Array);
  return { ptr, release: () => rt.free(ptr) };
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
  const ptr = rt.alloc(expected * 4, where);
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
