// Which build this is, read by the loader so rt.variant is true even for bytes handed to init({ wasm }).
// 1 = relaxed (relaxed-simd enabled at compile time), 0 = simd.
export function variant_id(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
