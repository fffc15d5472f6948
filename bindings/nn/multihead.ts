// torch.nn.MultiheadAttention (eval mode) over the shared memory. Reads like the reference algorithm:
// project q/k/v, append bias_kv / zero_attn, split heads, scores + masks, softmax, mix values, merge heads,
// project out. Heads are strided views, so nothing is transposed or copied between those steps.
import { checkBoolean, checkDropout, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, matchMask, readMask, shapeOf, stage, type Input, type MaskInfo, type MaskInput, type Staged } from './inputs.ts';
import { appendRows, appendToCache, headsView, scaledDotProductAttention, scaledDotProductAttentionFused, sdpaFusedScratchFloats, sdpaScratchFloats, type HeadsView } from '../ops/sdpa.ts';
import { KVCache } from './cache.ts';
import { PackedLinear } from '../ops/linear.ts';
import { fillMask, maskSize } from '../ops/masks.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { DISPOSE } from '../runtime/dispose.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

export interface MultiHeadOptions {
  embedDim: number;
  numHeads: number;
  /** Ignored: modules run in eval mode (accepted so PyTorch constructor arguments port unchanged). */
  dropout?: number;
  bias?: boolean;          // default true
  addBiasKV?: boolean;     // default false
  addZeroAttn?: boolean;   // default false
  kdim?: number;           // default embedDim
  vdim?: number;           // default embedDim
  batchFirst?: boolean;    // default false: inputs are [L, N, E]
}

export interface MultiHeadForwardOptions {
  /** [N, S] (or [S] unbatched): boolean (Uint8Array, 1 = ignore this key) or float (added). */
  keyPaddingMask?: MaskInput | null;
  /** [L, S] or [N·numHeads, L, S]: boolean (Uint8Array, 1 = not allowed) or float (added). */
  attnMask?: MaskInput | null;
  needWeights?: boolean;         // default true
  averageAttnWeights?: boolean;  // default true
  /** Causal (j > i masked, upper-left aligned). With an attnMask the mask is used as given (PyTorch: a hint). */
  isCausal?: boolean;
  /** A KVCache from createCache(): key and value hold only the new positions; masks then cover [N, cache.length +
   *  S] keys and isCausal places new query i at position cache.length + i. */
  cache?: KVCache | null;
}

export interface AttentionResult {
  /** [L, N, E] / [N, L, E] (batchFirst) / [L, E] unbatched. Owned by the module: valid until its next forward(). */
  output: Tensor;
  /** [N, L, S] averaged or [N, H, L, S] (unbatched: no N); null when needWeights is false. Owned by the module. */
  weights: Tensor | null;
}

/**
 * @internal Whether a run takes the fused attention kernel: always when it is long (nothing of size L x S is ever
 * stored), never when the weights are wanted. Below a small L·S per head (one head's scores stay in L1/L2) the
 * materialised path (GEMM + softmax + GEMM) is faster: a decode step (L = 1) in both builds, and the simd build up to
 * 256 x 256 (bench: MultiHead 1x128x512x8, simd 10.6 ms fused against 8.2 ms materialised; relaxed 6.4 against 8.2).
 */
export function useFused(rt: Runtime, L: number, S: number, weights: unknown): boolean {
  if (weights) return false;
  return L * S > (rt.variant === 'simd' ? 65536 : 4096);
}

/** @internal Which projections a run makes (see MultiHead.reserve). */
export type Projection = 'self' | 'kv' | 'separate' | 'query';

/** @internal Buffers of one MultiHead.run (byte pointers; 0 = not used). */
export interface MhaBuffers {
  proj: Projection;
  Sx: number;
  fused: boolean;
  explicitCausal: boolean;
  gemm: number; qkv: number; q: number; kv: number; k: number; v: number; kx: number; vx: number;
  mask: number; scores: number; weights: number; attn: number; out: number;
}

/** @internal Masks after validation, shared with Transformer. */
export interface ParsedMasks {
  attn: MaskInfo | null;
  attn3d: boolean;
  kpm: MaskInfo | null;
  isCausal: boolean;
}

const CTOR_OPTIONS = ['embedDim', 'numHeads', 'dropout', 'bias', 'addBiasKV', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst'];
const FORWARD_OPTIONS = ['keyPaddingMask', 'attnMask', 'needWeights', 'averageAttnWeights', 'isCausal', 'cache'];

export class MultiHead {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly bias: boolean;
  readonly addBiasKV: boolean;
  readonly addZeroAttn: boolean;
  readonly batchFirst: boolean;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly name: string;
  private loaded = false;
  private biasKV: [Float32Array, Float32Array] | null = null;   // bias_k, bias_v [E] (addBiasKV)
  private linears = new Map<string, PackedLinear>();
  private readonly outputs: Outputs;
  private disposed = false;

  constructor(rt: Runtime, options: MultiHeadOptions, name = 'MultiHead') {
    this.name = name;
    checkRuntime(name, rt);
    checkOptions(name, options, CTOR_OPTIONS);
    if (!options) failType(name, 'options { embedDim, numHeads } are required');
    checkDropout(name, options.dropout);
    this.embedDim = checkPositiveInt(name, 'embedDim', options.embedDim);
    this.numHeads = checkPositiveInt(name, 'numHeads', options.numHeads);
    if (this.embedDim % this.numHeads !== 0) {
      fail(name, `embedDim (${this.embedDim}) must be divisible by numHeads (${this.numHeads})`);
    }
    this.headDim = this.embedDim / this.numHeads;
    this.kdim = options.kdim === undefined || options.kdim === null ? this.embedDim : checkPositiveInt(name, 'kdim', options.kdim);
    this.vdim = options.vdim === undefined || options.vdim === null ? this.embedDim : checkPositiveInt(name, 'vdim', options.vdim);
    this.bias = options.bias === undefined ? true : checkBoolean(name, 'bias', options.bias);
    this.addBiasKV = options.addBiasKV === undefined ? false : checkBoolean(name, 'addBiasKV', options.addBiasKV);
    this.addZeroAttn = options.addZeroAttn === undefined ? false : checkBoolean(name, 'addZeroAttn', options.addZeroAttn);
    this.batchFirst = options.batchFirst === undefined ? false : checkBoolean(name, 'batchFirst', options.batchFirst);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.forward`);
  }

  /** True when q, k and v share one packed [3E, E] in_proj_weight (kdim = vdim = embedDim). */
  get packedInProj(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** The parameters this module expects, with PyTorch names and shapes (the packed in_proj_weight when kdim = vdim =
   *  embedDim; loadStateDict also takes q_proj_weight, k_proj_weight, v_proj_weight [E, E] in its place). */
  parameterShapes(): ParamSpec[] {
    const E = this.embedDim;
    const p: ParamSpec[] = this.packedInProj
      ? [{ name: 'in_proj_weight', shape: [3 * E, E] }]
      : [{ name: 'q_proj_weight', shape: [E, E] }, { name: 'k_proj_weight', shape: [E, this.kdim] }, { name: 'v_proj_weight', shape: [E, this.vdim] }];
    if (this.bias) p.push({ name: 'in_proj_bias', shape: [3 * E] });
    p.push({ name: 'out_proj.weight', shape: [E, E] });
    if (this.bias) p.push({ name: 'out_proj.bias', shape: [E] });
    if (this.addBiasKV) p.push({ name: 'bias_k', shape: [1, 1, E] }, { name: 'bias_v', shape: [1, 1, E] });
    return p;
  }

  /**
   * Loads nn.MultiheadAttention weights (names as in its state_dict) and packs them once. With kdim = vdim = embedDim
   * the q/k/v projection may be the packed in_proj_weight [3E, E] or the separate q_proj_weight, k_proj_weight,
   * v_proj_weight [E, E] (same results, bit for bit); in_proj_bias [3E] is packed in both layouts, as in PyTorch.
   * options.prefix selects and strips keys ('layers.0.self_attn.'); options.strict (default true) false ignores
   * unexpected keys (every parameter is still required). All or nothing: on any error the module keeps the weights
   * it had.
   */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = `${this.name}.loadStateDict`;
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      const made = new Map<string, PackedLinear>();
      try {
        this.packAll(w, made);
      } catch (e) {
        for (const l of made.values()) l.dispose();
        throw e;
      }
      const old = { linears: this.linears, biasKV: this.biasKV, loaded: this.loaded };
      this.linears = made;
      this.biasKV = this.addBiasKV ? [w.get('bias_k')!.slice(), w.get('bias_v')!.slice()] : null;
      this.loaded = true;
      // a stack loading several modules keeps the old weights until every one has loaded
      this.rt.journal.record(() => {
        for (const l of made.values()) l.dispose();
        Object.assign(this, old);
      }, () => { for (const l of old.linears.values()) l.dispose(); });
      return this;
    });
  }

  // Packed projections: 'qkv' (self-attention, one GEMM), 'q', 'kv' (key === value), 'k', 'v', 'out'. With the
  // packed [3E, E] weight and E a multiple of the 8-wide panel, q/k/v/kv are views of the 'qkv' panels.
  private packAll(w: Map<string, Float32Array>, made: Map<string, PackedLinear>): void {
    const E = this.embedDim, rt = this.rt;
    const inBias = this.bias ? w.get('in_proj_bias')! : null;
    const rowsOf = { q: [0, 1], kv: [1, 3], k: [1, 2], v: [2, 3] } as const;
    made.set('out', new PackedLinear(rt, w.get('out_proj.weight')!, this.bias ? w.get('out_proj.bias')! : null, E, E));
    if (this.packedInProj) {
      const W = w.get('in_proj_weight')!;
      const qkv = new PackedLinear(rt, W, inBias, 3 * E, E);
      made.set('qkv', qkv);
      for (const [name, [r0, r1]] of Object.entries(rowsOf)) {
        made.set(name, qkv.slice(r0 * E, r1 * E) ??
          new PackedLinear(rt, W.subarray(r0 * E * E, r1 * E * E), inBias ? inBias.subarray(r0 * E, r1 * E) : null, (r1 - r0) * E, E));
      }
    } else {
      for (const name of ['q', 'k', 'v'] as const) {
        const inF = name === 'q' ? E : name === 'k' ? this.kdim : this.vdim;
        const [r0, r1] = rowsOf[name];
        made.set(name, new PackedLinear(rt, w.get(`${name}_proj_weight`)!, inBias ? inBias.subarray(r0 * E, r1 * E) : null, E, inF));
      }
    }
  }

  private linear(which: string): PackedLinear {
    return this.linears.get(which)!;
  }

  /**
   * Attention of `query` over `key`/`value` (PyTorch argument order and shapes). Inputs: Tensor of this runtime
   * (used in place) or { data: Float32Array, shape }. The returned tensors live in this module's memory until
   * its next forward() or dispose(), and throw when used after that: copy with toArray() to keep them.
   * All or nothing: on any error (bad input, out of memory) the module and every tensor are as before the call.
   */
  forward(query: Input, key: Input, value: Input, options: MultiHeadForwardOptions = {}): AttentionResult {
    const where = `${this.name}.forward`;
    this.checkLive(where);
    checkOptions(where, options, FORWARD_OPTIONS);
    if (!this.loaded) fail(where, 'no weights loaded: call loadStateDict() first');
    const E = this.embedDim, H = this.numHeads;
    const qs = shapeOf(where, 'query', query), ks = shapeOf(where, 'key', key), vs = shapeOf(where, 'value', value);
    checkTensorInput(this.rt, where, 'query', query);
    checkTensorInput(this.rt, where, 'key', key);
    checkTensorInput(this.rt, where, 'value', value);
    const bf = this.batchFirst;
    expectRank(where, 'query', qs, [2, 3], bf ? '(L, E) or (N, L, E) (batchFirst)' : '(L, E) or (L, N, E)');
    const batched = qs.length === 3;
    const spell = (d: string) => batched ? (bf ? `(N, S, ${d})` : `(S, N, ${d})`) : `(S, ${d})`;
    if (ks.length !== qs.length) fail(where, `key must be ${spell('kdim')} like query (rank ${qs.length}), got shape ${fmtShape(ks)}`);
    if (vs.length !== qs.length) fail(where, `value must be ${spell('vdim')} like query (rank ${qs.length}), got shape ${fmtShape(vs)}`);
    const dims = (s: readonly number[]) => batched ? (bf ? [s[0], s[1], s[2]] : [s[1], s[0], s[2]]) : [1, s[0], s[1]]; // [N, len, feat]
    const [N, L, Eq] = dims(qs), [Nk, S, Ek] = dims(ks), [Nv, Sv, Ev] = dims(vs);
    if (Eq !== E) fail(where, `query must have embedDim = ${E} features (last dim), got shape ${fmtShape(qs)}`);
    if (Ek !== this.kdim) fail(where, `key must have kdim = ${this.kdim} features (last dim), got shape ${fmtShape(ks)}`);
    if (Ev !== this.vdim) fail(where, `value must have vdim = ${this.vdim} features (last dim), got shape ${fmtShape(vs)}`);
    if (Nk !== N || Nv !== N) fail(where, `batch sizes differ: query ${N}, key ${Nk}, value ${Nv} (shapes ${fmtShape(qs)}, ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (Sv !== S) fail(where, `key and value must have the same length, got ${S} and ${Sv} (shapes ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (N < 1 || L < 1) fail(where, `query must not be empty, got shape ${fmtShape(qs)}`);
    if (S < 1) fail(where, `key and value must not be empty, got shapes ${fmtShape(ks)} and ${fmtShape(vs)}`);
    const cache = readCache(where, options.cache, this, N, S);
    const past = cache ? cache.length : 0;
    // masks cover every key attended: with a cache, the cached positions and the new ones
    const masks = parseMasks(where, options, { batched, N, H, L, S: past + S });
    const needWeights = options.needWeights === undefined ? true : checkBoolean(where, 'needWeights', options.needWeights);
    const average = options.averageAttnWeights === undefined ? true : checkBoolean(where, 'averageAttnWeights', options.averageAttnWeights);

    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const q = stage(this.rt, this.ws, where, 'query', query, 'in.q', own);
      const k = key === query ? q : stage(this.rt, this.ws, where, 'key', key, 'in.k', own);
      const v = value === key ? k : stage(this.rt, this.ws, where, 'value', value, 'in.v', own);
      const r = this.run(q, k, v, { N, L, S }, masks, needWeights ? { average } : null, cache);

      const lease = this.outputs.next();
      const outShape = batched ? (bf ? [N, L, E] : [L, N, E]) : [L, E];
      const output = new Tensor(this.rt, r.out, outShape, false, lease);
      let weights: Tensor | null = null;
      if (r.weights) {
        const wShape = average ? [N, L, r.Sx] : [N, H, L, r.Sx];
        weights = new Tensor(this.rt, r.weights, batched ? wShape : wShape.slice(1), false, lease);
      }
      return { output, weights };
    });
  }

  /**
   * A key/value cache for step-by-step decoding: `forward(qNew, kNew, vNew, { cache, isCausal: true })` then takes
   * only the new positions, appends their projected keys and values and attends over every cached position (new
   * query i sits at absolute position cache.length + i). Preallocated: a decode loop allocates nothing.
   */
  createCache(options: { batch: number; maxLength: number }): KVCache {
    const where = `${this.name}.createCache`;
    this.checkLive(where);
    checkOptions(where, options, ['batch', 'maxLength']);
    if (!options) failType(where, 'options { batch, maxLength } are required');
    const batch = checkPositiveInt(where, 'batch', options.batch);
    const maxLength = checkPositiveInt(where, 'maxLength', options.maxLength);
    if (this.addBiasKV || this.addZeroAttn) fail(where, 'a cache cannot be used with addBiasKV or addZeroAttn (their extra key comes after all positions)');
    return this.rt.journal.atomic(where, () => new KVCache(this.rt, this, batch, maxLength, this.embedDim));
  }

  /**
   * @internal Every buffer run() writes, allocated before anything is written, so that a failed allocation
   * changes nothing. proj: 'self' (q, k, v one input), 'kv' (key === value), 'separate', or 'query' (keys and
   * values all from the cache: S = 0); past: positions already in the cache (keys attended: past + S).
   */
  reserve(proj: Projection, d: { N: number; L: number; S: number }, masks: ParsedMasks,
          weights: { average: boolean } | null, past = 0): MhaBuffers {
    const ws = this.ws, E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const { N, L, S } = d;
    if (!this.packedInProj && proj !== 'separate' && proj !== 'query') proj = 'separate';
    const extra = (this.addBiasKV ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
    const St = past + S, Sx = St + extra;   // keys attended (cached + new), and with the extra columns
    const explicitCausal = masks.isCausal && !masks.attn && extra > 0;
    const maskFloats = maskSize({ N, H, L, S: St, extra, attn: masks.attn, attn3d: masks.attn3d, kpm: masks.kpm, causal: explicitCausal });
    const lin = (which: string, rows: number) => this.linear(which).scratchFloats(rows);
    const projScratch = proj === 'self' ? lin('qkv', N * L) : proj === 'query' ? lin('q', N * L)
      : Math.max(lin('q', N * L), proj === 'kv' ? lin('kv', N * S) : Math.max(lin('k', N * S), lin('v', N * S)));
    const fused = useFused(this.rt, L, Sx, weights);
    const attn = fused ? sdpaFusedScratchFloats(this.rt, L, Sx, hd, hd) : sdpaScratchFloats(this.rt, L, Sx, hd, hd);
    const gemm = Math.max(projScratch, lin('out', N * L), attn);
    return {
      proj, Sx, explicitCausal,
      gemm: gemm ? ws.get('gemm', gemm) : 0,
      qkv: proj === 'self' ? ws.get('qkv', N * L * 3 * E) : 0,
      q: proj === 'self' ? 0 : ws.get('q', N * L * E),
      kv: proj === 'kv' ? ws.get('kv', N * S * 2 * E) : 0,
      k: proj === 'separate' ? ws.get('k', N * S * E) : 0,
      v: proj === 'separate' ? ws.get('v', N * S * E) : 0,
      kx: extra ? ws.get('kx', N * Sx * E) : 0,
      vx: extra ? ws.get('vx', N * Sx * E) : 0,
      mask: maskFloats ? ws.get('mask', maskFloats) : 0,
      fused,
      // (with a pool the scores sit in each thread's slot of the attention scratch)
      scores: !fused && !(weights && !weights.average) && !this.rt.pool ? ws.get('heads.scores', L * Sx) : 0,
      weights: weights ? ws.get('weights', N * (weights.average ? 1 : H) * L * Sx) : 0,
      attn: ws.get('attn', N * L * E),
      out: ws.get('out', N * L * E),
    };
  }

  /**
   * @internal The computation on staged operands (layout as the inputs: seq-first or batch-first rows).
   * Returns pointers into this module's workspace: out [N·L, E], weights, and the key count with extras.
   * With a cache, k and v hold the S new positions: their projections are appended to it and the attention runs
   * over every cached position; with reuse, k and v are not read (S = 0): the keys and values are the cache's
   * (cross-attention over a memory projected at the first step). `reserved`: the result of reserve() with the same
   * arguments, when the caller reserved already.
   */
  run(q: Staged, k: Staged, v: Staged, d: { N: number; L: number; S: number }, masks: ParsedMasks,
      weights: { average: boolean } | null, cache: KVCache | null = null, reuse = false,
      reserved: MhaBuffers | null = null): { out: number; weights: number; Sx: number } {
    const rt = this.rt, E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const { N, L, S } = d;
    const bf = this.batchFirst;
    const past = cache ? cache.length : 0;
    // buffers: those the caller reserved with the same arguments (a Transformer layer), else reserved here
    const b = reserved ?? this.reserve(reuse ? 'query' : q === k && k === v ? 'self' : k === v ? 'kv' : 'separate', d, masks, weights, past);
    const St = past + S, Sx = b.Sx, extra = Sx - St;
    // columns [col, ...) of a projection buffer of `width` features laid out like the inputs
    const view = (ptr: number, width: number, len: number, col: number): HeadsView => headsView(ptr, width, N, len, col, bf, hd);

    // 1. in-projection (one GEMM for self-attention, one for key === value)
    let qv: HeadsView, kv: HeadsView, vv: HeadsView;
    if (b.proj === 'self') {
      this.linear('qkv').forward(q.ptr, N * L, b.qkv, b.gemm);
      qv = view(b.qkv, 3 * E, L, 0); kv = view(b.qkv, 3 * E, L, E); vv = view(b.qkv, 3 * E, L, 2 * E);
    } else {
      this.linear('q').forward(q.ptr, N * L, b.q, b.gemm);
      qv = view(b.q, E, L, 0);
      kv = vv = qv;   // replaced below (from the cache when proj is 'query')
      if (b.proj === 'query') {
        // nothing to project
      } else if (b.proj === 'kv') {
        this.linear('kv').forward(k.ptr, N * S, b.kv, b.gemm);
        kv = view(b.kv, 2 * E, S, 0); vv = view(b.kv, 2 * E, S, E);
      } else {
        this.linear('k').forward(k.ptr, N * S, b.k, b.gemm);
        this.linear('v').forward(v.ptr, N * S, b.v, b.gemm);
        kv = view(b.k, E, S, 0); vv = view(b.v, E, S, 0);
      }
    }

    // 2. a cache: the new keys and values join the cached ones ([N, maxLength, E], positions [past, past + S))
    if (cache) {
      kv = appendToCache(rt, cache.k, kv, N, S, E, past, cache.maxLength);
      vv = appendToCache(rt, cache.v, vv, N, S, E, past, cache.maxLength);
      cache.advance(S);
    }

    // 3. add_bias_kv / add_zero_attn: copy k, v into [N, Sx, E] with the extra rows appended per batch
    if (extra) {
      kv = appendRows(rt, b.kx, kv, N, St, E, extra, this.biasKV ? this.biasKV[0] : null);
      vv = appendRows(rt, b.vx, vv, N, St, E, extra, this.biasKV ? this.biasKV[1] : null);
    }

    // 4. masks -> one additive float mask (causal alone is left to the kernel when there are no extra columns)
    const plan = b.mask ? fillMask(rt, b.mask, { N, H, L, S: St, extra, attn: masks.attn, attn3d: masks.attn3d, kpm: masks.kpm, causal: b.explicitCausal }) : null;
    const kernelCausal = masks.isCausal && !masks.attn && !b.explicitCausal;

    // 5. per head: softmax(q kᵀ / √hd + mask) v, written straight into the merged-heads layout; fused unless the
    //    weights are wanted. A cache puts new query i at absolute position past + i (the causal offset).
    const args = {
      N, H, L, S: Sx, hd, hdv: hd, q: qv, k: kv, v: vv, out: view(b.attn, E, L, 0),
      scale: 1 / Math.sqrt(hd), mask: plan, causal: kernelCausal, causalOffset: past, scores: b.scores, scratch: b.gemm,
      weights: weights ? { ptr: b.weights, average: weights.average } : null,
    };
    if (b.fused) scaledDotProductAttentionFused(rt, args);
    else scaledDotProductAttention(rt, args);

    // 6. out-projection
    this.linear('out').forward(b.attn, N * L, b.out, b.gemm);
    return { out: b.out, weights: b.weights, Sx };
  }

  private releaseLinears(): void {
    for (const l of this.linears.values()) l.dispose();
    this.linears.clear();
  }

  private checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  /** Frees packed weights and buffers; outputs of earlier forwards die with them. */
  dispose(): void {
    if (this.disposed) return;
    this.releaseLinears();
    this.ws.dispose();
    this.outputs.end();
    this.loaded = false;
    this.disposed = true;
  }

  /** `using mha = new MultiHead(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}

/** @internal Validates MHA masks for given sizes; shared with Transformer. */
export function parseMasks(where: string, o: { keyPaddingMask?: unknown; attnMask?: unknown; isCausal?: unknown },
  d: { batched: boolean; N: number; H: number; L: number; S: number },
  names = { kpm: 'keyPaddingMask', attn: 'attnMask', causal: 'isCausal' }): ParsedMasks {
  const { batched, N, H, L, S } = d;
  const kpm = readMask(where, names.kpm, o.keyPaddingMask);
  if (kpm) matchMask(where, names.kpm, kpm, [batched ? [N, S] : [S]]);
  const attn = readMask(where, names.attn, o.attnMask);
  let attn3d = false;
  if (attn) {
    const shape = matchMask(where, names.attn, attn, [[L, S], [batched ? N * H : H, L, S]]);
    attn3d = shape.length === 3 && !(N * H === 1 && !attn.shape);
  }
  const isCausal = o.isCausal === undefined ? false : checkBoolean(where, names.causal, o.isCausal);
  return { attn, attn3d, kpm, isCausal };
}

/** @internal Validates a forward's `cache` option (null when none): ours, live, the batch, room for S more. */
export function readCache(where: string, c: unknown, owner: object, N: number, S: number): KVCache | null {
  if (c === undefined || c === null) return null;
  if (!(c instanceof KVCache)) failType(where, `cache must be a KVCache from createCache(), got ${describeValue(c)}`);
  c.check(where, owner, N, S);
  return c;
}
