// wasm-attention kernels: one export per file, file name = export name.
// Pointers are byte offsets into the one linear memory, sizes and strides are in elements.
export { heap_base } from './heap_base';
export { variant_id } from './variant_id';
export { relu_f32, relu_f32_ref } from './relu_f32';
// elementwise, softmax, norms
export { softmax_rows_f32, softmax_rows_f32_ref } from './softmax_rows_f32';
export { additive_scores_f32, additive_scores_f32_ref } from './additive_scores_f32';
export { exp_f32, exp_f32_ref } from './exp_f32';
export { tanh_f32, tanh_f32_ref } from './tanh_f32';
export { gelu_f32, gelu_f32_ref } from './gelu_f32';
export { gelu_tanh_f32, gelu_tanh_f32_ref } from './gelu_tanh_f32';
export { add_f32, add_f32_ref } from './add_f32';
export { layernorm_f32, layernorm_f32_ref } from './layernorm_f32';
// benchmark probes
export { peak_mul_add_f32, peak_madd_f32 } from './peak_probe_f32';
// GEMM
export { gemm_f32 } from './gemm_f32';
export { gemm_f32_bt } from './gemm_f32_bt';
export { gemm_f32_batched } from './gemm_f32_batched';
export { packed_b_size_f32, pack_b_f32 } from './pack_b_f32';
export { gemm_f32_packed_b } from './gemm_f32_packed_b';
export { gemm_f32_ref } from './gemm_f32_ref';
