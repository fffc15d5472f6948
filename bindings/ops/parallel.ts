// How the ops split a call over the threads of init({ threads }) (bindings/runtime/pool.ts). Every split is over
// outputs (column panels or row blocks of a product, (batch, head) slices of attention, rows of softmax and
// LayerNorm, element ranges), never over a sum, and each kernel computes a sub-range bit for bit as it computes
// the whole (assembly/README.md), so the result does not depend on the thread count.
//
// Scratch: each thread needs its own. The *ScratchFloats functions of the ops return `threads` slots of one
// thread's need (each rounded to 16 bytes); a call passes the first slot and the pool moves it by one slot per
// thread (the `local` arguments of Job.call).
import type { Job, KernelName } from '../runtime/pool.ts';
import type { Runtime } from '../runtime/runtime.ts';

// Below these sizes a call stays on the calling thread: publishing a job and waking a worker costs 2-5 µs, so a
// call must take several µs on one thread to gain. Crossovers on 2 threads (bench/probes/threads.ts, bench/TUNING.md):
// products ~130K-500K multiply-adds, one-row products ~130K-260K, softmax and LayerNorm ~8K elements, GELU ~4K,
// relu/add ~32K-64K; the sizes below sit at the upper end, where splitting never lost.
export const SPLIT_MIN = {
  /** Multiply-adds of a product (m·n·k), also of one-row products (memory-bound: two cores read faster). */
  gemmMacs: 1 << 18,
  /** Elements of a row-wise call (softmax, LayerNorm). */
  rowElements: 1 << 13,
  /** Elements of a transcendental elementwise call (GELU, exp, tanh). */
  mathElements: 1 << 12,
  /** Elements of a cheap elementwise call (relu, add). */
  cheapElements: 1 << 16,
};

/** Threads scratch slots are reserved for: rt.threads.count. */
export function threadSlots(rt: Runtime): number {
  return rt.pool ? rt.pool.size : 1;
}

/** One thread's `floats` rounded up to 16 bytes, times the slots; 0 stays 0. */
export function slotted(rt: Runtime, floats: number): number {
  if (floats <= 0) return floats;
  const slots = threadSlots(rt);
  return slots === 1 ? floats : slots * slotFloats(floats);
}

/** Floats of one slot for a per-thread need of `floats`. */
export function slotFloats(floats: number): number {
  return Math.ceil(floats / 4) * 4;
}

/** The job for a call of `work` units (at least `min`), or null: run it on this thread as one call. */
export function parallel(rt: Runtime, work: number, min: number, localStride = 0): Job | null {
  const pool = rt.pool;
  if (pool === null || work < min) return null;
  return pool.job(localStride, rt.journal.where);
}

/** Splits [0, n) into `parts` ranges whose starts are multiples of `align` (fewer when n is small); returns the
 *  boundaries (length = ranges + 1). */
export function ranges(n: number, parts: number, align: number): number[] {
  const units = Math.ceil(n / align);
  const p = Math.max(1, Math.min(parts, units));
  const out = [0];
  for (let i = 1; i < p; i++) out.push(Math.min(n, Math.round((units * i) / p) * align));
  out.push(n);
  return out;
}

/** Adds a task per range of [0, n) (`ranges(n, parts, align)`): `fn` with `args(r0, r1)` and thread-local arguments
 *  `local` (Job.call). */
export function addRanges(job: Job, fn: KernelName, n: number, parts: number, align: number,
                          args: (r0: number, r1: number) => number[], local = 0): Job {
  const rs = ranges(n, parts, align);
  for (let i = 0; i + 1 < rs.length; i++) job.task().call(fn, args(rs[i], rs[i + 1]), local);
  return job;
}
