// Float64 reference of the seeds' seq2seq attention (ATTENTION_SEMANTICS.md §3.5, §4, §8), written straight from the
// formulas with naive loops: torch.nn.GRU / LSTM (§8.1, §8.2, packed sequences for lengths), d2l Seq2SeqEncoder and
// Seq2SeqAttentionDecoder's loop (§3.5), Luong's equations (§4), greedy decoding, structured self-attention (§8.3),
// feature-wise attention (§8.4) and the hierarchical attention network (§8.5). Nothing from bindings/.
// State dicts are name -> flat row-major array (PyTorch names); sequences are time-major (T, B, F) like torch.nn.GRU.
import { type Num, linear, softmaxRows } from './math.ts';
import { maskedSoftmax } from './d2l.ts';

export type RefSD = Record<string, Num>;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const elu = (x: number) => (x > 0 ? x : Math.expm1(x));

function get(sd: RefSD, name: string): Num {
  const v = sd[name];
  if (!v) throw new Error(`reference: missing parameter ${name}`);
  return v;
}

/** One GRU step of one row (§8.1): gates r, z, n stacked in that order; b_hn inside r ⊙ (W_hn h + b_hn). */
export function gruCell(x: Num, h: Num, inF: number, H: number, Wih: Num, Whh: Num, bih: Num | null, bhh: Num | null): Float64Array {
  const gi = linear(x, 1, inF, Wih, bih), gh = linear(h, 1, H, Whh, bhh);
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const r = sigmoid(gi[j] + gh[j]);
    const z = sigmoid(gi[H + j] + gh[H + j]);
    const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
    out[j] = (1 - z) * n + z * h[j];
  }
  return out;
}

/** One LSTM step of one row (§8.2): gates i, f, g, o. */
export function lstmCell(x: Num, h: Num, c: Num, inF: number, H: number, Wih: Num, Whh: Num, bih: Num | null, bhh: Num | null):
    { h: Float64Array; c: Float64Array } {
  const gi = linear(x, 1, inF, Wih, bih), gh = linear(h, 1, H, Whh, bhh);
  const hn = new Float64Array(H), cn = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const i = sigmoid(gi[j] + gh[j]);
    const f = sigmoid(gi[H + j] + gh[H + j]);
    const g = Math.tanh(gi[2 * H + j] + gh[2 * H + j]);
    const o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
    cn[j] = f * c[j] + i * g;
    hn[j] = o * Math.tanh(cn[j]);
  }
  return { h: hn, c: cn };
}

export interface RnnConfig {
  mode: 'GRU' | 'LSTM';
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;       // default 1
  bidirectional?: boolean;  // default false
  bias?: boolean;           // default true
}

/** nn.GRU / nn.LSTM parameter names and shapes (prefix e.g. 'rnn.'). */
export function rnnParamShapes(cfg: RnnConfig, prefix = ''): Record<string, number[]> {
  const G = cfg.mode === 'GRU' ? 3 : 4, H = cfg.hiddenSize, L = cfg.numLayers ?? 1, D = cfg.bidirectional ? 2 : 1;
  const out: Record<string, number[]> = {};
  for (let k = 0; k < L; k++) {
    for (const sfx of D === 2 ? ['', '_reverse'] : ['']) {
      const inF = k === 0 ? cfg.inputSize : D * H;
      out[`${prefix}weight_ih_l${k}${sfx}`] = [G * H, inF];
      out[`${prefix}weight_hh_l${k}${sfx}`] = [G * H, H];
      if (cfg.bias ?? true) {
        out[`${prefix}bias_ih_l${k}${sfx}`] = [G * H];
        out[`${prefix}bias_hh_l${k}${sfx}`] = [G * H];
      }
    }
  }
  return out;
}

/**
 * torch.nn.GRU / LSTM forward. x (T, B, in); h0 / c0 (D·L, B, H) or null (zeros); lens (B) or null: packed
 * sequences (pack_padded_sequence + pad_packed_sequence): batch b runs steps 0..lens[b]-1 only, the reverse
 * direction starts at lens[b]-1, outputs past lens[b] are 0 and h_n is the state after the last valid step.
 * Returns output (T, B, D·H), hN (D·L, B, H), cN (LSTM).
 */
export function rnnRef(cfg: RnnConfig, sd: RefSD, prefix: string, x: Num, T: number, B: number,
                       h0: Num | null = null, c0: Num | null = null, lens: Num | null = null):
    { output: Float64Array; hN: Float64Array; cN: Float64Array | null } {
  const H = cfg.hiddenSize, L = cfg.numLayers ?? 1, D = cfg.bidirectional ? 2 : 1, bias = cfg.bias ?? true;
  const lstm = cfg.mode === 'LSTM';
  const hN = new Float64Array(D * L * B * H), cN = lstm ? new Float64Array(D * L * B * H) : null;
  let input: Num = x, inF = cfg.inputSize;
  let output = new Float64Array(0);
  for (let k = 0; k < L; k++) {
    output = new Float64Array(T * B * D * H);
    for (let d = 0; d < D; d++) {
      const sfx = d === 1 ? '_reverse' : '';
      const Wih = get(sd, `${prefix}weight_ih_l${k}${sfx}`), Whh = get(sd, `${prefix}weight_hh_l${k}${sfx}`);
      const bih = bias ? get(sd, `${prefix}bias_ih_l${k}${sfx}`) : null, bhh = bias ? get(sd, `${prefix}bias_hh_l${k}${sfx}`) : null;
      const s = k * D + d;
      for (let b = 0; b < B; b++) {
        const len = lens ? Math.min(T, lens[b]) : T;
        let h: Num = h0 ? Array.from({ length: H }, (_, j) => h0[(s * B + b) * H + j]) : new Float64Array(H);
        let c: Num = c0 ? Array.from({ length: H }, (_, j) => c0[(s * B + b) * H + j]) : new Float64Array(H);
        for (let step = 0; step < len; step++) {
          const t = d === 0 ? step : len - 1 - step;
          const xt = Array.from({ length: inF }, (_, i) => input[(t * B + b) * inF + i]);
          if (lstm) {
            const r = lstmCell(xt, h, c, inF, H, Wih, Whh, bih, bhh);
            h = r.h; c = r.c;
          } else {
            h = gruCell(xt, h, inF, H, Wih, Whh, bih, bhh);
          }
          for (let j = 0; j < H; j++) output[(t * B + b) * D * H + d * H + j] = h[j];
        }
        for (let j = 0; j < H; j++) {
          hN[(s * B + b) * H + j] = h[j];
          if (cN) cN[(s * B + b) * H + j] = c[j];
        }
      }
    }
    input = output;
    inF = D * H;
  }
  return { output, hN, cN };
}

/** nn.Embedding: rows of table [V, e] for ids. */
export function embedding(table: Num, e: number, ids: Num): Float64Array {
  const out = new Float64Array(ids.length * e);
  for (let i = 0; i < ids.length; i++) for (let j = 0; j < e; j++) out[i * e + j] = table[ids[i] * e + j];
  return out;
}

export interface Seq2SeqConfig {
  vocabSize: number;
  embedSize: number;
  numHiddens: number;
  numLayers: number;
}

/** d2l Seq2SeqEncoder: tokens [B, T] -> embedding (B, T, e) -> permute (T, B, e) -> GRU. Names embedding.weight, rnn.*. */
export function seq2seqEncoderRef(cfg: Seq2SeqConfig, sd: RefSD, tokens: Num, B: number, T: number):
    { outputs: Float64Array; state: Float64Array } {
  const e = cfg.embedSize;
  const emb = embedding(get(sd, 'embedding.weight'), e, tokens);   // (B, T, e)
  const x = new Float64Array(T * B * e);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let j = 0; j < e; j++) x[(t * B + b) * e + j] = emb[(b * T + t) * e + j];
  const r = rnnRef({ mode: 'GRU', inputSize: e, hiddenSize: cfg.numHiddens, numLayers: cfg.numLayers }, sd, 'rnn.', x, T, B);
  return { outputs: r.output, state: r.hN };
}

/** d2l Seq2SeqAttentionDecoder parameter shapes (zh names; the en model only differs by the `decoder.` prefix). */
export function bahdanauParamShapes(cfg: Seq2SeqConfig): Record<string, number[]> {
  const { vocabSize: V, embedSize: e, numHiddens: h, numLayers: L } = cfg;
  return {
    'attention.W_k.weight': [h, h], 'attention.W_q.weight': [h, h], 'attention.w_v.weight': [1, h],
    'embedding.weight': [V, e],
    ...rnnParamShapes({ mode: 'GRU', inputSize: e + h, hiddenSize: h, numLayers: L }, 'rnn.'),
    'dense.weight': [V, h], 'dense.bias': [V],
  };
}

/**
 * d2l Seq2SeqAttentionDecoder.forward, eval mode (§3.5): encOutputs (T, B, h) from the encoder, hidden (L, B, h),
 * validLens (B) or null, X [B, Td] target tokens. Per step: query = hidden[-1]; context = additive attention over the
 * encoder outputs (keys = values); x = cat(context, embedding); one GRU step. Returns logits [B, Td, V], the weights
 * [B, Td, T] and the final hidden (L, B, h).
 */
export function bahdanauDecoderRef(cfg: Seq2SeqConfig, sd: RefSD, encOutputs: Num, T: number, B: number, hidden: Num,
                                   validLens: Num | null, X: Num, Td: number):
    { logits: Float64Array; weights: Float64Array; hidden: Float64Array } {
  const { vocabSize: V, embedSize: e, numHiddens: h, numLayers: L } = cfg;
  const enc = permuteTB(encOutputs, T, B, h);                    // (B, T, h)
  const kp = linear(enc, B * T, h, get(sd, 'attention.W_k.weight'), null);
  const wv = get(sd, 'attention.w_v.weight');
  let state: Float64Array<ArrayBufferLike> = Float64Array.from(hidden);
  const tops = new Float64Array(B * Td * h), weights = new Float64Array(B * Td * T);
  const rcfg: RnnConfig = { mode: 'GRU', inputSize: e + h, hiddenSize: h, numLayers: L };
  for (let t = 0; t < Td; t++) {
    const query = state.subarray((L - 1) * B * h, L * B * h);    // (B, h)
    const qp = linear(query, B, h, get(sd, 'attention.W_q.weight'), null);
    const scores = new Float64Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let u = 0; u < h; u++) s += wv[u] * Math.tanh(qp[b * h + u] + kp[(b * T + j) * h + u]);
        scores[b * T + j] = s;
      }
    }
    const w = maskedSoftmax(scores, B, 1, T, validLens);
    const x = new Float64Array(B * (h + e));
    const ids = Array.from({ length: B }, (_, b) => X[b * Td + t]);
    const emb = embedding(get(sd, 'embedding.weight'), e, ids);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < h; u++) {
        let c = 0;
        for (let j = 0; j < T; j++) c += w[b * T + j] * enc[(b * T + j) * h + u];
        x[b * (h + e) + u] = c;                                   // context first
      }
      for (let u = 0; u < e; u++) x[b * (h + e) + h + u] = emb[b * e + u];
      for (let j = 0; j < T; j++) weights[(b * Td + t) * T + j] = w[b * T + j];
    }
    const r = rnnRef(rcfg, sd, 'rnn.', x, 1, B, state);
    state = r.hN;
    for (let b = 0; b < B; b++) for (let u = 0; u < h; u++) tops[(b * Td + t) * h + u] = r.output[b * h + u];
  }
  const logits = linear(tops, B * Td, h, get(sd, 'dense.weight'), get(sd, 'dense.bias'));
  return { logits, weights, hidden: state };
}

/** (T, B, F) -> (B, T, F) */
export function permuteTB(x: Num, T: number, B: number, F: number): Float64Array {
  const y = new Float64Array(T * B * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) y[(b * T + t) * F + f] = x[(t * B + b) * F + f];
  return y;
}

export interface LuongConfig {
  vocabSize: number;
  embedSize: number;
  hiddenSize: number;
  numLayers: number;
  cell: 'LSTM' | 'GRU';
  score: 'dot' | 'general' | 'concat';
  inputFeeding: boolean;
  /** 'context_first' (the paper, OpenNMT): W_c [c; h]; 'hidden_first' (PyTorch chatbot tutorial): W_c [h; c]. */
  concatOrder: 'context_first' | 'hidden_first';
  /** Biases of W_a (general / concat) and W_c. */
  attnBias: boolean;
  outBias: boolean;
}

export function luongParamShapes(c: LuongConfig): Record<string, number[]> {
  const { vocabSize: V, embedSize: e, hiddenSize: h } = c;
  const out: Record<string, number[]> = { 'embedding.weight': [V, e] };
  Object.assign(out, rnnParamShapes({ mode: c.cell, inputSize: e + (c.inputFeeding ? h : 0), hiddenSize: h, numLayers: c.numLayers }, 'rnn.'));
  if (c.score === 'general') { out['attn.W_a.weight'] = [h, h]; if (c.attnBias) out['attn.W_a.bias'] = [h]; }
  if (c.score === 'concat') { out['attn.W_a.weight'] = [h, 2 * h]; if (c.attnBias) out['attn.W_a.bias'] = [h]; out['attn.v_a.weight'] = [1, h]; }
  out['W_c.weight'] = [h, 2 * h];
  if (c.attnBias) out['W_c.bias'] = [h];
  out['W_s.weight'] = [V, h];
  if (c.outBias) out['W_s.bias'] = [V];
  return out;
}

/**
 * Luong decoder (§4), global attention, eval mode. encOutputs [B, S, h] (batch first), validLens (B) or null, initial
 * state h0 / c0 (L, B, h) or null (zeros), X [B, Td]. Per step: x = [emb(y); h̃_{t-1}] with input feeding (h̃_0 = 0);
 * h_t = RNN(x); a_t = masked_softmax(score(h_t, h̄_s)); c_t = Σ a_t h̄_s; h̃_t = tanh(W_c [c_t; h_t] + b_c);
 * logits = W_s h̃_t + b_s; probs = softmax(logits).
 */
export function luongDecoderRef(c: LuongConfig, sd: RefSD, enc: Num, B: number, S: number, validLens: Num | null,
                                h0: Num | null, c0: Num | null, X: Num, Td: number):
    { logits: Float64Array; probs: Float64Array; weights: Float64Array; attentional: Float64Array; hidden: Float64Array; cell: Float64Array | null } {
  const { vocabSize: V, embedSize: e, hiddenSize: h, numLayers: L } = c;
  const inF = e + (c.inputFeeding ? h : 0);
  const rcfg: RnnConfig = { mode: c.cell, inputSize: inF, hiddenSize: h, numLayers: L };
  let hid: Float64Array = h0 ? Float64Array.from(h0) : new Float64Array(L * B * h);
  let cel: Float64Array | null = c.cell === 'LSTM' ? (c0 ? Float64Array.from(c0) : new Float64Array(L * B * h)) : null;
  let feed = new Float64Array(B * h);
  const weights = new Float64Array(B * Td * S), att = new Float64Array(B * Td * h);
  // keys projected once: general W_a h̄ (+ b); concat: the h̄ half of W_a
  const Wa = c.score !== 'dot' ? get(sd, 'attn.W_a.weight') : null;
  const ba = c.score !== 'dot' && c.attnBias ? get(sd, 'attn.W_a.bias') : null;
  for (let t = 0; t < Td; t++) {
    const ids = Array.from({ length: B }, (_, b) => X[b * Td + t]);
    const emb = embedding(get(sd, 'embedding.weight'), e, ids);
    const x = new Float64Array(B * inF);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < e; u++) x[b * inF + u] = emb[b * e + u];
      if (c.inputFeeding) for (let u = 0; u < h; u++) x[b * inF + e + u] = feed[b * h + u];
    }
    const r = rnnRef(rcfg, sd, 'rnn.', x, 1, B, hid, cel);
    hid = r.hN; cel = r.cN;
    const ht = r.output;   // (1, B, h)
    const scores = new Float64Array(B * S);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        const hs = Array.from({ length: h }, (_, u) => enc[(b * S + s) * h + u]);
        const hq = Array.from({ length: h }, (_, u) => ht[b * h + u]);
        let v = 0;
        if (c.score === 'dot') {
          for (let u = 0; u < h; u++) v += hq[u] * hs[u];
        } else if (c.score === 'general') {
          const p = linear(hs, 1, h, Wa!, ba);
          for (let u = 0; u < h; u++) v += hq[u] * p[u];
        } else {
          const p = linear([...hq, ...hs], 1, 2 * h, Wa!, ba);
          const va = get(sd, 'attn.v_a.weight');
          for (let u = 0; u < h; u++) v += va[u] * Math.tanh(p[u]);
        }
        scores[b * S + s] = v;
      }
    }
    const w = maskedSoftmax(scores, B, 1, S, validLens);
    const cat = new Float64Array(B * 2 * h);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < h; u++) {
        let ctx = 0;
        for (let s = 0; s < S; s++) ctx += w[b * S + s] * enc[(b * S + s) * h + u];
        const [first, second] = c.concatOrder === 'context_first' ? [ctx, ht[b * h + u]] : [ht[b * h + u], ctx];
        cat[b * 2 * h + u] = first;
        cat[b * 2 * h + h + u] = second;
      }
      for (let s = 0; s < S; s++) weights[(b * Td + t) * S + s] = w[b * S + s];
    }
    const tilde = linear(cat, B, 2 * h, get(sd, 'W_c.weight'), c.attnBias ? get(sd, 'W_c.bias') : null).map(Math.tanh);
    feed = tilde;
    for (let b = 0; b < B; b++) for (let u = 0; u < h; u++) att[(b * Td + t) * h + u] = tilde[b * h + u];
  }
  const logits = linear(att, B * Td, h, get(sd, 'W_s.weight'), c.outBias ? get(sd, 'W_s.bias') : null);
  return { logits, probs: softmaxRows(logits, B * Td, V), weights, attentional: att, hidden: hid, cell: cel };
}

/** Index of the largest value of each row (first on ties). */
export function argmaxRows(x: Num, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Greedy decoding of one sequence with a step function (d2l predict_seq2seq): start from `bos`, feed the argmax back,
 * stop after `eos` is produced (not included) or maxLength tokens.
 */
export function greedyRef(step: (token: number) => { logits: Num; weights: Num }, bos: number, eos: number, maxLength: number):
    { tokens: number[]; weights: number[][] } {
  const tokens: number[] = [], weights: number[][] = [];
  let y = bos;
  for (let t = 0; t < maxLength; t++) {
    const r = step(y);
    y = argmaxRows(r.logits, 1, r.logits.length)[0];
    if (y === eos) break;
    tokens.push(y);
    weights.push(Array.from(r.weights));
  }
  return { tokens, weights };
}

/**
 * Structured self-attention (§8.3): H [B, n, d]; A = softmax_over_positions(W_s2 tanh(W_s1 Hᵀ + b1) + b2) [B, r, n]
 * (d2l masking with validLens (B)); M = A H [B, r, d]; penalty ‖A Aᵀ − I‖²_F per batch.
 */
export function structuredSelfAttentionRef(Hx: Num, B: number, n: number, d: number, W1: Num, b1: Num | null, W2: Num, b2: Num | null,
                                           validLens: Num | null): { M: Float64Array; A: Float64Array; penalty: Float64Array } {
  const da = W1.length / d, r = W2.length / da;
  const u = linear(Hx, B * n, d, W1, b1).map(Math.tanh);          // [B·n, da]
  const s = linear(u, B * n, da, W2, b2);                         // [B·n, r]
  const st = new Float64Array(B * r * n);
  for (let b = 0; b < B; b++) for (let i = 0; i < r; i++) for (let t = 0; t < n; t++) st[(b * r + i) * n + t] = s[(b * n + t) * r + i];
  const A = maskedSoftmax(st, B, r, n, validLens);
  const M = new Float64Array(B * r * d), penalty = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < r; i++) {
      for (let f = 0; f < d; f++) {
        let acc = 0;
        for (let t = 0; t < n; t++) acc += A[(b * r + i) * n + t] * Hx[(b * n + t) * d + f];
        M[(b * r + i) * d + f] = acc;
      }
      for (let j = 0; j < r; j++) {
        let dot = 0;
        for (let t = 0; t < n; t++) dot += A[(b * r + i) * n + t] * A[(b * r + j) * n + t];
        penalty[b] += (dot - (i === j ? 1 : 0)) ** 2;
      }
    }
  }
  return { M, A, penalty };
}

/**
 * Feature-wise (multi-dimensional) attention (§8.4): x [B, n, d], query [B, dq] or null;
 * f(x_i, q) = W σ(W1 x_i + W2 q + b1) + b  (d scores per position), P = softmax over positions for every feature
 * (d2l masking with validLens), s = Σ_i P_i ⊙ x_i. Returns s [B, d] and P [B, n, d].
 */
export function featureWiseAttentionRef(x: Num, B: number, n: number, d: number, W1: Num, b1: Num | null, W2: Num | null, query: Num | null,
                                        W: Num, bW: Num | null, act: 'elu' | 'tanh' | 'relu', validLens: Num | null):
    { output: Float64Array; weights: Float64Array } {
  const hdim = W1.length / d;
  const f = act === 'elu' ? elu : act === 'tanh' ? Math.tanh : (v: number) => Math.max(0, v);
  const pre = linear(x, B * n, d, W1, b1);
  if (W2 && query) {
    const dq = W2.length / hdim;
    const qp = linear(query, B, dq, W2, null);
    for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) for (let j = 0; j < hdim; j++) pre[(b * n + t) * hdim + j] += qp[b * hdim + j];
  }
  const scores = linear(pre.map(f), B * n, hdim, W, bW);          // [B·n, d]
  const st = new Float64Array(B * d * n);
  for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) st[(b * d + k) * n + t] = scores[(b * n + t) * d + k];
  const P = maskedSoftmax(st, B, d, n, validLens);                // [B, d, n]
  const weights = new Float64Array(B * n * d), output = new Float64Array(B * d);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < d; k++) {
      for (let t = 0; t < n; t++) {
        const p = P[(b * d + k) * n + t];
        weights[(b * n + t) * d + k] = p;
        output[b * d + k] += p * x[(b * n + t) * d + k];
      }
    }
  }
  return { output, weights };
}

export interface HanConfig {
  inputSize: number;
  wordHidden: number;
  sentenceHidden: number;
  wordAttention: number;
  sentenceAttention: number;
  numClasses: number | null;
}

export function hanParamShapes(c: HanConfig): Record<string, number[]> {
  const out: Record<string, number[]> = {
    ...rnnParamShapes({ mode: 'GRU', inputSize: c.inputSize, hiddenSize: c.wordHidden, bidirectional: true }, 'word_rnn.'),
    'word_attention.weight': [c.wordAttention, 2 * c.wordHidden], 'word_attention.bias': [c.wordAttention],
    'word_context_vector.weight': [1, c.wordAttention],
    ...rnnParamShapes({ mode: 'GRU', inputSize: 2 * c.wordHidden, hiddenSize: c.sentenceHidden, bidirectional: true }, 'sentence_rnn.'),
    'sentence_attention.weight': [c.sentenceAttention, 2 * c.sentenceHidden], 'sentence_attention.bias': [c.sentenceAttention],
    'sentence_context_vector.weight': [1, c.sentenceAttention],
  };
  if (c.numClasses) { out['fc.weight'] = [c.numClasses, 2 * c.sentenceHidden]; out['fc.bias'] = [c.numClasses]; }
  return out;
}

// attention pooling of one level: hs (len, F) -> (Σ α h, α); α = softmax over the len valid rows of (tanh(W h + b)ᵀ u)
function attentionPool(hs: Num, len: number, F: number, W: Num, b: Num, u: Num): { v: Float64Array; alpha: Float64Array } {
  const proj = linear(hs, len, F, W, b).map(Math.tanh);
  const A = u.length;
  const s = new Float64Array(len);
  for (let t = 0; t < len; t++) for (let j = 0; j < A; j++) s[t] += proj[t * A + j] * u[j];
  const alpha = softmaxRows(s, 1, len);
  const v = new Float64Array(F);
  for (let t = 0; t < len; t++) for (let f = 0; f < F; f++) v[f] += alpha[t] * hs[t * F + f];
  return { v, alpha };
}

/**
 * Hierarchical attention network (§8.5), one document at a time: x [B, S, T, in] word vectors, wordLens [B, S]
 * (0 < len <= T), sentenceLens [B] (0 < len <= S). Bidirectional GRU over the valid words of each sentence (packed);
 * word attention; bidirectional GRU over the valid sentence vectors; sentence attention; optional classifier logits.
 * Weights past a length are 0.
 */
export function hanRef(c: HanConfig, sd: RefSD, x: Num, B: number, S: number, T: number, wordLens: Num, sentenceLens: Num):
    { document: Float64Array; wordWeights: Float64Array; sentenceWeights: Float64Array; logits: Float64Array | null } {
  const hw = c.wordHidden, hs = c.sentenceHidden, inF = c.inputSize;
  const wordWeights = new Float64Array(B * S * T), sentenceWeights = new Float64Array(B * S), document = new Float64Array(B * 2 * hs);
  for (let b = 0; b < B; b++) {
    const ns = sentenceLens[b];
    const sents = new Float64Array(ns * 2 * hw);
    for (let s = 0; s < ns; s++) {
      const len = wordLens[b * S + s];
      const xs = new Float64Array(len * inF);
      for (let t = 0; t < len; t++) for (let i = 0; i < inF; i++) xs[t * inF + i] = x[((b * S + s) * T + t) * inF + i];
      const r = rnnRef({ mode: 'GRU', inputSize: inF, hiddenSize: hw, bidirectional: true }, sd, 'word_rnn.', xs, len, 1);
      const p = attentionPool(r.output, len, 2 * hw, get(sd, 'word_attention.weight'), get(sd, 'word_attention.bias'), get(sd, 'word_context_vector.weight'));
      sents.set(p.v, s * 2 * hw);
      for (let t = 0; t < len; t++) wordWeights[(b * S + s) * T + t] = p.alpha[t];
    }
    const r = rnnRef({ mode: 'GRU', inputSize: 2 * hw, hiddenSize: hs, bidirectional: true }, sd, 'sentence_rnn.', sents, ns, 1);
    const p = attentionPool(r.output, ns, 2 * hs, get(sd, 'sentence_attention.weight'), get(sd, 'sentence_attention.bias'), get(sd, 'sentence_context_vector.weight'));
    document.set(p.v, b * 2 * hs);
    for (let s = 0; s < ns; s++) sentenceWeights[b * S + s] = p.alpha[s];
  }
  const logits = c.numClasses ? linear(document, B, 2 * hs, get(sd, 'fc.weight'), get(sd, 'fc.bias')) : null;
  return { document, wordWeights, sentenceWeights, logits };
}
