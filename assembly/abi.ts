// ABI constants shared by kernels and bindings (assembly/README.md), and the two runtime exports.

// `act` argument of the GEMM entries: the activation fused into the store.
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;   // max(x, 0); NaN stays NaN (torch.relu)

// First byte the JS allocator may hand out: everything below belongs to static data.
export function heap_base(): usize {
  return __heap_base;
}

// Which build this is, read by the loader so rt.variant is true even for bytes handed to init({ wasm }).
// 1 = relaxed (relaxed-simd enabled at compile time), 0 = simd.
export function variant_id(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
