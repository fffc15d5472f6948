// Fused multiply-add chosen at compile time: the relaxed target (asconfig "relaxed", --enable relaxed-simd)
// gets f32x4.relaxed_madd (one FMA where the CPU has it), the plain simd target gets mul + add.
// One source, two binaries; the dead branch is removed by the compiler.

// a * b + c, lane-wise.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
