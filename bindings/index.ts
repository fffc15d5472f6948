// Public entry of wasm-attention.
export { init, Runtime, type InitOptions, type MemoryStats } from './runtime.ts';
export { Tensor } from './tensor.ts';
export { relaxedSimdSupported, type Variant, type WasmSource } from './loader.ts';
export type { Ops } from './ops/index.ts';
export { Attention, type AttentionOptions, type AttentionForwardOptions, type ScoreKind } from './attention.ts';
export { MultiHead, type MultiHeadOptions, type MultiHeadForwardOptions, type AttentionResult } from './multihead.ts';
export { Transformer, type TransformerOptions, type EncoderForwardOptions, type DecoderForwardOptions, type Activation } from './transformer.ts';
export { loadSafetensors, saveSafetensors, toStateDict, SafetensorsError, type SafetensorsFile, type SafetensorsTensor, type StateDictInput } from './safetensors.ts';
export { attentionHeatmapSVG, viridis, type HeatmapOptions, type HeatmapMatrix } from './heatmap.ts';
export type { Input, ArrayInput, MaskInput } from './inputs.ts';
export type { ParamSpec } from './statedict.ts';
