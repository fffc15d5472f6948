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

// One chain step: separate mul + add (fused = false) or madd (fused = true; a constant at each inlined use).
@inline function step(a: v128, x: v128, y: v128, fused: bool): v128 {
  return fused ? madd(a, x, y) : f32x4.add(f32x4.mul(a, x), y);
}

// The probe loop, written once for both probes.
@inline function chains(iters: i32, fused: bool): f32 {
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
    a0 = step(a0, x, y, fused); a1 = step(a1, x, y, fused); a2 = step(a2, x, y, fused); a3 = step(a3, x, y, fused);
    a4 = step(a4, x, y, fused); a5 = step(a5, x, y, fused); a6 = step(a6, x, y, fused); a7 = step(a7, x, y, fused);
    a8 = step(a8, x, y, fused); a9 = step(a9, x, y, fused); a10 = step(a10, x, y, fused); a11 = step(a11, x, y, fused);
  }
  // Sum all chains and lanes.
  let s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  s = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// iters * 96 flops of separate f32x4 mul + add.
export function peak_mul_add_f32(iters: i32): f32 {
  return chains(iters, false);
}

// iters * 96 flops of madd (fused in the relaxed build).
export function peak_madd_f32(iters: i32): f32 {
  return chains(iters, true);
}
