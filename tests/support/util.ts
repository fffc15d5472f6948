// Shared test helpers: both builds, a seeded RNG and uniform data, guarded buffers and tolerant comparisons.
import assert from 'node:assert/strict';
import { init, type Runtime } from '../../bindings/index.ts';

export const VARIANTS = ['simd', 'relaxed'] as const;

const cache = new Map<string, Promise<Runtime>>();
/** One runtime per build, shared by the tests of a file. */
export function runtime(variant: 'simd' | 'relaxed'): Promise<Runtime> {
  let rt = cache.get(variant);
  if (!rt) { rt = init({ variant }); cache.set(variant, rt); }
  return rt;
}

/** Deterministic uniform RNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32 values uniform in [lo, hi) (every test's random data; none needs normal values). */
export function uniform(r: () => number, n: number, lo = -1, hi = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * r();
  return x;
}

export const GUARD = 1234.5678;
const GUARD_LEN = 8;

/** A buffer in wasm memory with `len` elements preceded and followed by guard floats. */
export class Guarded {
  readonly ptr: number;       // first element
  private readonly base: number;
  constructor(private readonly rt: Runtime, readonly len: number, init?: ArrayLike<number>) {
    this.base = rt.alloc((len + 2 * GUARD_LEN) * 4);
    this.ptr = this.base + GUARD_LEN * 4;
    rt.f32(this.base, len + 2 * GUARD_LEN).fill(GUARD);
    if (init) rt.f32(this.ptr, len).set(init);
  }
  get data(): Float32Array { return this.rt.f32(this.ptr, this.len); }
  /** Asserts the guard floats around the buffer are untouched. */
  checkGuards(what: string): void {
    const all = this.rt.f32(this.base, this.len + 2 * GUARD_LEN);
    for (let i = 0; i < GUARD_LEN; i++) {
      assert.equal(all[i], Math.fround(GUARD), `${what}: wrote before its output (guard ${i})`);
      assert.equal(all[GUARD_LEN + this.len + i], Math.fround(GUARD), `${what}: wrote past its output (guard ${i})`);
    }
  }
  free(): void { this.rt.free(this.base); }
}

/** Asserts |a-b| <= atol + rtol*|b| elementwise; NaN must match NaN, ±Inf must match exactly. */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length ${a.length} != ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (Number.isNaN(y)) { assert.ok(Number.isNaN(x), `${what}[${i}]: expected NaN, got ${x}`); continue; }
    if (!Number.isFinite(y)) { assert.equal(x, y, `${what}[${i}]: expected ${y}, got ${x}`); continue; }
    const err = Math.abs(x - y);
    if (!(err <= atol + rtol * Math.abs(y))) {
      assert.fail(`${what}[${i}]: got ${x}, expected ${y} (|diff| ${err.toExponential(3)} > ${atol} + ${rtol}*|expected|)`);
    }
  }
}

/** Asserts |got - want| <= tol elementwise, with a per-element tolerance (e.g. the GEMM bound of reference/matmulBound). */
export function assertWithin(got: ArrayLike<number>, ref: { want: ArrayLike<number>; tol: ArrayLike<number> }, what: string): void {
  assert.equal(got.length, ref.want.length, `${what}: length ${got.length} != ${ref.want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - ref.want[i]) <= ref.tol[i])) {
      assert.fail(`${what}[${i}]: got ${got[i]}, expected ${ref.want[i]} ± ${Number(ref.tol[i]).toExponential(2)}`);
    }
  }
}
