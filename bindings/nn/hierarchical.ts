// Hierarchical attention network (Yang et al. 2016, seed 002's hierarchical attention), eval mode:
//   word level:     h_it = BiGRU(x_i)_t,  u_it = tanh(W_w h_it + b_w),  α_it = softmax_t(u_itᵀ u_w),  s_i = Σ_t α_it h_it
//   sentence level: h_i = BiGRU(s)_i,     u_i = tanh(W_s h_i + b_s),    α_i = softmax_i(u_iᵀ u_s),    v = Σ_i α_i h_i
//   optional classifier: logits = W_c v + b_c
// Padded words and sentences are skipped exactly as PyTorch's pack_padded_sequence does (the backward direction
// starts at the last valid word): sequences of equal length run as one batched GRU call.
import { checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, shapeOf, stage, type Input } from './inputs.ts';
import { GRU } from './rnn.ts';
import { unary } from '../ops/elementwise.ts';
import { gemmBatched, gemmScratchFloats } from '../ops/gemm.ts';
import { PackedLinear } from '../ops/linear.ts';
import { uploadI32 } from '../ops/memory.ts';
import { copyRows, zero } from '../ops/seq2seq.ts';
import { softmaxRows } from '../ops/softmax.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

export interface HierarchicalAttentionOptions {
  /** Features of each word vector (the embedding size). */
  inputSize: number;
  /** Word-level GRU hidden size per direction (word annotations have 2·wordHidden features). */
  wordHidden: number;
  /** Sentence-level GRU hidden size per direction. */
  sentenceHidden: number;
  /** Rows of W_w (and length of u_w); default 2·wordHidden. */
  wordAttention?: number;
  /** Rows of W_s (and length of u_s); default 2·sentenceHidden. */
  sentenceAttention?: number;
  /** A classifier fc: Linear(2·sentenceHidden, numClasses); omitted: no classifier. */
  numClasses?: number;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface HierarchicalAttentionResult {
  /** v: [B, 2·sentenceHidden]. */
  document: Tensor;
  /** α_it: [B, S, T] (0 past each sentence's length and for padded sentences). */
  wordWeights: Tensor;
  /** α_i: [B, S] (0 past each document's length). */
  sentenceWeights: Tensor;
  /** [B, numClasses] when the module has a classifier, else null. */
  logits: Tensor | null;
}

/**
 * Parameter names (as common PyTorch HAN ports, e.g. sgrvinod's): word_rnn.* and sentence_rnn.* (bidirectional nn.GRU),
 * word_attention.{weight,bias} (W_w, b_w), word_context_vector.weight [1, A] (u_w), sentence_attention.{weight,bias},
 * sentence_context_vector.weight [1, A] (u_s), fc.{weight,bias} with numClasses.
 */
export class HierarchicalAttention {
  readonly inputSize: number;
  readonly wordHidden: number;
  readonly sentenceHidden: number;
  readonly wordAttention: number;
  readonly sentenceAttention: number;
  readonly numClasses: number | null;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly outputs: Outputs;
  private readonly wordRnn: GRU;
  private readonly sentenceRnn: GRU;
  private lin: Record<'Ww' | 'uw' | 'Ws' | 'us' | 'fc', PackedLinear | null> = { Ww: null, uw: null, Ws: null, us: null, fc: null };
  private loaded = false;
  private disposed = false;

  constructor(rt: Runtime, options: HierarchicalAttentionOptions) {
    const where = 'HierarchicalAttention';
    checkRuntime(where, rt);
    checkOptions(where, options, ['inputSize', 'wordHidden', 'sentenceHidden', 'wordAttention', 'sentenceAttention', 'numClasses', 'dropout']);
    if (!options) failType(where, 'options { inputSize, wordHidden, sentenceHidden } are required');
    this.inputSize = checkPositiveInt(where, 'inputSize', options.inputSize);
    this.wordHidden = checkPositiveInt(where, 'wordHidden', options.wordHidden);
    this.sentenceHidden = checkPositiveInt(where, 'sentenceHidden', options.sentenceHidden);
    this.wordAttention = options.wordAttention === undefined ? 2 * this.wordHidden : checkPositiveInt(where, 'wordAttention', options.wordAttention);
    this.sentenceAttention = options.sentenceAttention === undefined ? 2 * this.sentenceHidden : checkPositiveInt(where, 'sentenceAttention', options.sentenceAttention);
    this.numClasses = options.numClasses === undefined || options.numClasses === null ? null : checkPositiveInt(where, 'numClasses', options.numClasses);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
    this.wordRnn = new GRU(rt, { inputSize: this.inputSize, hiddenSize: this.wordHidden, bidirectional: true }, `${where}.word_rnn`);
    this.sentenceRnn = new GRU(rt, { inputSize: 2 * this.wordHidden, hiddenSize: this.sentenceHidden, bidirectional: true }, `${where}.sentence_rnn`);
  }

  parameterShapes(): ParamSpec[] {
    const hw2 = 2 * this.wordHidden, hs2 = 2 * this.sentenceHidden, Aw = this.wordAttention, As = this.sentenceAttention;
    const p: ParamSpec[] = [
      ...this.wordRnn.parameterShapes().map((q) => ({ name: `word_rnn.${q.name}`, shape: q.shape })),
      { name: 'word_attention.weight', shape: [Aw, hw2] }, { name: 'word_attention.bias', shape: [Aw] }, { name: 'word_context_vector.weight', shape: [1, Aw] },
      ...this.sentenceRnn.parameterShapes().map((q) => ({ name: `sentence_rnn.${q.name}`, shape: q.shape })),
      { name: 'sentence_attention.weight', shape: [As, hs2] }, { name: 'sentence_attention.bias', shape: [As] }, { name: 'sentence_context_vector.weight', shape: [1, As] },
    ];
    if (this.numClasses !== null) p.push({ name: 'fc.weight', shape: [this.numClasses, hs2] }, { name: 'fc.bias', shape: [this.numClasses] });
    return p;
  }

  /** All or nothing. */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'HierarchicalAttention.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const sub = (p: string) => new Map([...w].filter(([k]) => k.startsWith(p)).map(([k, v]) => [k.slice(p.length), v]));
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, made: PackedLinear[] = [];
      const mk = (W: string, b: string | null, o: number, i: number) => { const l = new PackedLinear(rt, w.get(W)!, b ? w.get(b)! : null, o, i); made.push(l); return l; };
      let lin: typeof this.lin;
      try {
        lin = {
          Ww: mk('word_attention.weight', 'word_attention.bias', this.wordAttention, 2 * this.wordHidden),
          uw: mk('word_context_vector.weight', null, 1, this.wordAttention),
          Ws: mk('sentence_attention.weight', 'sentence_attention.bias', this.sentenceAttention, 2 * this.sentenceHidden),
          us: mk('sentence_context_vector.weight', null, 1, this.sentenceAttention),
          fc: this.numClasses !== null ? mk('fc.weight', 'fc.bias', this.numClasses, 2 * this.sentenceHidden) : null,
        };
        this.wordRnn.loadStateDict(sub('word_rnn.'));
        this.sentenceRnn.loadStateDict(sub('sentence_rnn.'));
      } catch (e) {
        made.forEach((l) => l.dispose());
        throw e;
      }
      const old = { lin: this.lin, loaded: this.loaded };
      this.lin = lin; this.loaded = true;
      rt.journal.record(() => { made.forEach((l) => l.dispose()); Object.assign(this, old); },
        () => { for (const l of Object.values(old.lin)) l?.dispose(); });
      return this;
    });
  }

  /**
   * x [B, S, T, inputSize]: B documents of S sentences of T word vectors. wordLens [B, S] (or flat B·S): words per
   * sentence (default T; 1 <= len <= T for sentences within the document's length); sentenceLens [B]: sentences per
   * document (default S; 1 <= len <= S). Results live in this module's memory until its next forward() or dispose().
   */
  forward(x: Input, options: { wordLens?: ArrayLike<number> | null; sentenceLens?: ArrayLike<number> | null } = {}): HierarchicalAttentionResult {
    const where = 'HierarchicalAttention.forward';
    this.checkLive(where);
    checkOptions(where, options, ['wordLens', 'sentenceLens']);
    if (!this.loaded) fail(where, 'no weights loaded: call loadStateDict() first');
    const xs = shapeOf(where, 'x', x);
    checkTensorInput(this.rt, where, 'x', x);
    expectRank(where, 'x', xs, [4], '(B, S, T, inputSize)');
    const [B, S, T, inF] = xs;
    if (inF !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features, got shape ${fmtShape(xs)}`);
    if (B < 1 || S < 1 || T < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const lens = (name: string, v: unknown, n: number, max: number, dflt: number): Int32Array => {
      if (v === undefined || v === null) return new Int32Array(n).fill(dflt);
      if (typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') failType(where, `${name} must be an array of ${n} lengths, got ${describeValue(v)}`);
      const a = v as ArrayLike<number>;
      if (a.length !== n) fail(where, `${name} must have ${n} values, got ${a.length}`);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (typeof a[i] !== 'number' || !Number.isInteger(a[i]) || a[i] < 0 || a[i] > max) fail(where, `${name} values must be integers in [0, ${max}], got ${describeValue(a[i])}`);
        out[i] = a[i];
      }
      return out;
    };
    const sentLens = lens('sentenceLens', options.sentenceLens, B, S, S);
    const wordLens = lens('wordLens', options.wordLens, B * S, T, T);
    for (let b = 0; b < B; b++) {
      if (sentLens[b] < 1) fail(where, `sentenceLens values must be at least 1, got ${sentLens[b]} for document ${b}`);
      for (let s = 0; s < sentLens[b]; s++) if (wordLens[b * S + s] < 1) fail(where, `wordLens of sentence ${s} of document ${b} must be at least 1 (it is within sentenceLens), got 0`);
    }
    const hw2 = 2 * this.wordHidden, hs2 = 2 * this.sentenceHidden, Aw = this.wordAttention, As = this.sentenceAttention;
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, L = this.lin;
      const xin = stage(rt, ws, where, 'x', x, 'in.x', this.outputs.lease);
      const Hw = ws.get('hw', B * S * T * hw2);
      const Uw = ws.get('uw', B * S * T * Aw);
      const aw = ws.get('aw', B * S * T);
      const sv = ws.get('sv', B * S * hw2);
      const Hs = ws.get('hs', B * S * hs2);
      const Us = ws.get('us', B * S * As);
      const as = ws.get('as', B * S);
      const doc = ws.get('doc', B * hs2);
      const logits = L.fc ? ws.get('logits', B * this.numClasses!) : 0;
      const seq = ws.get('seq', Math.max(B * S * T * inF, B * S * hw2));
      const lw = ws.get('lw', B * S), ls = ws.get('ls', B);
      const scratch = ws.get('gemm', Math.max(1, L.Ww!.scratchFloats(B * S * T), L.uw!.scratchFloats(B * S * T), L.Ws!.scratchFloats(B * S),
        L.us!.scratchFloats(B * S), L.fc?.scratchFloats(B) ?? 0, gemmScratchFloats(rt, 1, hw2, T), gemmScratchFloats(rt, 1, hs2, S)));
      zero(rt, B * S * T * hw2, Hw);
      zero(rt, B * S * hs2, Hs);

      // word level: one bidirectional GRU call per distinct sentence length (packed-sequence semantics)
      const groups = new Map<number, number[]>();   // length -> sentence indices b·S + s
      for (let b = 0; b < B; b++) for (let s = 0; s < sentLens[b]; s++) {
        const len = wordLens[b * S + s];
        groups.set(len, [...(groups.get(len) ?? []), b * S + s]);
      }
      for (const [len, members] of groups) {
        const n = members.length;
        members.forEach((i, j) => copyRows(rt, len, inF, xin.ptr + i * T * inF * 4, inF, seq + j * inF * 4, n * inF));   // time-major
        const r = this.wordRnn.forward(new Tensor(rt, seq, [len, n, inF], false));
        members.forEach((i, j) => copyRows(rt, len, hw2, r.output.ptr + j * hw2 * 4, n * hw2, Hw + i * T * hw2 * 4, hw2));
      }
      // word attention: α = softmax over the valid words of (tanh(W_w h + b_w))ᵀ u_w; s_i = Σ_t α_it h_it
      L.Ww!.forward(Hw, B * S * T, Uw, scratch);
      unary(rt, 'tanh', B * S * T * Aw, Uw, Uw);
      L.uw!.forward(Uw, B * S * T, aw, scratch);
      uploadI32(rt, lw, wordLens);
      softmaxRows(rt, { rows: B * S, cols: T, x: aw, ldx: T, y: aw, ldy: T, lens: lw });
      for (let b = 0; b < B; b++) if (sentLens[b] < S) zero(rt, (S - sentLens[b]) * T, aw + (b * S + sentLens[b]) * T * 4);   // padded sentences
      gemmBatched(rt, { batch: B * S, m: 1, n: hw2, k: T, a: aw, lda: T, sa: T, b: Hw, ldb: hw2, sb: T * hw2, c: sv, ldc: hw2, sc: hw2, scratch });

      // sentence level: the same over the sentence vectors, one call per distinct document length
      const docs = new Map<number, number[]>();
      for (let b = 0; b < B; b++) docs.set(sentLens[b], [...(docs.get(sentLens[b]) ?? []), b]);
      for (const [len, members] of docs) {
        const n = members.length;
        members.forEach((b, j) => copyRows(rt, len, hw2, sv + b * S * hw2 * 4, hw2, seq + j * hw2 * 4, n * hw2));
        const r = this.sentenceRnn.forward(new Tensor(rt, seq, [len, n, hw2], false));
        members.forEach((b, j) => copyRows(rt, len, hs2, r.output.ptr + j * hs2 * 4, n * hs2, Hs + b * S * hs2 * 4, hs2));
      }
      L.Ws!.forward(Hs, B * S, Us, scratch);
      unary(rt, 'tanh', B * S * As, Us, Us);
      L.us!.forward(Us, B * S, as, scratch);
      uploadI32(rt, ls, sentLens);
      softmaxRows(rt, { rows: B, cols: S, x: as, ldx: S, y: as, ldy: S, lens: ls });
      gemmBatched(rt, { batch: B, m: 1, n: hs2, k: S, a: as, lda: S, sa: S, b: Hs, ldb: hs2, sb: S * hs2, c: doc, ldc: hs2, sc: hs2, scratch });
      if (L.fc) L.fc.forward(doc, B, logits, scratch);

      const lease = this.outputs.next();
      return {
        document: new Tensor(rt, doc, [B, hs2], false, lease),
        wordWeights: new Tensor(rt, aw, [B, S, T], false, lease),
        sentenceWeights: new Tensor(rt, as, [B, S], false, lease),
        logits: L.fc ? new Tensor(rt, logits, [B, this.numClasses!], false, lease) : null,
      };
    });
  }

  private checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    for (const l of Object.values(this.lin)) l?.dispose();
    this.wordRnn.dispose();
    this.sentenceRnn.dispose();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
}
