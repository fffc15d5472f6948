// Helpers for the elementwise / softmax / norm kernel specs: deterministic data, guard bands, tolerant compare.
export const GUARD: f32 = 12345.5;

// Floats in [-amp, amp) from a fixed LCG, so failures reproduce.
export function fill(p: usize, n: i32, seed: u32, amp: f32): void {
  let s = seed * 2654435761 + 12345;
  for (let i = 0; i < n; i++) {
    s = s * 1664525 + 1013904223;
    store<f32>(p + (<usize>i << 2), (<f32>(s >>> 8) / <f32>16777216.0 * 2 - 1) * amp);
  }
}

export function fillValue(p: usize, n: i32, v: f32): void {
  for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), v);
}

// Equal within atol + rtol·|want|; NaN matches NaN, infinities must match exactly.
export function close(got: f32, want: f32, atol: f64, rtol: f64): bool {
  if (want != want) return got != got;
  if (got != got) return false;
  if (want == Infinity || want == -Infinity || got == Infinity || got == -Infinity) return got == want;
  return Math.abs(<f64>got - <f64>want) <= atol + rtol * Math.abs(<f64>want);
}

// Buffer of n floats plus `pad` guard floats after it (16-byte aligned by heap.alloc).
export function buf(n: i32, pad: i32 = 8): usize {
  const p = heap.alloc(<usize>(n + pad) << 2);
  fillValue(p, n + pad, GUARD);
  return p;
}

export function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

export function set(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

export const SIZES: i32[] = [1, 3, 4, 5, 7, 13, 67, 131, 1024, 2048];

export function isNegZero(v: f32): bool {
  return v == 0 && (reinterpret<u32>(v) >>> 31) == 1;
}
