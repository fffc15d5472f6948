// The one source of random inputs for bench/ (suites and probes): deterministic, so every contestant of a case and
// every run of a probe sees the same values.

/** Uniform values in [-1, 1) from a mulberry32 stream seeded with `seed`. */
export function randomF32(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    x[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return x;
}

/**
 * Random weights by PyTorch name, one seed per tensor (seed, seed + 1, ...): matrices ~ U(-√(3/in), √(3/in)),
 * vectors ~ U(-0.3, 0.3), LayerNorm weights (`normN.weight`) ~ 1 ± 0.3.
 */
export function randomStateDict(shapes: Record<string, number[]>, seed: number): Record<string, Float32Array> {
  const sd: Record<string, Float32Array> = {};
  let s = seed;
  for (const [name, shape] of Object.entries(shapes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const u = randomF32(n, s++);
    const a = shape.length === 2 ? Math.sqrt(3 / shape[1]) : 0.3;
    sd[name] = u.map((v) => (/norm\d\.weight$/.test(name) ? 1 + 0.3 * v : a * v));
  }
  return sd;
}
