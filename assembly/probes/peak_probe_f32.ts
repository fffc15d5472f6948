// Bench-only build (asconfig targets probes-simd / probes-relaxed, entry assembly/probes/index.ts), not part of
// the release .wasm. FLOP-rate probes: how many f32 flops per second this engine's SIMD can do at best, for the "% of peak" column
// of the benchmarks (bench/suites/peak.ts). Not kernels: they read and write no memory.
//
// Both run 12 independent f32x4 dependency chains a = a*x + y (enough to cover a 4-5 cycle mul/add/FMA latency
// on two SIMD ports, and few enough to stay in the 16 xmm registers with x and y). Flop count, exactly:
//   one chain step = 4 lanes x (1 mul + 1 add) = 8 flops; one loop iteration = 12 steps = 96 flops;
//   a call does iters * 96 flops (PEAK_FLOPS_PER_ITER).
// peak_mul_add_f32 uses a separate f32x4.mul and f32x4.add in both builds (the simd build's peak);
// peak_madd_f32 uses `madd` (assembly/simd/madd.ts): one f32x4.relaxed_madd in the relaxed build (an FMA where
// the CPU has one), mul + add in the simd build, so there it measures the same as peak_mul_add_f32.
// x and y are loaded from memory before the loop, not v128 constants nor splats of a runtime value: V8 15
// rematerialises v128.const operands inside the loop at every use, and V8 11 sank the splat of a value computed
// from iters into the loop (bench/TUNING.md).
// x = 0.999..., y small: every chain converges to y/(1-x), so no overflow or denormals; the chains start from
// different values so no two can be merged, and the result sums every lane so nothing is optimised away.
import { madd } from '../simd/madd';

const PEAK_XY: usize = memory.data<f32>([0.9999999, 0.0000001]);

// Accumulators per probe and flops per loop iteration (= 12 * 4 lanes * 2).
export const PEAK_ACCUMULATORS: i32 = 12;
export const PEAK_FLOPS_PER_ITER: i32 = 96;

// iters * 96 flops of separate f32x4 mul + add.
export function peak_mul_add_f32(iters: i32): f32 {
  const x = v128.load32_splat(PEAK_XY), y = v128.load32_splat(PEAK_XY, 4);
  let a0 = f32x4(<f32>1.0, <f32>1.25, <f32>1.5, <f32>1.75);
  let a1 = f32x4(<f32>2.0, <f32>2.25, <f32>2.5, <f32>2.75);
  let a2 = f32x4(<f32>3.0, <f32>3.25, <f32>3.5, <f32>3.75);
  let a3 = f32x4(<f32>4.0, <f32>4.25, <f32>4.5, <f32>4.75);
  let a4 = f32x4(<f32>5.0, <f32>5.25, <f32>5.5, <f32>5.75);
  let a5 = f32x4(<f32>6.0, <f32>6.25, <f32>6.5, <f32>6.75);
  let a6 = f32x4(<f32>7.0, <f32>7.25, <f32>7.5, <f32>7.75);
  let a7 = f32x4(<f32>8.0, <f32>8.25, <f32>8.5, <f32>8.75);
  let a8 = f32x4(<f32>9.0, <f32>9.25, <f32>9.5, <f32>9.75);
  let a9 = f32x4(<f32>10.0, <f32>10.25, <f32>10.5, <f32>10.75);
  let a10 = f32x4(<f32>11.0, <f32>11.25, <f32>11.5, <f32>11.75);
  let a11 = f32x4(<f32>12.0, <f32>12.25, <f32>12.5, <f32>12.75);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, x), y);
    a1 = f32x4.add(f32x4.mul(a1, x), y);
    a2 = f32x4.add(f32x4.mul(a2, x), y);
    a3 = f32x4.add(f32x4.mul(a3, x), y);
    a4 = f32x4.add(f32x4.mul(a4, x), y);
    a5 = f32x4.add(f32x4.mul(a5, x), y);
    a6 = f32x4.add(f32x4.mul(a6, x), y);
    a7 = f32x4.add(f32x4.mul(a7, x), y);
    a8 = f32x4.add(f32x4.mul(a8, x), y);
    a9 = f32x4.add(f32x4.mul(a9, x), y);
    a10 = f32x4.add(f32x4.mul(a10, x), y);
    a11 = f32x4.add(f32x4.mul(a11, x), y);
  }
  // Sum all chains and lanes.
  let s = f32x4.add(a0, a1);
  s = f32x4.add(s, a2);
  s = f32x4.add(s, a3);
  s = f32x4.add(s, a4);
  s = f32x4.add(s, a5);
  s = f32x4.add(s, a6);
  s = f32x4.add(s, a7);
  s = f32x4.add(s, a8);
  s = f32x4.add(s, a9);
  s = f32x4.add(s, a10);
  s = f32x4.add(s, a11);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// iters * 96 flops of madd (fused in the relaxed build).
export function peak_madd_f32(iters: i32): f32 {
  const x = v128.load32_splat(PEAK_XY), y = v128.load32_splat(PEAK_XY, 4);
  let a0 = f32x4(<f32>1.0, <f32>1.25, <f32>1.5, <f32>1.75);
  let a1 = f32x4(<f32>2.0, <f32>2.25, <f32>2.5, <f32>2.75);
  let a2 = f32x4(<f32>3.0, <f32>3.25, <f32>3.5, <f32>3.75);
  let a3 = f32x4(<f32>4.0, <f32>4.25, <f32>4.5, <f32>4.75);
  let a4 = f32x4(<f32>5.0, <f32>5.25, <f32>5.5, <f32>5.75);
  let a5 = f32x4(<f32>6.0, <f32>6.25, <f32>6.5, <f32>6.75);
  let a6 = f32x4(<f32>7.0, <f32>7.25, <f32>7.5, <f32>7.75);
  let a7 = f32x4(<f32>8.0, <f32>8.25, <f32>8.5, <f32>8.75);
  let a8 = f32x4(<f32>9.0, <f32>9.25, <f32>9.5, <f32>9.75);
  let a9 = f32x4(<f32>10.0, <f32>10.25, <f32>10.5, <f32>10.75);
  let a10 = f32x4(<f32>11.0, <f32>11.25, <f32>11.5, <f32>11.75);
  let a11 = f32x4(<f32>12.0, <f32>12.25, <f32>12.5, <f32>12.75);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, x, y);
    a1 = madd(a1, x, y);
    a2 = madd(a2, x, y);
    a3 = madd(a3, x, y);
    a4 = madd(a4, x, y);
    a5 = madd(a5, x, y);
    a6 = madd(a6, x, y);
    a7 = madd(a7, x, y);
    a8 = madd(a8, x, y);
    a9 = madd(a9, x, y);
    a10 = madd(a10, x, y);
    a11 = madd(a11, x, y);
  }
  // Sum all chains and lanes.
  let s = f32x4.add(a0, a1);
  s = f32x4.add(s, a2);
  s = f32x4.add(s, a3);
  s = f32x4.add(s, a4);
  s = f32x4.add(s, a5);
  s = f32x4.add(s, a6);
  s = f32x4.add(s, a7);
  s = f32x4.add(s, a8);
  s = f32x4.add(s, a9);
  s = f32x4.add(s, a10);
  s = f32x4.add(s, a11);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
