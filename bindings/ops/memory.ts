// Moving data within the linear memory and between it and JavaScript, by byte pointer.
import type { Runtime } from '../runtime/runtime.ts';

/** Copies n floats from src to dst (overlap allowed). */
export function copy(rt: Runtime, n: number, src: number, dst: number): void {
  if (n > 0 && src !== dst) rt.f32(dst, n).set(rt.f32(src, n));
}

/** Writes `data` at ptr. */
export function upload(rt: Runtime, ptr: number, data: ArrayLike<number>): void {
  rt.f32(ptr, data.length).set(data);
}

/** Writes i32 `data` at ptr. */
export function uploadI32(rt: Runtime, ptr: number, data: ArrayLike<number>): void {
  new Int32Array(rt.memory.buffer, ptr, data.length).set(data);
}

/** Writes u8 `data` at ptr. */
export function uploadU8(rt: Runtime, ptr: number, data: ArrayLike<number>): void {
  new Uint8Array(rt.memory.buffer, ptr, data.length).set(data);
}

/** Sets n floats at ptr to v. */
export function fill(rt: Runtime, n: number, ptr: number, v: number): void {
  rt.f32(ptr, n).fill(v);
}

/** Divides n floats at ptr by d. */
export function divide(rt: Runtime, n: number, ptr: number, d: number): void {
  const x = rt.f32(ptr, n);
  for (let i = 0; i < n; i++) x[i] /= d;
}
