// torch.nn.MultiheadAttention (eval mode) over the shared memory. Reads like the reference algorithm:
// project q/k/v, append bias_kv / zero_attn, split heads, scores + masks, softmax, mix values, merge heads,
// project out. Heads are strided views, so nothing is transposed or copied between those steps.
import { checkBoolean, checkOptions, checkPositiveInt, fail, failType, fmtShape } from './errors.ts';
import { expectRank, matchMask, readMask, shapeOf, stage, type Input, type MaskInfo, type MaskInput, type Staged } from './inputs.ts';
import { attendHeads, type HeadsView } from './ops/heads.ts';
import { PackedLinear } from './ops/linear.ts';
import { buildMask } from './ops/masks.ts';
import type { Runtime } from './runtime.ts';
import type { StateDictInput } from './safetensors.ts';
import { readStateDict, type ParamSpec } from './statedict.ts';
import { Tensor } from './tensor.ts';
import { Workspace } from './workspace.ts';

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
}

export interface AttentionResult {
  /** [L, N, E] / [N, L, E] (batchFirst) / [L, E] unbatched. Owned by the module: valid until its next forward(). */
  output: Tensor;
  /** [N, L, S] averaged or [N, H, L, S] (unbatched: no N); null when needWeights is false. Owned by the module. */
  weights: Tensor | null;
}

/** @internal Masks after validation, shared with Transformer. */
export interface ParsedMasks {
  attn: MaskInfo | null;
  attn3d: boolean;
  kpm: MaskInfo | null;
  isCausal: boolean;
}

const CTOR_OPTIONS = ['embedDim', 'numHeads', 'dropout', 'bias', 'addBiasKV', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst'];
const FORWARD_OPTIONS = ['keyPaddingMask', 'attnMask', 'needWeights', 'averageAttnWeights', 'isCausal'];

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
  private weights: Map<string, Float32Array> | null = null;
  private readonly linears = new Map<string, PackedLinear>();
  private disposed = false;

  constructor(rt: Runtime, options: MultiHeadOptions, name = 'MultiHead') {
    this.name = name;
    checkOptions(name, options, CTOR_OPTIONS);
    if (!options) failType(name, 'options { embedDim, numHeads } are required');
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
  }

  /** True when q, k and v share one packed [3E, E] in_proj_weight (kdim = vdim = embedDim). */
  get packedInProj(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** The parameters this module expects, with PyTorch names and shapes. */
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

  /** Loads nn.MultiheadAttention weights (names as in its state_dict) and packs them once. */
  loadStateDict(sd: StateDictInput): this {
    this.checkLive();
    const w = readStateDict(`${this.name}.loadStateDict`, sd, this.parameterShapes());
    this.releaseLinears();
    this.weights = new Map([...w].map(([k, v]) => [k, v.slice()])); // own copies: lazily packed projections read them later
    if (this.packedInProj) this.linear('qkv');
    else { this.linear('q'); this.linear('k'); this.linear('v'); }
    this.linear('out');
    return this;
  }

  // Packed projections, made on first use: 'qkv' (self-attention, one GEMM), 'q', 'kv' (key === value), 'k', 'v', 'out'.
  private linear(which: string): PackedLinear {
    let lin = this.linears.get(which);
    if (lin) return lin;
    const w = this.weights!, E = this.embedDim;
    const inBias = this.bias ? w.get('in_proj_bias')! : null;
    // rows [r0, r1) of the stacked q/k/v projection
    const rows = { qkv: [0, 3], q: [0, 1], kv: [1, 3], k: [1, 2], v: [2, 3] }[which as 'qkv'];
    if (which === 'out') {
      lin = new PackedLinear(this.rt, w.get('out_proj.weight')!, this.bias ? w.get('out_proj.bias')! : null, E, E);
    } else if (this.packedInProj) {
      const W = w.get('in_proj_weight')!;
      lin = new PackedLinear(this.rt, W.subarray(rows[0] * E * E, rows[1] * E * E),
        inBias ? inBias.subarray(rows[0] * E, rows[1] * E) : null, (rows[1] - rows[0]) * E, E);
    } else {
      const name = which as 'q' | 'k' | 'v';
      const inF = name === 'q' ? E : name === 'k' ? this.kdim : this.vdim;
      lin = new PackedLinear(this.rt, w.get(`${name}_proj_weight`)!, inBias ? inBias.subarray(rows[0] * E, rows[1] * E) : null, E, inF);
    }
    this.linears.set(which, lin);
    return lin;
  }

  /**
   * Attention of `query` over `key`/`value` (PyTorch argument order and shapes). Inputs: Tensor of this runtime
   * (used in place) or { data: Float32Array, shape }. The returned tensors live in this module's memory until
   * its next forward() or dispose(): copy with toArray() to keep them.
   */
  forward(query: Input, key: Input, value: Input, options: MultiHeadForwardOptions = {}): AttentionResult {
    const where = `${this.name}.forward`;
    this.checkLive();
    checkOptions(where, options, FORWARD_OPTIONS);
    if (!this.weights) fail(where, 'no weights loaded: call loadStateDict() first');
    const E = this.embedDim, H = this.numHeads;
    const qs = shapeOf(where, 'query', query), ks = shapeOf(where, 'key', key), vs = shapeOf(where, 'value', value);
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
    if (L < 1 || S < 1 || N < 1) fail(where, `empty input: L = ${L}, S = ${S}, N = ${N}`);
    const masks = parseMasks(where, options, { batched, N, H, L, S });
    const needWeights = options.needWeights === undefined ? true : checkBoolean(where, 'needWeights', options.needWeights);
    const average = options.averageAttnWeights === undefined ? true : checkBoolean(where, 'averageAttnWeights', options.averageAttnWeights);

    const q = stage(this.rt, this.ws, where, 'query', query, 'in.q');
    const k = key === query ? q : stage(this.rt, this.ws, where, 'key', key, 'in.k');
    const v = value === key ? k : stage(this.rt, this.ws, where, 'value', value, 'in.v');
    const r = this.run(q, k, v, { N, L, S }, masks, needWeights ? { average } : null);

    const outShape = batched ? (bf ? [N, L, E] : [L, N, E]) : [L, E];
    const output = new Tensor(this.rt, r.out, outShape, false);
    let weights: Tensor | null = null;
    if (r.weights) {
      const Sx = r.Sx;
      const wShape = average ? [N, L, Sx] : [N, H, L, Sx];
      weights = new Tensor(this.rt, r.weights, batched ? wShape : wShape.slice(1), false);
    }
    return { output, weights };
  }

  /**
   * @internal The computation on staged operands (layout as the inputs: seq-first or batch-first rows).
   * Returns pointers into this module's workspace: out [N·L, E], weights, and the key count with extras.
   */
  run(q: Staged, k: Staged, v: Staged, d: { N: number; L: number; S: number }, masks: ParsedMasks,
      weights: { average: boolean } | null): { out: number; weights: number; Sx: number } {
    const rt = this.rt, ws = this.ws, E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const { N, L, S } = d;
    const bf = this.batchFirst;
    const extra = (this.addBiasKV ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
    const Sx = S + extra;
    // view of a [rows, width] projection buffer laid out like the inputs, starting at column `col`
    const view = (ptr: number, width: number, len: number, col: number): HeadsView =>
      ({ ptr: ptr + 4 * col, ld: bf ? width : N * width, bs: bf ? len * width : width });

    // 1. in-projection (one GEMM for self-attention, one for key === value)
    let qv: HeadsView, kv: HeadsView, vv: HeadsView;
    if (q === k && k === v && this.packedInProj) {
      const qkv = ws.get('qkv', N * L * 3 * E);
      this.linear('qkv').forward(q.ptr, N * L, qkv);
      qv = view(qkv, 3 * E, L, 0); kv = view(qkv, 3 * E, L, E); vv = view(qkv, 3 * E, L, 2 * E);
    } else {
      const qp = ws.get('q', N * L * E);
      this.linear('q').forward(q.ptr, N * L, qp);
      qv = view(qp, E, L, 0);
      if (k === v && this.packedInProj) {
        const kvp = ws.get('kv', N * S * 2 * E);
        this.linear('kv').forward(k.ptr, N * S, kvp);
        kv = view(kvp, 2 * E, S, 0); vv = view(kvp, 2 * E, S, E);
      } else {
        const kp = ws.get('k', N * S * E), vp = ws.get('v', N * S * E);
        this.linear('k').forward(k.ptr, N * S, kp);
        this.linear('v').forward(v.ptr, N * S, vp);
        kv = view(kp, E, S, 0); vv = view(vp, E, S, 0);
      }
    }

    // 2. add_bias_kv / add_zero_attn: copy k, v into [N, Sx, E] with the extra rows appended per batch
    if (extra) {
      kv = this.extend('kx', kv, N, S, Sx, this.addBiasKV ? this.weights!.get('bias_k')! : null);
      vv = this.extend('vx', vv, N, S, Sx, this.addBiasKV ? this.weights!.get('bias_v')! : null);
    }

    // 3. masks -> one additive float mask (causal alone is left to the kernel when there are no extra columns)
    const explicitCausal = masks.isCausal && !masks.attn && extra > 0;
    const plan = buildMask(rt, ws, { N, H, L, S, extra, attn: masks.attn, attn3d: masks.attn3d, kpm: masks.kpm, causal: explicitCausal });
    const kernelCausal = masks.isCausal && !masks.attn && !explicitCausal;

    // 4. per head: softmax(q kᵀ / √hd + mask) v, written straight into the merged-heads layout
    const attn = ws.get('attn', N * L * E);
    const wPtr = weights ? ws.get('weights', N * (weights.average ? 1 : H) * L * Sx) : 0;
    attendHeads(rt, ws, {
      N, H, L, S: Sx, hd, hdv: hd, q: qv, k: kv, v: vv, out: view(attn, E, L, 0),
      scale: 1 / Math.sqrt(hd), mask: plan, causal: kernelCausal,
      weights: weights ? { ptr: wPtr, average: weights.average } : null,
    });

    // 5. out-projection
    const out = ws.get('out', N * L * E);
    this.linear('out').forward(attn, N * L, out);
    return { out, weights: wPtr, Sx };
  }

  // Copies a [N, S, E] head view into a batch-major [N, Sx, E] buffer and appends bias (or zero) rows.
  private extend(slot: string, src: HeadsView, N: number, S: number, Sx: number, bias: Float32Array | null): HeadsView {
    const E = this.embedDim;
    const ptr = this.ws.get(slot, N * Sx * E);
    const mem = this.rt.f32(0, this.rt.memory.buffer.byteLength >> 2);
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const from = (src.ptr >> 2) + n * src.bs + s * src.ld;
        mem.copyWithin((ptr >> 2) + (n * Sx + s) * E, from, from + E);
      }
      let s = S;
      if (bias) { mem.set(bias, (ptr >> 2) + (n * Sx + s) * E); s++; }
      if (s < Sx) mem.fill(0, (ptr >> 2) + (n * Sx + s) * E, (ptr >> 2) + (n * Sx + s + 1) * E);
    }
    return { ptr, ld: E, bs: Sx * E };
  }

  private releaseLinears(): void {
    for (const l of this.linears.values()) l.dispose();
    this.linears.clear();
  }

  private checkLive(): void {
    if (this.disposed) fail(this.name, 'used after dispose()');
  }

  /** Frees packed weights and buffers; outputs of earlier forwards die with them. */
  dispose(): void {
    if (this.disposed) return;
    this.releaseLinears();
    this.ws.dispose();
    this.weights = null;
    this.disposed = true;
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
