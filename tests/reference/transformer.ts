// Float64 reference of nn.TransformerEncoderLayer / nn.TransformerDecoderLayer (eval mode, dropout = identity)
// and of TransformerEncoder / TransformerDecoder stacks, exactly in the order of §2.3. The attention sublayers
// call the MHA reference with needWeights = false (SDPA path: fully masked rows give zeros before out_proj).
// Linear and LayerNorm act row by row, so activations stay in the caller's layout ([T, N, E], [N, T, E] or [T, E])
// and only the MHA reference needs to know it.
import { type Activation, type Num, activation, add, layerNorm, linear, map } from './math.ts';
import { type RefMask, type RefTensor, type StateDict, multiheadAttention } from './mha.ts';

export interface TransformerConfig {
  dModel: number;
  nhead: number;
  dimFeedforward?: number;
  activation?: Activation;
  layerNormEps?: number;
  normFirst?: boolean;
  batchFirst?: boolean;
  bias?: boolean;
  /** A stack `layers.{i}.` when given; a single layer with unprefixed names otherwise. */
  numLayers?: number;
  kind?: 'encoder' | 'decoder';
  /** Final LayerNorm `norm.` after the stack. */
  norm?: boolean;
}

export interface EncoderOptions { mask?: RefMask | null; srcKeyPaddingMask?: RefMask | null; isCausal?: boolean }
export interface DecoderOptions {
  tgtMask?: RefMask | null; memoryMask?: RefMask | null;
  tgtKeyPaddingMask?: RefMask | null; memoryKeyPaddingMask?: RefMask | null;
  tgtIsCausal?: boolean;
  /** Cross-attention causal (upper-left, key j > query i masked) when no memoryMask is given. */
  memoryIsCausal?: boolean;
}

function rowsOf(x: RefTensor, E: number): number { return x.data.length / E; }

function norm(cfg: TransformerConfig, sd: StateDict, name: string, x: Num, rows: number): Float64Array {
  const bias = cfg.bias ?? true;
  return layerNorm(x, rows, cfg.dModel, sd[`${name}.weight`], bias ? sd[`${name}.bias`] : null, cfg.layerNormEps ?? 1e-5);
}

function feedForward(cfg: TransformerConfig, sd: StateDict, p: string, x: Num, rows: number): Float64Array {
  const bias = cfg.bias ?? true;
  const dff = cfg.dimFeedforward ?? 2048;
  const h = map(linear(x, rows, cfg.dModel, sd[`${p}linear1.weight`], bias ? sd[`${p}linear1.bias`] : null), activation(cfg.activation ?? 'relu'));
  return linear(h, rows, dff, sd[`${p}linear2.weight`], bias ? sd[`${p}linear2.bias`] : null);
}

function attention(cfg: TransformerConfig, sd: StateDict, prefix: string, x: RefTensor, mem: RefTensor,
  attnMask: RefMask | null | undefined, kpm: RefMask | null | undefined, isCausal: boolean): Float64Array {
  const sub: StateDict = {};
  for (const name of ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']) {
    if (sd[prefix + name] !== undefined) sub[name] = sd[prefix + name];
  }
  const r = multiheadAttention(
    { embedDim: cfg.dModel, numHeads: cfg.nhead, bias: cfg.bias ?? true, batchFirst: cfg.batchFirst ?? false },
    sub, x, mem, mem, { attnMask, keyPaddingMask: kpm, needWeights: false, isCausal });
  return Float64Array.from(r.output.data);
}

export function encoderLayer(cfg: TransformerConfig, sd: StateDict, p: string, src: RefTensor, opts: EncoderOptions = {}): RefTensor {
  const E = cfg.dModel;
  const rows = rowsOf(src, E);
  const shape = src.shape;
  const sa = (x: Num) => attention(cfg, sd, `${p}self_attn.`, { data: x, shape }, { data: x, shape }, opts.mask, opts.srcKeyPaddingMask, opts.isCausal ?? false);
  let x: Float64Array = Float64Array.from(src.data);
  if (cfg.normFirst) {
    x = add(x, sa(norm(cfg, sd, `${p}norm1`, x, rows)));
    x = add(x, feedForward(cfg, sd, p, norm(cfg, sd, `${p}norm2`, x, rows), rows));
  } else {
    x = norm(cfg, sd, `${p}norm1`, add(x, sa(x)), rows);
    x = norm(cfg, sd, `${p}norm2`, add(x, feedForward(cfg, sd, p, x, rows)), rows);
  }
  return { data: x, shape };
}

export function decoderLayer(cfg: TransformerConfig, sd: StateDict, p: string, tgt: RefTensor, memory: RefTensor, opts: DecoderOptions = {}): RefTensor {
  const E = cfg.dModel;
  const rows = rowsOf(tgt, E);
  const shape = tgt.shape;
  const sa = (x: Num) => attention(cfg, sd, `${p}self_attn.`, { data: x, shape }, { data: x, shape }, opts.tgtMask, opts.tgtKeyPaddingMask, opts.tgtIsCausal ?? false);
  const mha = (x: Num) => attention(cfg, sd, `${p}multihead_attn.`, { data: x, shape }, memory, opts.memoryMask, opts.memoryKeyPaddingMask, opts.memoryIsCausal ?? false);
  let x: Float64Array = Float64Array.from(tgt.data);
  if (cfg.normFirst) {
    x = add(x, sa(norm(cfg, sd, `${p}norm1`, x, rows)));
    x = add(x, mha(norm(cfg, sd, `${p}norm2`, x, rows)));
    x = add(x, feedForward(cfg, sd, p, norm(cfg, sd, `${p}norm3`, x, rows), rows));
  } else {
    x = norm(cfg, sd, `${p}norm1`, add(x, sa(x)), rows);
    x = norm(cfg, sd, `${p}norm2`, add(x, mha(x)), rows);
    x = norm(cfg, sd, `${p}norm3`, add(x, feedForward(cfg, sd, p, x, rows)), rows);
  }
  return { data: x, shape };
}

/** A single layer (numLayers undefined) or a stack `layers.{i}.` with an optional final `norm.`. */
export function transformerEncoder(cfg: TransformerConfig, sd: StateDict, src: RefTensor, opts: EncoderOptions = {}): RefTensor {
  if (cfg.numLayers === undefined) {
    const y = encoderLayer(cfg, sd, '', src, opts);
    return cfg.norm ? { data: norm(cfg, sd, 'norm', y.data, rowsOf(y, cfg.dModel)), shape: y.shape } : y;
  }
  let x = src;
  for (let i = 0; i < cfg.numLayers; i++) x = encoderLayer(cfg, sd, `layers.${i}.`, x, opts);
  return cfg.norm ? { data: norm(cfg, sd, 'norm', x.data, rowsOf(x, cfg.dModel)), shape: x.shape } : x;
}

export function transformerDecoder(cfg: TransformerConfig, sd: StateDict, tgt: RefTensor, memory: RefTensor, opts: DecoderOptions = {}): RefTensor {
  if (cfg.numLayers === undefined) {
    const y = decoderLayer(cfg, sd, '', tgt, memory, opts);
    return cfg.norm ? { data: norm(cfg, sd, 'norm', y.data, rowsOf(y, cfg.dModel)), shape: y.shape } : y;
  }
  let x = tgt;
  for (let i = 0; i < cfg.numLayers; i++) x = decoderLayer(cfg, sd, `layers.${i}.`, x, memory, opts);
  return cfg.norm ? { data: norm(cfg, sd, 'norm', x.data, rowsOf(x, cfg.dModel)), shape: x.shape } : x;
}

/** The parameter names and shapes a layer / stack expects (for building random state dicts in tests). */
export function transformerParamShapes(cfg: TransformerConfig): Record<string, number[]> {
  const d = cfg.dModel, dff = cfg.dimFeedforward ?? 2048, bias = cfg.bias ?? true;
  const kind = cfg.kind ?? 'encoder';
  const layer: Record<string, number[]> = {};
  const attn = (p: string) => {
    layer[`${p}.in_proj_weight`] = [3 * d, d];
    if (bias) layer[`${p}.in_proj_bias`] = [3 * d];
    layer[`${p}.out_proj.weight`] = [d, d];
    if (bias) layer[`${p}.out_proj.bias`] = [d];
  };
  attn('self_attn');
  if (kind === 'decoder') attn('multihead_attn');
  layer['linear1.weight'] = [dff, d];
  if (bias) layer['linear1.bias'] = [dff];
  layer['linear2.weight'] = [d, dff];
  if (bias) layer['linear2.bias'] = [d];
  for (const n of kind === 'decoder' ? ['norm1', 'norm2', 'norm3'] : ['norm1', 'norm2']) {
    layer[`${n}.weight`] = [d];
    if (bias) layer[`${n}.bias`] = [d];
  }
  const out: Record<string, number[]> = {};
  if (cfg.numLayers === undefined) Object.assign(out, layer);
  else for (let i = 0; i < cfg.numLayers; i++) for (const [k, s] of Object.entries(layer)) out[`layers.${i}.${k}`] = s;
  if (cfg.norm) {
    out['norm.weight'] = [d];
    if (bias) out['norm.bias'] = [d];
  }
  return out;
}
