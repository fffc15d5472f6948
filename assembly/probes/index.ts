// The bench-only build: build/probes-simd.wasm and build/probes-relaxed.wasm (asconfig targets probes-simd and
// probes-relaxed). bench/ loads it beside the release build; the release .wasm does not contain these.
export { peak_mul_add_f32, peak_madd_f32 } from './peak_probe_f32';
