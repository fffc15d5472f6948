// wasm-attention kernels: one export per file, file name = export name.
// Pointers are byte offsets into the one linear memory, sizes and strides are in elements.
export { heap_base } from './heap_base';
export { variant_id } from './variant_id';
export { relu_f32, relu_f32_ref } from './relu_f32';
// benchmark probes
export { peak_mul_add_f32, peak_madd_f32 } from './peak_probe_f32';
