// Module inputs: a Tensor of the runtime (used in place) or { data: Float32Array, shape } (copied into a
// workspace buffer). Masks: Uint8Array (boolean, 1 = not allowed) or Float32Array (added), flat or with a shape.
import { describeValue, fail, failType, fmtShape } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { Tensor, type Lease } from '../runtime/tensor.ts';
import type { Workspace } from '../runtime/workspace.ts';

/** A tensor given as plain data. */
export interface ArrayInput {
  data: Float32Array;
  shape: readonly number[];
}
export type Input = Tensor | ArrayInput;

/** A staged input: where it is and its shape. */
export interface Staged {
  ptr: number;
  shape: readonly number[];
}

/** Shape of an input without staging it (for checks before any copy). */
export function shapeOf(where: string, name: string, x: unknown): readonly number[] {
  if (x instanceof Tensor) {
    if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
    return x.shape;
  }
  const a = x as ArrayInput;
  if (!a || typeof a !== 'object' || !Array.isArray(a.shape)) {
    failType(where, `${name} must be a Tensor or { data: Float32Array, shape: number[] }, got ${describeValue(x)}`);
  }
  if (!(a.data instanceof Float32Array)) failType(where, `${name}.data must be a Float32Array, got ${describeValue(a.data)}`);
  const size = a.shape.reduce((p, d) => p * d, 1);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(where, `${name}.shape ${JSON.stringify(a.shape)} must hold non-negative integers`);
  if (size !== a.data.length) fail(where, `${name} has ${a.data.length} values but shape ${fmtShape(a.shape)} needs ${size}`);
  return a.shape;
}

/** Checks that a Tensor input belongs to `rt` and is alive (before any work starts). */
export function checkTensorInput(rt: Runtime, where: string, name: string, x: unknown): void {
  if (!(x instanceof Tensor)) return;
  if (x.host !== rt) failType(where, `${name} is a Tensor of another runtime; tensors cannot move between runtimes`);
  if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
}

/**
 * Makes `x` available in wasm memory: a Tensor in place, plain data copied into workspace buffer `slot`. A Tensor
 * that is one of this module's own outputs (`own`: the lease of its last results) is copied into `slot` as well,
 * because the call is about to overwrite the buffers it lives in.
 */
export function stage(rt: Runtime, ws: Workspace, where: string, name: string, x: Input, slot: string, own: Lease | null = null): Staged {
  const shape = shapeOf(where, name, x);
  checkTensorInput(rt, where, name, x);
  if (x instanceof Tensor && (own === null || x.lease !== own)) return { ptr: x.ptr, shape };
  const n = x instanceof Tensor ? x.size : x.data.length;
  const ptr = ws.get(slot, n);   // may grow the memory: views are taken after it
  rt.f32(ptr, n).set(x instanceof Tensor ? x.data : x.data);
  return { ptr, shape };
}

/** Checks a rank and names the dims in the message, e.g. expectRank(..., 'query', s, [2, 3], '(L, E) or (L, N, E)'). */
export function expectRank(where: string, name: string, shape: readonly number[], ranks: readonly number[], spelled: string): void {
  if (!ranks.includes(shape.length)) fail(where, `${name} must be ${spelled}, got shape ${fmtShape(shape)}`);
}

export interface MaskInfo {
  kind: 'bool' | 'float';
  data: Uint8Array | Float32Array;
  shape: readonly number[] | null;
}
export type MaskInput = Uint8Array | Float32Array | { data: Uint8Array | Float32Array; shape: readonly number[] };

/** Validates a mask's type; the caller checks its length or shape against what it expects. */
export function readMask(where: string, name: string, m: unknown): MaskInfo | null {
  if (m === undefined || m === null) return null;
  if (m instanceof Tensor && m.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${m.deadReason()}`);
  let data: unknown = m, shape: readonly number[] | null = null;
  if (!ArrayBuffer.isView(m) && typeof m === 'object') {
    const o = m as { data?: unknown; shape?: unknown };
    if (!Array.isArray(o.shape)) failType(where, `${name} must be a Uint8Array (boolean, 1 = masked), a Float32Array (added) or { data, shape }, got ${describeValue(m)}`);
    data = o.data;
    shape = o.shape as number[];
  }
  if (data instanceof Uint8Array) return { kind: 'bool', data, shape };
  if (data instanceof Float32Array) return { kind: 'float', data, shape };
  failType(where, `${name} must be a Uint8Array (boolean, 1 = masked) or a Float32Array (added to the scores), got ${describeValue(data)}`);
}

/** Checks a mask against one of the allowed shapes; a flat mask is matched by its length. Returns the shape. */
export function matchMask(where: string, name: string, m: MaskInfo, allowed: readonly (readonly number[])[]): readonly number[] {
  const spelled = allowed.map(fmtShape).join(' or ');
  if (m.shape) {
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (size !== m.data.length) fail(where, `${name} has ${m.data.length} values but its shape ${fmtShape(m.shape)} needs ${size}`);
    const hit = allowed.find((s) => s.length === m.shape!.length && s.every((d, i) => d === m.shape![i]));
    if (!hit) fail(where, `${name} must have shape ${spelled}, got ${fmtShape(m.shape)}`);
    return hit;
  }
  const hit = allowed.find((s) => s.reduce((a, b) => a * b, 1) === m.data.length);
  if (!hit) fail(where, `${name} must have shape ${spelled} (${allowed.map((s) => s.reduce((a, b) => a * b, 1)).join(' or ')} values), got ${m.data.length} values`);
  return hit;
}
