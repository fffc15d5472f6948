// Float64 reference of torch.nn.MultiheadAttention's slow path (§1.2–1.4 of ATTENTION_SEMANTICS.md), with this
// library's documented choices:
//  - fully masked rows (every score of a query row is -inf) follow PyTorch SDPA: probabilities 0, so the per-head
//    output is 0 before out_proj (the output row is out_proj.bias) and the returned weights are 0 — also when
//    needWeights is true (where torch's own slow path would give NaN);
//  - isCausal with no attnMask applies the upper-left causal mask (key j > query i is masked) over the S real keys;
//    with an attnMask given, the attnMask is used as is.
import { type Num, linear, softmaxRows } from './math.ts';

export interface MhaConfig {
  embedDim: number;
  numHeads: number;
  bias?: boolean;
  kdim?: number;
  vdim?: number;
  addBiasKV?: boolean;
  addZeroAttn?: boolean;
  batchFirst?: boolean;
}

/** torch.nn.MultiheadAttention's parameters (name -> shape) for a config: packed in_proj_weight when kdim = vdim =
 *  embedDim, else q/k/v_proj_weight; biases when `bias`; bias_k/bias_v with addBiasKV. */
export function mhaParamShapes(cfg: MhaConfig): Record<string, number[]> {
  const E = cfg.embedDim, Ek = cfg.kdim ?? E, Ev = cfg.vdim ?? E, bias = cfg.bias ?? true;
  const s: Record<string, number[]> = {};
  if (Ek === E && Ev === E) s['in_proj_weight'] = [3 * E, E];
  else { s['q_proj_weight'] = [E, E]; s['k_proj_weight'] = [E, Ek]; s['v_proj_weight'] = [E, Ev]; }
  if (bias) s['in_proj_bias'] = [3 * E];
  s['out_proj.weight'] = [E, E];
  if (bias) s['out_proj.bias'] = [E];
  if (cfg.addBiasKV) { s['bias_k'] = [1, 1, E]; s['bias_v'] = [1, 1, E]; }
  return s;
}

export interface RefTensor { data: Num; shape: readonly number[] }

/** A mask: Uint8Array data = bool (1 = not allowed / padding), anything else = float added to the scores. */
export type RefMask = Num | { data: Num; shape?: readonly number[] };

export interface MhaOptions {
  keyPaddingMask?: RefMask | null;
  attnMask?: RefMask | null;
  needWeights?: boolean;
  averageAttnWeights?: boolean;
  isCausal?: boolean;
}

export interface MhaResult { output: RefTensor; weights: RefTensor | null }

export type StateDict = Record<string, Num>;

/** Mask value to add: bool true -> -inf, bool false -> 0, float -> itself. */
function maskReader(m: RefMask): { data: Num; bool: boolean } {
  const data = (m as { data?: Num }).data !== undefined && !ArrayBuffer.isView(m) && !Array.isArray(m) ? (m as { data: Num }).data : (m as Num);
  return { data, bool: data instanceof Uint8Array };
}

function addend(mask: { data: Num; bool: boolean }, i: number): number {
  const v = mask.data[i];
  return mask.bool ? (v ? -Infinity : 0) : v;
}

/** Reads element (n, t, c) of a [T, N, C] / [N, T, C] / [T, C] input. */
function reader(x: RefTensor, batched: boolean, batchFirst: boolean, N: number, T: number, C: number) {
  return (n: number, t: number, c: number): number => {
    if (!batched) return x.data[t * C + c];
    return batchFirst ? x.data[(n * T + t) * C + c] : x.data[(t * N + n) * C + c];
  };
}

export function multiheadAttention(cfg: MhaConfig, sd: StateDict, query: RefTensor, key: RefTensor, value: RefTensor,
  opts: MhaOptions = {}): MhaResult {
  const E = cfg.embedDim;
  const H = cfg.numHeads;
  const hd = E / H;
  if (!Number.isInteger(hd)) throw new Error('reference mha: embedDim must be divisible by numHeads');
  const Ek = cfg.kdim ?? E;
  const Ev = cfg.vdim ?? E;
  const bias = cfg.bias ?? true;
  const batchFirst = cfg.batchFirst ?? false;
  const needWeights = opts.needWeights ?? true;
  const average = opts.averageAttnWeights ?? true;

  // 1. layout: unbatched [L, E] is batch 1; batch_first is ignored for unbatched inputs.
  const batched = query.shape.length === 3;
  const N = batched ? (batchFirst ? query.shape[0] : query.shape[1]) : 1;
  const L = batched ? (batchFirst ? query.shape[1] : query.shape[0]) : query.shape[0];
  const S = batched ? (batchFirst ? key.shape[1] : key.shape[0]) : key.shape[0];
  const qAt = reader(query, batched, batchFirst, N, L, E);
  const kAt = reader(key, batched, batchFirst, N, S, Ek);
  const vAt = reader(value, batched, batchFirst, N, S, Ev);

  // 2. in-projection weights: packed rows [0:E]=q, [E:2E]=k, [2E:3E]=v, or separate; in_proj_bias chunks in both.
  let Wq: Num, Wk: Num, Wv: Num;
  if (Ek === E && Ev === E) {
    const w = sd['in_proj_weight'];
    Wq = Array.prototype.slice.call(w, 0, E * E);
    Wk = Array.prototype.slice.call(w, E * E, 2 * E * E);
    Wv = Array.prototype.slice.call(w, 2 * E * E, 3 * E * E);
  } else {
    Wq = sd['q_proj_weight']; Wk = sd['k_proj_weight']; Wv = sd['v_proj_weight'];
  }
  let bq: Num | null = null, bk: Num | null = null, bv: Num | null = null;
  if (bias) {
    const b = sd['in_proj_bias'];
    bq = Array.prototype.slice.call(b, 0, E);
    bk = Array.prototype.slice.call(b, E, 2 * E);
    bv = Array.prototype.slice.call(b, 2 * E, 3 * E);
  }

  const addBiasKV = cfg.addBiasKV ?? false;
  const addZeroAttn = cfg.addZeroAttn ?? false;
  const S2 = S + (addBiasKV ? 1 : 0) + (addZeroAttn ? 1 : 0); // keys after bias_kv (step 3) and zero_attn (step 5)

  const kpm = opts.keyPaddingMask != null ? maskReader(opts.keyPaddingMask) : null;
  const am = opts.attnMask != null ? maskReader(opts.attnMask) : null;
  let am3d = false;
  if (am) {
    if (am.data.length === L * S) am3d = false;
    else if (am.data.length === N * H * L * S) am3d = true;
    else throw new Error(`reference mha: attnMask has ${am.data.length} elements, expected ${L * S} or ${N * H * L * S}`);
  }
  if (kpm && kpm.data.length !== N * S) throw new Error(`reference mha: keyPaddingMask has ${kpm.data.length} elements, expected ${N * S}`);
  const causal = !am && (opts.isCausal ?? false);

  const outData = new Float64Array(N * L * E);
  const wData = needWeights ? new Float64Array(N * H * L * S2) : null;
  const scale = Math.sqrt(1 / hd);

  for (let n = 0; n < N; n++) {
    const xq = new Float64Array(L * E), xk = new Float64Array(S * Ek), xv = new Float64Array(S * Ev);
    for (let t = 0; t < L; t++) for (let c = 0; c < E; c++) xq[t * E + c] = qAt(n, t, c);
    for (let t = 0; t < S; t++) for (let c = 0; c < Ek; c++) xk[t * Ek + c] = kAt(n, t, c);
    for (let t = 0; t < S; t++) for (let c = 0; c < Ev; c++) xv[t * Ev + c] = vAt(n, t, c);
    const q = linear(xq, L, E, Wq, bq);   // [L, E]
    const k0 = linear(xk, S, Ek, Wk, bk); // [S, E]
    const v0 = linear(xv, S, Ev, Wv, bv); // [S, E]
    // 3 + 5: extend keys/values: [real S | bias_k (after projection) | zero], masks padded with 0 there.
    const k = new Float64Array(S2 * E), v = new Float64Array(S2 * E);
    k.set(k0); v.set(v0);
    if (addBiasKV) {
      for (let c = 0; c < E; c++) { k[S * E + c] = sd['bias_k'][c]; v[S * E + c] = sd['bias_v'][c]; }
    }
    // (the zero-attention row is already 0)

    const merged = new Float64Array(L * E); // heads merged back: [L, H*hd]
    for (let h = 0; h < H; h++) {
      const scores = new Float64Array(L * S2);
      for (let i = 0; i < L; i++) {
        for (let j = 0; j < S2; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += q[i * E + h * hd + c] * scale * k[j * E + h * hd + c];
          if (j < S) {
            if (am) s += addend(am, am3d ? ((n * H + h) * L + i) * S + j : i * S + j);
            if (kpm) s += addend(kpm, n * S + j);
            if (causal && j > i) s += -Infinity;
          }
          scores[i * S2 + j] = s;
        }
      }
      const p = softmaxRows(scores, L, S2, /* safe (SDPA) */ true);
      for (let i = 0; i < L; i++) {
        for (let c = 0; c < hd; c++) {
          let acc = 0;
          for (let j = 0; j < S2; j++) acc += p[i * S2 + j] * v[j * E + h * hd + c];
          merged[i * E + h * hd + c] = acc;
        }
      }
      if (wData) wData.set(p, (n * H + h) * L * S2);
    }
    const o = linear(merged, L, E, sd['out_proj.weight'], bias ? sd['out_proj.bias'] : null);
    outData.set(o, n * L * E);
  }

  // 8. back to the caller's layout.
  let output: RefTensor;
  if (!batched) output = { data: outData, shape: [L, E] };
  else if (batchFirst) output = { data: outData, shape: [N, L, E] };
  else {
    const t = new Float64Array(L * N * E);
    for (let n = 0; n < N; n++) for (let i = 0; i < L; i++) for (let c = 0; c < E; c++) t[(i * N + n) * E + c] = outData[(n * L + i) * E + c];
    output = { data: t, shape: [L, N, E] };
  }

  let weights: RefTensor | null = null;
  if (wData) {
    if (average) {
      const a = new Float64Array(N * L * S2);
      for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let x = 0; x < L * S2; x++) a[n * L * S2 + x] += wData[(n * H + h) * L * S2 + x] / H;
      weights = { data: a, shape: batched ? [N, L, S2] : [L, S2] };
    } else {
      weights = { data: wData, shape: batched ? [N, H, L, S2] : [H, L, S2] };
    }
  }
  return { output, weights };
}
