// float64 references of torch.nn.GRU and torch.nn.LSTM written from PyTorch's equations (docs; ATTENTION_SEMANTICS.md
// section 8): gate rows r, z, n (GRU) and i, f, g, o (LSTM); b_hn inside the reset product; layer k > 0 takes the
// previous layer's output, both directions concatenated forward first; the backward direction runs t = L-1 .. 0.
// Shapes as the modules: input [T, N, in] or [N, T, in] (batchFirst); h0/c0 and hN/cN [D·layers, N, H].

export type Mode = 'GRU' | 'LSTM';
export interface RnnRefOptions {
  mode: Mode;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  bidirectional: boolean;
  batchFirst: boolean;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** One cell step in float64: W_ih [G·H, inF], W_hh [G·H, H], x [inF], h, c [H]; returns new h (and c). */
export function cellRef(mode: Mode, H: number, inF: number, wih: ArrayLike<number>, whh: ArrayLike<number>,
                        bih: ArrayLike<number> | null, bhh: ArrayLike<number> | null,
                        x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number> | null): { h: Float64Array; c: Float64Array | null } {
  const G = mode === 'GRU' ? 3 : 4;
  const gi = new Float64Array(G * H), gh = new Float64Array(G * H);
  for (let r = 0; r < G * H; r++) {
    let a = bih ? bih[r] : 0, b = bhh ? bhh[r] : 0;
    for (let k = 0; k < inF; k++) a += wih[r * inF + k] * x[k];
    for (let k = 0; k < H; k++) b += whh[r * H + k] * h[k];
    gi[r] = a; gh[r] = b;
  }
  const hn = new Float64Array(H);
  if (mode === 'GRU') {
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gi[j] + gh[j]);
      const z = sigmoid(gi[H + j] + gh[H + j]);
      const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      hn[j] = (1 - z) * n + z * h[j];
    }
    return { h: hn, c: null };
  }
  const cn = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const i = sigmoid(gi[j] + gh[j]);
    const f = sigmoid(gi[H + j] + gh[H + j]);
    const g = Math.tanh(gi[2 * H + j] + gh[2 * H + j]);
    const o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
    cn[j] = f * c![j] + i * g;
    hn[j] = o * Math.tanh(cn[j]);
  }
  return { h: hn, c: cn };
}

/** The whole module in float64. x: [T, N, in] ([N, T, in] batchFirst); h0, c0: [D·layers, N, H] or null (zeros). */
export function rnnRef(o: RnnRefOptions, sd: Record<string, ArrayLike<number>>, x: ArrayLike<number>, T: number, N: number,
                       h0: ArrayLike<number> | null = null, c0: ArrayLike<number> | null = null):
    { output: Float64Array; hN: Float64Array; cN: Float64Array | null } {
  const H = o.hiddenSize, D = o.bidirectional ? 2 : 1, lstm = o.mode === 'LSTM';
  const row = (t: number, n: number) => (o.batchFirst ? n * T + t : t * N + n);
  let input: ArrayLike<number> = x, inF = o.inputSize;
  const hN = new Float64Array(D * o.numLayers * N * H);
  const cN = lstm ? new Float64Array(D * o.numLayers * N * H) : null;
  let out = new Float64Array(0);
  for (let l = 0; l < o.numLayers; l++) {
    out = new Float64Array(T * N * D * H);
    for (let d = 0; d < D; d++) {
      const sfx = d === 1 ? '_reverse' : '';
      const wih = sd[`weight_ih_l${l}${sfx}`], whh = sd[`weight_hh_l${l}${sfx}`];
      const bih = o.bias ? sd[`bias_ih_l${l}${sfx}`] : null, bhh = o.bias ? sd[`bias_hh_l${l}${sfx}`] : null;
      const k = l * D + d;
      for (let n = 0; n < N; n++) {
        let h: ArrayLike<number> = h0 ? Array.from({ length: H }, (_, j) => h0[(k * N + n) * H + j]) : new Float64Array(H);
        let c: ArrayLike<number> | null = lstm ? (c0 ? Array.from({ length: H }, (_, j) => c0[(k * N + n) * H + j]) : new Float64Array(H)) : null;
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          const xr = row(t, n);
          const xt = Array.from({ length: inF }, (_, i) => input[xr * inF + i]);
          const r = cellRef(o.mode, H, inF, wih, whh, bih, bhh, xt, h, c);
          h = r.h; c = r.c;
          for (let j = 0; j < H; j++) out[xr * D * H + d * H + j] = h[j];
        }
        for (let j = 0; j < H; j++) hN[(k * N + n) * H + j] = h[j];
        if (cN && c) for (let j = 0; j < H; j++) cN[(k * N + n) * H + j] = c[j];
      }
    }
    input = out; inF = D * H;
  }
  return { output: out, hN, cN };
}

/** PyTorch state-dict names and shapes of a GRU/LSTM. */
export function rnnParamShapes(o: Pick<RnnRefOptions, 'mode' | 'inputSize' | 'hiddenSize' | 'numLayers' | 'bias' | 'bidirectional'>): Record<string, number[]> {
  const G = o.mode === 'GRU' ? 3 : 4, H = o.hiddenSize, D = o.bidirectional ? 2 : 1;
  const p: Record<string, number[]> = {};
  for (let l = 0; l < o.numLayers; l++) {
    const inF = l === 0 ? o.inputSize : D * H;
    for (const sfx of D === 2 ? ['', '_reverse'] : ['']) {
      p[`weight_ih_l${l}${sfx}`] = [G * H, inF];
      p[`weight_hh_l${l}${sfx}`] = [G * H, H];
      if (o.bias) { p[`bias_ih_l${l}${sfx}`] = [G * H]; p[`bias_hh_l${l}${sfx}`] = [G * H]; }
    }
  }
  return p;
}
