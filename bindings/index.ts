// Public entry of wasm-attention.
export { init, Runtime, type InitOptions, type MemoryStats } from './runtime/runtime.ts';
export { Tensor } from './runtime/tensor.ts';
export { relaxedSimdSupported, type Variant, type WasmSource } from './runtime/loader.ts';
export type { Ops } from './api/index.ts';
export { Attention, type AttentionOptions, type AttentionForwardOptions, type ScoreKind } from './nn/attention.ts';
export { MultiHead, type MultiHeadOptions, type MultiHeadForwardOptions, type AttentionResult } from './nn/multihead.ts';
export { KVCache, TransformerCache } from './nn/cache.ts';
export { Transformer, type TransformerOptions, type EncoderForwardOptions, type DecoderForwardOptions, type Activation } from './nn/transformer.ts';
export { loadSafetensors, saveSafetensors, toStateDict, SafetensorsError, type SafetensorsFile, type SafetensorsTensor, type StateDictInput } from './io/safetensors.ts';
export { attentionHeatmapSVG, viridis, type HeatmapOptions, type HeatmapMatrix } from './viz/heatmap.ts';
export type { Input, ArrayInput, MaskInput } from './nn/inputs.ts';
export type { ParamSpec } from './io/statedict.ts';
