// Helpers shared by the module tests (attention / multihead / transformer): random parameters by PyTorch name,
// picking random options, error assertions that check names and numbers rather than wording, steady-state checks.
import assert from 'node:assert/strict';
import { uniform } from './util.ts';

export type Rand = () => number;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/**
 * Random parameters for a name -> shape table, scaled so activations stay O(1): matrices [out, in] ~ U(-a, a) with
 * a = √(3/in) (unit-variance outputs for unit-variance inputs), LayerNorm weights 1 ± 0.3, bias_k/bias_v ~ U(-1, 1),
 * other vectors (biases) ~ U(-0.3, 0.3).
 */
export function randomParams(r: Rand, shapes: Record<string, readonly number[]>): Record<string, Float32Array> {
  const sd: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const n = sizeOf(shape);
    if (shape.length === 2) {
      const a = Math.sqrt(3 / shape[1]);
      sd[name] = uniform(r, n, -a, a);
    } else if (/norm\d?\.weight$/.test(name)) {
      sd[name] = uniform(r, n, 0.7, 1.3);
    } else if (/bias_[kv]$/.test(name)) {
      sd[name] = uniform(r, n, -1, 1);
    } else {
      sd[name] = uniform(r, n, -0.3, 0.3);
    }
  }
  return sd;
}

/** Asserts `fn` throws an Error whose message matches every pattern (argument name, expected and received numbers). */
export function expectError(fn: () => unknown, patterns: readonly RegExp[], what: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `${what}: expected an error, none was thrown`);
  assert.ok(err instanceof Error, `${what}: expected an Error, got ${String(err)}`);
  for (const p of patterns) assert.match((err as Error).message, p, `${what}: message "${(err as Error).message}" should match ${p}`);
}

/** A regexp for a number standing on its own (not a digit of a longer number). */
export const num = (n: number): RegExp => new RegExp(`(^|[^0-9.])${n}([^0-9]|$)`);

/** A regexp for a shape spelled [a, b, c] / (a, b, c) / a x b x c / a*b*c, or just its element count. */
export function shapeOrSize(shape: readonly number[]): RegExp {
  const sep = '\\s*[,x×*]\\s*';
  return new RegExp(`${shape.join(sep)}|(^|[^0-9])${sizeOf(shape)}([^0-9]|$)`);
}

export type MaskIn = Uint8Array | Float32Array | { data: Uint8Array | Float32Array; shape: number[] };

/** A random mask of `shape`: bool with ~p masked, or float with ~p -Infinity and the rest uniform in [lo, hi). */
export function randomMask(r: Rand, shape: number[], bool: boolean, p: number, withShape: boolean, lo: number, hi: number): MaskIn {
  const n = sizeOf(shape);
  let data: Uint8Array | Float32Array;
  if (bool) {
    data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = r() < p ? 1 : 0;
  } else {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = r() < p ? -Infinity : lo + (hi - lo) * r();
  }
  return withShape ? { data, shape } : data;
}

/**
 * Steady state: after one warm-up call, `calls` more forwards leave the runtime's memory size and allocator usage
 * unchanged and give the same output every time.
 */
export function assertSteadyState(rt: { memoryStats(): { memoryBytes: number; bytesInUse: number } }, what: string,
                                  forward: () => Float32Array, calls = 10_000): void {
  forward();
  const before = rt.memoryStats();
  const first = forward();
  let last: Float32Array | null = null;
  for (let i = 0; i < calls; i++) last = forward();
  const after = rt.memoryStats();
  assert.equal(after.memoryBytes, before.memoryBytes, `${what}: memoryBytes unchanged`);
  assert.equal(after.bytesInUse, before.bytesInUse, `${what}: bytesInUse unchanged`);
  assert.deepEqual(last, first, `${what}: same output every time`);
}
