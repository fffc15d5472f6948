// Computations large enough that init({ threads }) splits them (see bindings/ops/parallel.ts for the sizes), run
// through the public API; the bits of every output are returned so that runtimes with different thread counts (and
// engines) can be compared exactly. Platform neutral on purpose (Node, Deno, browser pages): no node: imports, no
// DOM; it receives the library as an argument.

interface TensorLike { readonly data: Float32Array; readonly shape: readonly number[]; dispose(): void }
interface ModuleLike {
  parameterShapes(): { name: string; shape: readonly number[] }[];
  loadStateDict(sd: Record<string, { data: Float32Array; shape: readonly number[] }>): unknown;
  forward(...args: unknown[]): unknown;
  createCache?(options?: Record<string, unknown>): { dispose(): void };
  dispose(): void;
}
interface RuntimeLike {
  readonly variant: string;
  readonly threads: { count: number; requested: number; reason: string | null };
  readonly pool?: { stats(): { jobs: number; workerTasks: number } } | null;
  tensor(data: ArrayLike<number>, shape: readonly number[]): TensorLike;
  readonly ops: Record<string, (...a: never[]) => unknown>;
  dispose(): void;
}
type Ctor = new (rt: RuntimeLike, options: Record<string, unknown>) => ModuleLike;
export interface ThreadsLib {
  init(options?: { variant?: 'auto' | 'relaxed' | 'simd'; threads?: number | 'auto' }): Promise<RuntimeLike>;
  MultiHead: Ctor; Transformer: Ctor; GRU: Ctor; LSTM: Ctor; Attention: Ctor; Seq2SeqEncoder: Ctor; BahdanauDecoder: Ctor;
}

/** Deterministic values in about [-scale, scale], the same bits in every engine. */
function fixed(n: number, seed: number, scale = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = scale * Math.sin(0.37 * i + 1.3 * seed) * Math.cos(0.011 * i * seed + 0.5);
  return x;
}
function stateDict(m: ModuleLike, seed: number): Record<string, { data: Float32Array; shape: readonly number[] }> {
  const sd: Record<string, { data: Float32Array; shape: readonly number[] }> = {};
  m.parameterShapes().forEach((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = fixed(n, seed + i, 0.1);
    if (/norm\d*\.weight$/.test(p.name)) for (let j = 0; j < n; j++) data[j] += 1;
    sd[p.name] = { data, shape: p.shape };
  });
  return sd;
}
const t = (d: Float32Array, shape: number[]) => ({ data: d, shape });

/** Output name -> the output's bits (as uint32 numbers, so NaN payloads and -0 compare too). */
export type ThreadsResults = Record<string, number[]>;
/** Output name -> parallel jobs the pool ran while computing it (0 without a pool). */
export type ThreadsJobs = Record<string, number>;

const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(x.slice().buffer));

/** Runs every split path once on `rt`: products (rows, columns, one row, batched), softmax with masks and a causal
 *  diagonal, LayerNorm, activations, additive scores, the SDPA op (fused), MultiHead (fused, weights per head and
 *  averaged), a Transformer encoder and a decoder step with a KV cache, GRU and LSTM. */
export function runThreadsChecks(lib: ThreadsLib, rt: RuntimeLike, jobs: ThreadsJobs = {}): ThreadsResults {
  const out: ThreadsResults = {};
  const op = rt.ops as unknown as Record<string, (...a: unknown[]) => Float32Array>;
  const jobCount = () => rt.pool?.stats().jobs ?? 0;
  let mark = jobCount();
  const keep = (name: string, r: TensorLike | Float32Array) => {
    out[name] = bits(r instanceof Float32Array ? r : r.data);
    const now = jobCount();
    if (!name.endsWith('.weights')) jobs[name] = now - mark;
    mark = now;
  };
  // products: columns split (n large), rows split (n small), one row (GEMV), odd sizes, transposed B with bias
  const mm = (m: number, k: number, n: number, seed: number, o: Record<string, unknown> = {}) =>
    op.matmul(fixed(m * k, seed), fixed(k * n, seed + 1), { m, k, n, ...o });
  keep('matmul.cols', mm(67, 131, 203, 1));
  keep('matmul.rows', mm(301, 97, 12, 3));
  keep('matmul.gemv', mm(1, 513, 517, 5));
  keep('matmul.transB.bias', mm(90, 77, 150, 7, { transposeB: true, bias: fixed(150, 9) }));
  const mask = new Float32Array(181).map((_, j) => (j % 17 === 3 ? -1e9 : j % 5 === 0 ? -0.5 : 0));
  keep('softmax', op.softmax(fixed(203 * 181, 9, 4), { rows: 203, cols: 181, mask, scale: 0.7 }));
  keep('softmax.causal', op.softmax(fixed(203 * 181, 10, 4), { rows: 203, cols: 181, causal: true }));
  keep('layernorm', op.layerNorm(fixed(211 * 130, 10, 3), { rows: 211, cols: 130, weight: fixed(130, 11), bias: fixed(130, 12) }));
  keep('gelu', op.gelu(fixed(40001, 11, 5)));
  keep('relu', op.relu(fixed(70003, 12, 5)));
  keep('additiveScores', op.additiveScores(fixed(2 * 60 * 48, 13), fixed(2 * 70 * 48, 14), fixed(48, 15), { batch: 2, nq: 60, nk: 70, hidden: 48 }));
  // the SDPA op: fused slices, a causal mask, row blocks of a single head
  const q = t(fixed(2 * 4 * 70 * 32, 12), [2, 4, 70, 32]), k = t(fixed(2 * 4 * 90 * 32, 13), [2, 4, 90, 32]);
  const v = t(fixed(2 * 4 * 90 * 24, 14), [2, 4, 90, 24]);
  keep('sdpa', op.scaledDotProductAttention(q, k, v));
  keep('sdpa.causal1', op.scaledDotProductAttention(t(fixed(300 * 64, 15), [1, 1, 300, 64]), t(fixed(300 * 64, 16), [1, 1, 300, 64]),
    t(fixed(300 * 64, 17), [1, 1, 300, 64]), { isCausal: true }));

  // MultiHead: E = 64, 4 heads, L = 48, S = 56, batch 2: fused, weights per head, weights averaged
  const mha = new lib.MultiHead(rt, { embedDim: 64, numHeads: 4, batchFirst: true });
  mha.loadStateDict(stateDict(mha, 20));
  const x = t(fixed(2 * 48 * 64, 21), [2, 48, 64]), mem = t(fixed(2 * 56 * 64, 22), [2, 56, 64]);
  const kpm = new Uint8Array(2 * 56); kpm[55] = 1; kpm[56 + 50] = 1;
  for (const [name, opts] of [['fused', { needWeights: false }], ['perHead', { needWeights: true, averageAttnWeights: false }],
    ['average', { needWeights: true }]] as const) {
    const r = mha.forward(x, mem, mem, { ...opts, keyPaddingMask: { data: kpm, shape: [2, 56] } }) as { output: TensorLike; weights: TensorLike | null };
    keep(`mha.${name}`, r.output);
    if (r.weights) keep(`mha.${name}.weights`, r.weights);
  }
  mha.dispose();

  // encoder layers (E 64, FF 160, L 40, batch 3, causal) and a 2-layer decoder (E 192, FF 768: its one-row
  // products are large enough to split) stepped with a KV cache
  const enc = new lib.Transformer(rt, { dModel: 64, nhead: 4, dimFeedforward: 160, numLayers: 2, batchFirst: true });
  enc.loadStateDict(stateDict(enc, 30));
  keep('encoder', enc.forward(t(fixed(3 * 40 * 64, 31), [3, 40, 64]), { isCausal: true }) as TensorLike);
  enc.dispose();
  const dec = new lib.Transformer(rt, { dModel: 192, nhead: 4, dimFeedforward: 768, numLayers: 2, batchFirst: true, kind: 'decoder' });
  dec.loadStateDict(stateDict(dec, 40));
  const memory = t(fixed(2 * 30 * 192, 41), [2, 30, 192]);
  const cache = dec.createCache!({ batch: 2, maxLength: 16 });
  for (let s = 0; s < 4; s++) {
    const y = dec.forward(t(fixed(2 * 192, 42 + s), [2, 1, 192]), memory, { cache }) as TensorLike;
    keep(`decoder.step${s}`, y);
  }
  cache.dispose();
  dec.dispose();

  // recurrent layers: hidden 160 (20 blocks of 8 units), 2 layers, bidirectional GRU, LSTM batch 3
  const gru = new lib.GRU(rt, { inputSize: 40, hiddenSize: 160, numLayers: 2, bidirectional: true });
  gru.loadStateDict(stateDict(gru, 50));
  keep('gru', (gru.forward(t(fixed(7 * 2 * 40, 51), [7, 2, 40])) as { output: TensorLike }).output);
  gru.dispose();
  const lstm = new lib.LSTM(rt, { inputSize: 40, hiddenSize: 160 });
  lstm.loadStateDict(stateDict(lstm, 60));
  keep('lstm', (lstm.forward(t(fixed(6 * 3 * 40, 61), [6, 3, 40])) as { output: TensorLike }).output);
  lstm.dispose();

  // additive attention (Bahdanau scores): batch 2, 60 queries, 70 keys, hidden 48
  const att = new lib.Attention(rt, { score: 'additive', querySize: 24, keySize: 20, numHiddens: 48 });
  att.loadStateDict(stateDict(att, 70));
  const ar = att.forward(t(fixed(2 * 60 * 24, 71), [2, 60, 24]), t(fixed(2 * 70 * 20, 72), [2, 70, 20]),
    t(fixed(2 * 70 * 16, 73), [2, 70, 16])) as { output: TensorLike; weights: TensorLike };
  keep('additive.output', ar.output);
  keep('additive.weights', ar.weights);
  att.dispose();

  // seq2seq (d2l): a GRU encoder and a Bahdanau decoder (vocab 3000, hidden 128): embedding, additive scores over the
  // source, GRU steps and the vocabulary projection all split
  const V = 3000, e = 64, h = 128, B = 2, S = 12, T = 5;
  const encoder = new lib.Seq2SeqEncoder(rt, { vocabSize: V, embedSize: e, numHiddens: h, numLayers: 2 });
  encoder.loadStateDict(stateDict(encoder, 80));
  const tokens = (n: number, seed: number) => ({ data: Array.from({ length: B * n }, (_, i) => (i * 7919 + seed * 104729) % V), shape: [B, n] });
  const encOut = encoder.forward(tokens(S, 1)) as { outputs: TensorLike; state: TensorLike };
  keep('seq2seq.encoder', encOut.outputs);
  const decoder = new lib.BahdanauDecoder(rt, { vocabSize: V, embedSize: e, numHiddens: h, numLayers: 2 });
  decoder.loadStateDict(stateDict(decoder, 90));
  const d = decoder as unknown as { initState(e: unknown, lens: number[]): unknown; forward(t: unknown, s: unknown): { logits: TensorLike; weights: TensorLike } };
  const dr = d.forward(tokens(T, 2), d.initState({ outputs: encOut.outputs, state: encOut.state }, [S, S - 3]));
  keep('seq2seq.decoder.logits', dr.logits);
  keep('seq2seq.decoder.weights', dr.weights);
  decoder.dispose();
  encoder.dispose();
  return out;
}

/** Names of the outputs whose bits differ (or exist in one result only). */
export function diffThreadsResults(a: ThreadsResults, b: ThreadsResults): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const bad: string[] = [];
  for (const n of names) {
    const x = a[n], y = b[n];
    if (!x || !y || x.length !== y.length || x.some((v, i) => v !== y[i])) bad.push(n);
  }
  return bad;
}
