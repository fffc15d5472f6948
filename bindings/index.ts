// Public entry of wasm-attention.
export { init, Runtime, type InitOptions, type MemoryStats } from './runtime.ts';
export { Tensor } from './tensor.ts';
export { relaxedSimdSupported, type Variant, type WasmSource } from './loader.ts';
