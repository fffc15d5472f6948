// The seeds' seq2seq attention: d2l's Seq2SeqEncoder (embedding + GRU) and Seq2SeqAttentionDecoder (BahdanauDecoder),
// Luong's global-attention decoder (LuongDecoder), and greedy decoding for both. Eval mode; composes GRU / LSTM
// (nn/rnn.ts) and ops; every step reads like the formulas:
//   Bahdanau (d2l §3.5):  c_t = Σ_s softmax_s(w_vᵀ tanh(W_q s_{t-1} + W_k h_s)) h_s;  s_t = GRU([c_t; emb(y_{t-1})], s_{t-1});
//                         logits = dense(s_t)
//   Luong (§4):           h_t = RNN([emb(y_{t-1}); h̃_{t-1}], state);  a_t = softmax_s(score(h_t, h̄_s));  c_t = Σ a_t h̄_s;
//                         h̃_t = tanh(W_c [c_t; h_t] + b_c);  logits = W_s h̃_t + b_s;  probs = softmax(logits)
// Encoder outputs come time-major (S, B, h) as torch.nn.GRU / d2l's encoder return them; d2l valid lengths mask the
// source positions j >= validLens[b] (score replaced by -1e6, d2l masked_softmax).
import { checkBoolean, checkDropout, checkEnum, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, shapeOf, stage, type Input } from './inputs.ts';
import { GRU, LSTM } from './rnn.ts';
import { lensPerRow } from './multidim.ts';
import { additiveScores } from '../ops/additive.ts';
import { unary } from '../ops/elementwise.ts';
import { gemmBatched, gemmScratchFloats } from '../ops/gemm.ts';
import { PackedLinear } from '../ops/linear.ts';
import { upload, uploadI32 } from '../ops/memory.ts';
import { copyRows, gatherRows, zero } from '../ops/seq2seq.ts';
import { softmaxRows } from '../ops/softmax.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

/** Token ids [B, T]: an array of rows, or { data, shape: [B, T] } (Int32Array, number[], ...). */
export type TokenInput = readonly ArrayLike<number>[] | { data: ArrayLike<number>; shape: readonly number[] };

/** Checks token ids against the vocabulary; returns them flat [B, T] row-major. */
function readTokens(where: string, name: string, x: unknown, V: number): { ids: Int32Array; B: number; T: number } {
  let B: number, T: number, at: (i: number) => unknown;
  if (Array.isArray(x)) {
    B = x.length;
    T = B ? (x[0] as ArrayLike<number>)?.length : 0;
    x.forEach((row, b) => {
      if (!row || typeof (row as ArrayLike<number>).length !== 'number') failType(where, `${name}[${b}] must be an array of token ids, got ${describeValue(row)}`);
      if ((row as ArrayLike<number>).length !== T) fail(where, `${name} rows must have equal lengths, row 0 has ${T} and row ${b} has ${(row as ArrayLike<number>).length}`);
    });
    at = (i) => (x[Math.floor(i / T)] as ArrayLike<number>)[i % T];
  } else {
    const o = x as { data?: unknown; shape?: unknown };
    if (!o || typeof o !== 'object' || !Array.isArray(o.shape) || !o.data || typeof (o.data as ArrayLike<number>).length !== 'number') {
      failType(where, `${name} must be token ids [B, T]: an array of rows or { data, shape: [B, T] }, got ${describeValue(x)}`);
    }
    if (o.shape.length !== 2) fail(where, `${name} must have shape [B, T], got ${fmtShape(o.shape as number[])}`);
    [B, T] = o.shape as number[];
    const data = o.data as ArrayLike<number>;
    if (data.length !== B * T) fail(where, `${name} has ${data.length} ids but shape ${fmtShape([B, T])} needs ${B * T}`);
    at = (i) => data[i];
  }
  if (!(B >= 1) || !(T >= 1)) fail(where, `${name} must not be empty, got shape ${fmtShape([B, T])}`);
  const ids = new Int32Array(B * T);
  for (let i = 0; i < B * T; i++) ids[i] = checkId(where, name, at(i), V);
  return { ids, B, T };
}

function checkId(where: string, name: string, v: unknown, V: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= V) {
    fail(where, `${name} must hold token ids in [0, vocabSize = ${V}), got ${describeValue(v)}`);
  }
  return v;
}

/** One step's tokens [B]. */
function readStepTokens(where: string, x: unknown, B: number, V: number): Int32Array {
  if (!x || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    failType(where, `tokens must be an array of ${B} token ids (one per batch), got ${describeValue(x)}`);
  }
  const a = x as ArrayLike<number>;
  if (a.length !== B) fail(where, `tokens must have one id per batch: ${B}, got ${a.length}`);
  const ids = new Int32Array(B);
  for (let i = 0; i < B; i++) ids[i] = checkId(where, 'tokens', a[i], V);
  return ids;
}

/** The keys of a state dict (object, Map or loaded safetensors file). */
function keysOf(sd: StateDictInput): string[] {
  if (sd instanceof Map) return [...sd.keys()].map(String);
  const f = sd as { names?: unknown; stateDict?: unknown };
  if (Array.isArray(f.names) && typeof f.stateDict === 'function') return f.names as string[];
  return sd && typeof sd === 'object' ? Object.keys(sd) : [];
}

/** A non-owning view of workspace memory, to hand to a module that takes Inputs (no copy). */
const view = (rt: Runtime, ptr: number, shape: number[]) => new Tensor(rt, ptr, shape, false);

/** Uploads an embedding table [V, e] into wasm memory. */
function loadTable(rt: Runtime, data: Float32Array): number {
  const p = rt.alloc(data.length * 4);
  upload(rt, p, data);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------

export interface Seq2SeqEncoderOptions {
  vocabSize: number;
  embedSize: number;
  numHiddens: number;
  /** GRU layers; default 1. */
  numLayers?: number;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface EncoderResult {
  /** (T, B, numHiddens): the top layer at every position (d2l's `output`). */
  outputs: Tensor;
  /** (numLayers, B, numHiddens): every layer's final state (d2l's `state`). */
  state: Tensor;
}

/**
 * d2l Seq2SeqEncoder: embedding, then a GRU over the time-major sequence. forward(tokens [B, T]) returns
 * { outputs (T, B, h), state (L, B, h) } exactly as d2l (the encoder ignores valid lengths, like d2l's).
 * State-dict names: `embedding.weight`, `rnn.weight_ih_l0`, ... (zh edition); the en edition's `rnn.rnn.*` (its
 * d2l.GRU wraps nn.GRU) is recognised too. A whole d2l model loads with { prefix: 'encoder.' }.
 */
export class Seq2SeqEncoder {
  readonly vocabSize: number;
  readonly embedSize: number;
  readonly numHiddens: number;
  readonly numLayers: number;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly rnn: GRU;
  private table = 0;
  private disposed = false;

  constructor(rt: Runtime, options: Seq2SeqEncoderOptions) {
    const where = 'Seq2SeqEncoder';
    checkRuntime(where, rt);
    checkOptions(where, options, ['vocabSize', 'embedSize', 'numHiddens', 'numLayers', 'dropout']);
    if (!options) failType(where, 'options { vocabSize, embedSize, numHiddens } are required');
    checkDropout(where, options.dropout);
    this.vocabSize = checkPositiveInt(where, 'vocabSize', options.vocabSize);
    this.embedSize = checkPositiveInt(where, 'embedSize', options.embedSize);
    this.numHiddens = checkPositiveInt(where, 'numHiddens', options.numHiddens);
    this.numLayers = options.numLayers === undefined ? 1 : checkPositiveInt(where, 'numLayers', options.numLayers);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.rnn = new GRU(rt, { inputSize: this.embedSize, hiddenSize: this.numHiddens, numLayers: this.numLayers }, 'Seq2SeqEncoder.rnn');
  }

  /** embedding.weight [V, e] and nn.GRU's rnn.* (zh names). */
  parameterShapes(): ParamSpec[] {
    return [{ name: 'embedding.weight', shape: [this.vocabSize, this.embedSize] },
      ...this.rnn.parameterShapes().map((p) => ({ name: `rnn.${p.name}`, shape: p.shape }))];
  }

  /** All or nothing. Accepts d2l zh names (rnn.*) and en names (rnn.rnn.*). */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'Seq2SeqEncoder.loadStateDict';
    this.checkLive(where);
    const prefix = options?.prefix ?? '';
    const en = keysOf(sd).some((k) => k.startsWith(`${prefix}rnn.rnn.`));
    const specs = this.parameterShapes().map((p) => (en && p.name.startsWith('rnn.') ? { ...p, name: `rnn.${p.name}` } : p));
    const w = readStateDict(where, sd, specs, options);
    const gru = new Map<string, Float32Array>();
    for (const [k, v] of w) if (k.startsWith('rnn.')) gru.set(k.slice(en ? 8 : 4), v);
    return this.rt.journal.atomic(where, () => {
      const table = loadTable(this.rt, w.get('embedding.weight')!);
      try {
        this.rnn.loadStateDict(gru);
      } catch (e) {
        this.rt.free(table);
        throw e;
      }
      const old = this.table;
      this.table = table;
      this.rt.journal.record(() => { this.rt.free(table); this.table = old; }, () => { if (old) this.rt.free(old); });
      return this;
    });
  }

  /** tokens [B, T] -> { outputs (T, B, h), state (L, B, h) }, valid until the next forward() or dispose(). */
  forward(tokens: TokenInput): EncoderResult {
    const where = 'Seq2SeqEncoder.forward';
    this.checkLive(where);
    if (!this.table) fail(where, 'no weights loaded: call loadStateDict() first');
    const { ids, B, T } = readTokens(where, 'tokens', tokens, this.vocabSize);
    const tb = new Int32Array(B * T);   // X.permute(1, 0): time-major ids
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) tb[t * B + b] = ids[b * T + t];
    return this.rt.journal.atomic(where, () => {
      const x = this.ws.get('x', T * B * this.embedSize);
      gatherRows(this.rt, this.table, this.embedSize, tb, x);
      const r = this.rnn.forward(view(this.rt, x, [T, B, this.embedSize]));
      return { outputs: r.output, state: r.hN };
    });
  }

  private checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.rnn.dispose();
    this.ws.dispose();
    if (this.table) this.rt.free(this.table);
    this.table = 0;
    this.disposed = true;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The decoding state of one batch of source sequences (d2l's `state`): the encoder outputs and their projected keys,
 * valid lengths, every layer's hidden state (and LSTM cell state, and Luong's h̃ for input feeding). Made by
 * decoder.initState(); step() and forward() advance it in place. Owns wasm memory: dispose() it (the decoder's
 * dispose() disposes its states too).
 */
export class DecoderState {
  readonly batch: number;
  readonly sourceLength: number;
  /** Steps taken since initState(). */
  steps = 0;
  /** @internal */ readonly owner: object;
  /** @internal */ enc = 0;
  /** @internal */ keys = 0;
  /** @internal */ lens = 0;
  /** @internal */ h = 0;
  /** @internal */ c = 0;
  /** @internal */ feed = 0;
  /** @internal */ readonly layers: number;
  /** @internal */ readonly hidden: number;
  /** @internal */ readonly validLens: Int32Array | null;
  private readonly rt: Runtime;
  private disposed = false;

  /** @internal Made by a decoder's initState(). */
  constructor(rt: Runtime, owner: object, d: { B: number; S: number; L: number; h: number; keyFloats: number; lens: Int32Array | null; cell: boolean; feed: boolean }) {
    this.rt = rt; this.owner = owner;
    this.batch = d.B; this.sourceLength = d.S; this.layers = d.L; this.hidden = d.h; this.validLens = d.lens;
    try {
      this.enc = rt.alloc(d.B * d.S * d.h * 4);
      if (d.keyFloats) this.keys = rt.alloc(d.keyFloats * 4);
      if (d.lens) { this.lens = rt.alloc(d.B * 4); uploadI32(rt, this.lens, d.lens); }
      this.h = rt.alloc(d.L * d.B * d.h * 4);
      if (d.cell) this.c = rt.alloc(d.L * d.B * d.h * 4);
      if (d.feed) this.feed = rt.alloc(d.B * d.h * 4);
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** A copy of every layer's hidden state, (numLayers, B, h). */
  hiddenState(): Float32Array {
    this.live('DecoderState.hiddenState');
    return this.rt.f32(this.h, this.layers * this.batch * this.hidden).slice();
  }

  /** A copy of every layer's cell state (LSTM decoders), else null. */
  cellState(): Float32Array | null {
    this.live('DecoderState.cellState');
    return this.c ? this.rt.f32(this.c, this.layers * this.batch * this.hidden).slice() : null;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal */
  live(where: string): void {
    if (this.disposed) fail(where, 'decoder state used after dispose()');
  }

  private free(): void {
    for (const p of [this.enc, this.keys, this.lens, this.h, this.c, this.feed]) if (p) this.rt.free(p);
    this.enc = this.keys = this.lens = this.h = this.c = this.feed = 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.free();
    this.disposed = true;
  }
}

/** What a step returns. */
export interface DecoderStepResult {
  /** [B, vocabSize]: the output layer before softmax. */
  logits: Tensor;
  /** [B, S]: this step's attention weights over the source positions. */
  weights: Tensor;
  /** The state, advanced by one step (the same object). */
  state: DecoderState;
}

export interface DecoderForwardResult {
  /** [B, T, vocabSize]. */
  logits: Tensor;
  /** [B, T, S]: one row of attention weights per target step (the alignment matrix of each sequence). */
  weights: Tensor;
  state: DecoderState;
}

/** What greedyDecode needs of a decoder. */
export interface StepDecoder {
  readonly vocabSize: number;
  step(tokens: ArrayLike<number>, state: DecoderState): { logits: Tensor; weights: Tensor; state: DecoderState };
}

/** The encoder's results as a decoder's initState takes them. */
export interface EncoderOutputs {
  /** (S, B, h) time-major, as torch.nn.GRU / LSTM and Seq2SeqEncoder return them. */
  outputs: Input;
  /** (L, B, h): the initial hidden state of every decoder layer (d2l: the encoder's final state). Luong: optional
   *  (zeros when omitted). */
  state?: Input | null;
  /** (L, B, h): LSTM decoders' initial cell state (zeros when omitted). */
  cell?: Input | null;
}

// Shared between the decoders: the checks and the copy of the encoder outputs into a new state.
abstract class AttentionDecoderBase {
  readonly vocabSize: number;
  readonly embedSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  protected readonly rt: Runtime;
  /** @internal */
  protected readonly ws: Workspace;
  /** @internal */
  protected readonly outputs: Outputs;
  protected readonly states = new Set<DecoderState>();
  protected table = 0;
  protected loaded = false;
  private disposed = false;

  constructor(rt: Runtime, protected readonly name: string, v: number, e: number, h: number, L: number) {
    this.vocabSize = v; this.embedSize = e; this.hiddenSize = h; this.numLayers = L;
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.step/forward`);
  }

  /** Floats of projected keys a state keeps (0 = none). */
  protected abstract keyFloats(B: number, S: number): number;
  /** Fills state.keys from state.enc. */
  protected abstract projectKeys(st: DecoderState, B: number, S: number): void;
  protected abstract readonly hasCell: boolean;
  protected abstract readonly hasFeed: boolean;
  protected abstract readonly needsState: boolean;

  /**
   * d2l init_state: copies the encoder outputs (S, B, h) into a new state (batch-major), projects the attention keys
   * once, and sets the hidden state (and cell state) of every layer. validLens [B]: source positions j >= len are
   * masked (d2l). The state is independent of the encoder's buffers.
   */
  initState(enc: EncoderOutputs, validLens: ArrayLike<number> | null = null): DecoderState {
    const where = `${this.name}.initState`;
    this.checkLive(where);
    if (!this.loaded) fail(where, 'no weights loaded: call loadStateDict() first');
    if (!enc || typeof enc !== 'object') failType(where, `enc must be { outputs, state } (the encoder's results), got ${describeValue(enc)}`);
    checkOptions(where, enc, ['outputs', 'state', 'cell']);
    const os = shapeOf(where, 'enc.outputs', enc.outputs);
    checkTensorInput(this.rt, where, 'enc.outputs', enc.outputs);
    const h = this.hiddenSize, L = this.numLayers;
    if (os.length !== 3 || os[2] !== h) fail(where, `enc.outputs must be (S, B, hiddenSize) = (S, B, ${h}), got shape ${fmtShape(os)}`);
    const [S, B] = os;
    if (S < 1 || B < 1) fail(where, `enc.outputs must not be empty, got shape ${fmtShape(os)}`);
    const check = (name: 'state' | 'cell', x: Input | null | undefined) => {
      if (x === undefined || x === null) return null;
      const s = shapeOf(where, `enc.${name}`, x);
      checkTensorInput(this.rt, where, `enc.${name}`, x);
      if (s.length !== 3 || s[0] !== L || s[1] !== B || s[2] !== h) fail(where, `enc.${name} must be (numLayers, B, hiddenSize) = ${fmtShape([L, B, h])}, got shape ${fmtShape(s)}`);
      return x;
    };
    const h0 = check('state', enc.state);
    const c0 = check('cell', enc.cell);
    if (this.needsState && !h0) fail(where, 'enc.state (numLayers, B, h) is required: d2l initialises the decoder with the encoder\'s final state');
    if (c0 && !this.hasCell) fail(where, 'enc.cell given, but this decoder has a GRU (no cell state)');
    const lens = lensPerRow(where, validLens, B, 1, S);
    return this.rt.journal.atomic(where, () => {
      const st = new DecoderState(this.rt, this, { B, S, L, h, keyFloats: this.keyFloats(B, S), lens, cell: this.hasCell, feed: this.hasFeed });
      try {
        const o = stage(this.rt, this.ws, where, 'enc.outputs', enc.outputs, 'init.enc');
        // (S, B, h) -> (B, S, h): enc_outputs.permute(1, 0, 2)
        for (let b = 0; b < B; b++) copyRows(this.rt, S, h, o.ptr + b * h * 4, B * h, st.enc + b * S * h * 4, h);
        const copyState = (x: Input | null, dst: number, slot: string) => {
          if (!dst) return;
          if (x) copyRows(this.rt, 1, L * B * h, stage(this.rt, this.ws, where, slot, x, `init.${slot}`).ptr, L * B * h, dst, L * B * h);
          else zero(this.rt, L * B * h, dst);
        };
        copyState(h0, st.h, 'state');
        copyState(c0, st.c, 'cell');
        if (st.feed) zero(this.rt, B * h, st.feed);
        this.projectKeys(st, B, S);
      } catch (e) {
        st.dispose();
        throw e;
      }
      this.states.add(st);
      this.rt.journal.record(() => { st.dispose(); this.states.delete(st); }, null);
      return st;
    });
  }

  protected checkState(where: string, st: unknown): DecoderState {
    if (!(st instanceof DecoderState)) failType(where, `state must be a DecoderState from initState(), got ${describeValue(st)}`);
    st.live(where);
    if (st.owner !== this) fail(where, 'state was made by another decoder\'s initState()');
    return st;
  }

  protected ready(where: string): void {
    this.checkLive(where);
    if (!this.loaded) fail(where, 'no weights loaded: call loadStateDict() first');
  }

  protected checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  protected embed(ids: ArrayLike<number>, dst: number, ldd: number): void {
    gatherRows(this.rt, this.table, this.embedSize, ids, dst, ldd);
  }

  /** Teacher forcing: step() over the target tokens [B, T] (d2l's decoder forward); equal to stepping. */
  forward(tokens: TokenInput, state: DecoderState): DecoderForwardResult {
    const where = `${this.name}.forward`;
    this.ready(where);
    const st = this.checkState(where, state);
    const { ids, B, T } = readTokens(where, 'tokens', tokens, this.vocabSize);
    if (B !== st.batch) fail(where, `tokens have batch ${B} but the state has batch ${st.batch}`);
    return this.rt.journal.atomic(where, () => {
      const S = st.sourceLength, h = this.hiddenSize, V = this.vocabSize;
      const tops = this.ws.get('f.tops', B * T * h);
      const weights = this.ws.get('f.weights', B * T * S);
      const logits = this.ws.get('f.logits', B * T * V);
      const scratch = this.ws.get('f.gemm', Math.max(1, this.outScratch(B * T)));
      const step = new Int32Array(B);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) step[b] = ids[b * T + t];
        const r = this.advance(where, step, st);
        copyRows(this.rt, B, h, r.top, h, tops + t * h * 4, T * h);     // row b·T + t
        copyRows(this.rt, B, S, r.weights, S, weights + t * S * 4, T * S);
      }
      this.project(tops, B * T, logits, scratch);
      const lease = this.outputs.next();
      return { logits: new Tensor(this.rt, logits, [B, T, V], false, lease), weights: new Tensor(this.rt, weights, [B, T, S], false, lease), state: st };
    });
  }

  /** @internal One step: returns pointers to the top-layer vector used for the output ([B, h]) and the weights [B, S]
   *  in the workspace; commits the new state into `st`. */
  protected abstract advance(where: string, ids: Int32Array, st: DecoderState): { top: number; weights: number };
  /** Output layer over `rows` rows of `top`: logits. */
  protected abstract project(top: number, rows: number, logits: number, scratch: number): void;
  protected abstract outScratch(rows: number): number;

  dispose(): void {
    if (this.disposed) return;
    for (const s of this.states) s.dispose();
    this.states.clear();
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }

  protected abstract release(): void;
}

// ---------------------------------------------------------------------------------------------------------------

export interface BahdanauDecoderOptions {
  vocabSize: number;
  embedSize: number;
  /** h: the GRU's hidden size, the attention's hidden size and the encoder's output size (d2l uses one num_hiddens). */
  numHiddens: number;
  /** GRU layers; default 1. */
  numLayers?: number;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

/**
 * d2l Seq2SeqAttentionDecoder (Bahdanau attention), eval mode. State-dict names as d2l: attention.W_k.weight [h, h],
 * attention.W_q.weight [h, h], attention.w_v.weight [1, h], embedding.weight [V, e], rnn.weight_ih_l{k}
 * ([3h, e + h] for k = 0: context first, then the embedding), rnn.weight_hh_l{k}, rnn.bias_*, dense.weight [V, h],
 * dense.bias [V]. The en edition's model loads with { prefix: 'decoder.' } (same names below it).
 */
export class BahdanauDecoder extends AttentionDecoderBase implements StepDecoder {
  protected readonly hasCell = false;
  protected readonly hasFeed = false;
  protected readonly needsState = true;
  private readonly rnn: GRU;
  private Wq: PackedLinear | null = null;
  private Wk: PackedLinear | null = null;
  private wv = 0;
  private dense: PackedLinear | null = null;

  constructor(rt: Runtime, options: BahdanauDecoderOptions) {
    const where = 'BahdanauDecoder';
    checkRuntime(where, rt);
    checkOptions(where, options, ['vocabSize', 'embedSize', 'numHiddens', 'numLayers', 'dropout']);
    if (!options) failType(where, 'options { vocabSize, embedSize, numHiddens } are required');
    checkDropout(where, options.dropout);
    const V = checkPositiveInt(where, 'vocabSize', options.vocabSize), e = checkPositiveInt(where, 'embedSize', options.embedSize);
    const h = checkPositiveInt(where, 'numHiddens', options.numHiddens);
    const L = options.numLayers === undefined ? 1 : checkPositiveInt(where, 'numLayers', options.numLayers);
    super(rt, where, V, e, h, L);
    this.rnn = new GRU(rt, { inputSize: h + e, hiddenSize: h, numLayers: L }, 'BahdanauDecoder.rnn');
  }

  /** d2l's numHiddens. */
  get numHiddens(): number {
    return this.hiddenSize;
  }

  parameterShapes(): ParamSpec[] {
    const V = this.vocabSize, e = this.embedSize, h = this.hiddenSize;
    return [
      { name: 'attention.W_k.weight', shape: [h, h] }, { name: 'attention.W_q.weight', shape: [h, h] }, { name: 'attention.w_v.weight', shape: [1, h] },
      { name: 'embedding.weight', shape: [V, e] },
      ...this.rnn.parameterShapes().map((p) => ({ name: `rnn.${p.name}`, shape: p.shape })),
      { name: 'dense.weight', shape: [V, h] }, { name: 'dense.bias', shape: [V] },
    ];
  }

  /** All or nothing. */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'BahdanauDecoder.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const gru = new Map<string, Float32Array>();
    for (const [k, v] of w) if (k.startsWith('rnn.')) gru.set(k.slice(4), v);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, V = this.vocabSize, h = this.hiddenSize;
      const made: PackedLinear[] = [];
      let table = 0, wv = 0;
      try {
        const Wq = new PackedLinear(rt, w.get('attention.W_q.weight')!, null, h, h); made.push(Wq);
        const Wk = new PackedLinear(rt, w.get('attention.W_k.weight')!, null, h, h); made.push(Wk);
        const dense = new PackedLinear(rt, w.get('dense.weight')!, w.get('dense.bias')!, V, h); made.push(dense);
        wv = rt.alloc(h * 4);
        upload(rt, wv, w.get('attention.w_v.weight')!);
        table = loadTable(rt, w.get('embedding.weight')!);
        this.rnn.loadStateDict(gru);
      } catch (e) {
        made.forEach((l) => l.dispose());
        if (wv) rt.free(wv);
        if (table) rt.free(table);
        throw e;
      }
      const old = { Wq: this.Wq, Wk: this.Wk, dense: this.dense, wv: this.wv, table: this.table, loaded: this.loaded };
      [this.Wq, this.Wk, this.dense] = made.length === 3 ? [made[0], made[1], made[2]] : [null, null, null];
      this.wv = wv; this.table = table; this.loaded = true;
      rt.journal.record(() => {
        made.forEach((l) => l.dispose()); rt.free(wv); rt.free(table);
        Object.assign(this, old);
      }, () => {
        old.Wq?.dispose(); old.Wk?.dispose(); old.dense?.dispose();
        if (old.wv) rt.free(old.wv);
        if (old.table) rt.free(old.table);
      });
      return this;
    });
  }

  protected keyFloats(B: number, S: number): number {
    return B * S * this.hiddenSize;
  }

  /** W_k h_s for every source position, once per sequence (d2l recomputes it every step; same values). */
  protected projectKeys(st: DecoderState, B: number, S: number): void {
    const scratch = this.ws.get('init.gemm', Math.max(1, this.Wk!.scratchFloats(B * S)));
    this.Wk!.forward(st.enc, B * S, st.keys, scratch);
  }

  /**
   * One decoding step (d2l's loop body) for tokens [B] (the previous target token of each sequence): returns
   * logits [B, V], this step's attention weights [B, S] (valid until the next step/forward of this decoder) and the
   * state, advanced in place.
   */
  step(tokens: ArrayLike<number>, state: DecoderState): DecoderStepResult {
    const where = 'BahdanauDecoder.step';
    this.ready(where);
    const st = this.checkState(where, state);
    const ids = readStepTokens(where, tokens, st.batch, this.vocabSize);
    return this.rt.journal.atomic(where, () => {
      const B = st.batch, V = this.vocabSize;
      const logits = this.ws.get('s.logits', B * V);
      const scratch = this.ws.get('s.gemm', Math.max(1, this.outScratch(B)));
      const r = this.advance(where, ids, st);
      this.project(r.top, B, logits, scratch);
      const lease = this.outputs.next();
      return { logits: new Tensor(this.rt, logits, [B, V], false, lease), weights: new Tensor(this.rt, r.weights, [B, st.sourceLength], false, lease), state: st };
    });
  }

  protected advance(_where: string, ids: Int32Array, st: DecoderState): { top: number; weights: number } {
    const rt = this.rt, ws = this.ws, B = st.batch, S = st.sourceLength, h = this.hiddenSize, e = this.embedSize, L = this.numLayers;
    const qp = ws.get('a.qp', B * h);
    const w = ws.get('a.weights', B * S);
    const x = ws.get('a.x', B * (h + e));
    const top = ws.get('a.top', B * h);
    const scratch = ws.get('a.gemm', Math.max(1, this.Wq!.scratchFloats(B), gemmScratchFloats(rt, 1, h, S)));
    // query = hidden_state[-1]: the last layer's state of the previous step
    this.Wq!.forward(st.h + (L - 1) * B * h * 4, B, qp, scratch);
    additiveScores(rt, { batch: B, nq: 1, nk: S, hidden: h, qp, kp: st.keys, wv: this.wv, out: w });
    softmaxRows(rt, { rows: B, cols: S, x: w, ldx: S, y: w, ldy: S, lens: st.lens });
    // x = cat(context, embedding): context into columns [0, h), the embedding into [h, h + e)
    gemmBatched(rt, { batch: B, m: 1, n: h, k: S, a: w, lda: S, sa: S, b: st.enc, ldb: h, sb: S * h, c: x, ldc: h + e, sc: h + e, scratch });
    this.embed(ids, x + h * 4, h + e);
    const r = this.rnn.step(view(rt, x, [B, h + e]), view(rt, st.h, [L, B, h]));
    copyRows(rt, 1, B * h, r.output.ptr, B * h, top, B * h);
    copyRows(rt, 1, L * B * h, r.h.ptr, L * B * h, st.h, L * B * h);   // commit: nothing can fail after this point
    st.steps++;
    return { top, weights: w };
  }

  protected project(top: number, rows: number, logits: number, scratch: number): void {
    this.dense!.forward(top, rows, logits, scratch);
  }

  protected outScratch(rows: number): number {
    return this.dense!.scratchFloats(rows);
  }

  protected release(): void {
    this.rnn.dispose();
    this.Wq?.dispose(); this.Wk?.dispose(); this.dense?.dispose();
    this.Wq = this.Wk = this.dense = null;
    if (this.wv) this.rt.free(this.wv);
    if (this.table) this.rt.free(this.table);
    this.wv = this.table = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------

export type LuongScore = 'dot' | 'general' | 'concat';

export interface LuongDecoderOptions {
  vocabSize: number;
  embedSize: number;
  /** h: the RNN's hidden size = the encoder's output size. */
  hiddenSize: number;
  /** 'dot' h_tᵀ h̄_s, 'general' h_tᵀ W_a h̄_s, 'concat' v_aᵀ tanh(W_a [h_t; h̄_s]). */
  score: LuongScore;
  /** Recurrent cell; default 'LSTM' (the paper). */
  cell?: 'LSTM' | 'GRU';
  numLayers?: number;
  /** Input feeding: the RNN input is [emb(y_{t-1}); h̃_{t-1}] (embedding first, as OpenNMT); default true. */
  inputFeeding?: boolean;
  /** W_c's input order: 'context_first' [c_t; h_t] (the paper, OpenNMT; default) or 'hidden_first' [h_t; c_t] (the PyTorch
   *  chatbot tutorial). */
  concatOrder?: 'context_first' | 'hidden_first';
  /** Biases in W_a (general, concat) and W_c: default false (OpenNMT); true for the chatbot tutorial's layout. */
  attentionBias?: boolean;
  /** W_s has a bias; default true. */
  outputBias?: boolean;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface LuongStepResult extends DecoderStepResult {
  /** [B, V] = softmax(logits): p(y_t | y_<t, x). */
  probs: Tensor;
  /** [B, h]: the attentional state h̃_t. */
  attentional: Tensor;
}

export interface LuongForwardResult extends DecoderForwardResult {
  /** [B, T, V]. */
  probs: Tensor;
}

/**
 * Luong et al. 2015 global-attention decoder, eval mode. State-dict names: embedding.weight [V, e]; rnn.* (nn.LSTM /
 * nn.GRU, input e + h with input feeding, else e); attn.W_a.weight ([h, h] general, [h, 2h] concat: [h_t; h̄_s]
 * columns), attn.W_a.bias [h] (attentionBias), attn.v_a.weight [1, h] (concat); W_c.weight [h, 2h] (+ W_c.bias);
 * W_s.weight [V, h] (+ W_s.bias).
 */
export class LuongDecoder extends AttentionDecoderBase implements StepDecoder {
  readonly score: LuongScore;
  readonly cell: 'LSTM' | 'GRU';
  readonly inputFeeding: boolean;
  readonly concatOrder: 'context_first' | 'hidden_first';
  readonly attentionBias: boolean;
  readonly outputBias: boolean;
  protected readonly hasCell: boolean;
  protected readonly hasFeed: boolean;
  protected readonly needsState = false;
  private readonly rnn: GRU | LSTM;
  private Wa: PackedLinear | null = null;      // general: W_a on keys; concat: the h̄ half of W_a (+ bias) on keys
  private WaQ: PackedLinear | null = null;     // concat: the h_t half of W_a
  private va = 0;
  private Wc: PackedLinear | null = null;
  private Ws: PackedLinear | null = null;

  constructor(rt: Runtime, options: LuongDecoderOptions) {
    const where = 'LuongDecoder';
    checkRuntime(where, rt);
    checkOptions(where, options, ['vocabSize', 'embedSize', 'hiddenSize', 'score', 'cell', 'numLayers', 'inputFeeding', 'concatOrder',
      'attentionBias', 'outputBias', 'dropout']);
    if (!options) failType(where, 'options { vocabSize, embedSize, hiddenSize, score } are required');
    checkDropout(where, options.dropout);
    const V = checkPositiveInt(where, 'vocabSize', options.vocabSize), e = checkPositiveInt(where, 'embedSize', options.embedSize);
    const h = checkPositiveInt(where, 'hiddenSize', options.hiddenSize);
    const L = options.numLayers === undefined ? 1 : checkPositiveInt(where, 'numLayers', options.numLayers);
    super(rt, where, V, e, h, L);
    this.score = checkEnum(where, 'score', options.score, ['dot', 'general', 'concat'] as const);
    this.cell = options.cell === undefined ? 'LSTM' : checkEnum(where, 'cell', options.cell, ['LSTM', 'GRU'] as const);
    this.inputFeeding = options.inputFeeding === undefined ? true : checkBoolean(where, 'inputFeeding', options.inputFeeding);
    this.concatOrder = options.concatOrder === undefined ? 'context_first' : checkEnum(where, 'concatOrder', options.concatOrder, ['context_first', 'hidden_first'] as const);
    this.attentionBias = options.attentionBias === undefined ? false : checkBoolean(where, 'attentionBias', options.attentionBias);
    this.outputBias = options.outputBias === undefined ? true : checkBoolean(where, 'outputBias', options.outputBias);
    this.hasCell = this.cell === 'LSTM';
    this.hasFeed = this.inputFeeding;
    const rnnOpts = { inputSize: e + (this.inputFeeding ? h : 0), hiddenSize: h, numLayers: L };
    this.rnn = this.cell === 'LSTM' ? new LSTM(rt, rnnOpts, 'LuongDecoder.rnn') : new GRU(rt, rnnOpts, 'LuongDecoder.rnn');
  }

  parameterShapes(): ParamSpec[] {
    const V = this.vocabSize, e = this.embedSize, h = this.hiddenSize;
    const p: ParamSpec[] = [{ name: 'embedding.weight', shape: [V, e] }, ...this.rnn.parameterShapes().map((q) => ({ name: `rnn.${q.name}`, shape: q.shape }))];
    if (this.score !== 'dot') {
      p.push({ name: 'attn.W_a.weight', shape: this.score === 'general' ? [h, h] : [h, 2 * h] });
      if (this.attentionBias) p.push({ name: 'attn.W_a.bias', shape: [h] });
      if (this.score === 'concat') p.push({ name: 'attn.v_a.weight', shape: [1, h] });
    }
    p.push({ name: 'W_c.weight', shape: [h, 2 * h] });
    if (this.attentionBias) p.push({ name: 'W_c.bias', shape: [h] });
    p.push({ name: 'W_s.weight', shape: [V, h] });
    if (this.outputBias) p.push({ name: 'W_s.bias', shape: [V] });
    return p;
  }

  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'LuongDecoder.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const rnnSd = new Map<string, Float32Array>();
    for (const [k, v] of w) if (k.startsWith('rnn.')) rnnSd.set(k.slice(4), v);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, V = this.vocabSize, h = this.hiddenSize;
      const made: PackedLinear[] = [];
      const mk = (W: Float32Array, b: Float32Array | null, o: number, i: number) => { const l = new PackedLinear(rt, W, b, o, i); made.push(l); return l; };
      let table = 0, va = 0, Wa: PackedLinear | null = null, WaQ: PackedLinear | null = null;
      let Wc: PackedLinear, Ws: PackedLinear;
      try {
        const ba = this.attentionBias && this.score !== 'dot' ? w.get('attn.W_a.bias')! : null;
        if (this.score === 'general') Wa = mk(w.get('attn.W_a.weight')!, ba, h, h);
        if (this.score === 'concat') {
          // W_a [h_t; h̄_s] = W_a[:, :h] h_t + W_a[:, h:] h̄_s: the key half (with the bias) is applied once per sequence
          const full = w.get('attn.W_a.weight')!, q = new Float32Array(h * h), k = new Float32Array(h * h);
          for (let r = 0; r < h; r++) { q.set(full.subarray(r * 2 * h, r * 2 * h + h), r * h); k.set(full.subarray(r * 2 * h + h, (r + 1) * 2 * h), r * h); }
          WaQ = mk(q, null, h, h);
          Wa = mk(k, ba, h, h);
          va = rt.alloc(h * 4);
          upload(rt, va, w.get('attn.v_a.weight')!);
        }
        Wc = mk(w.get('W_c.weight')!, this.attentionBias ? w.get('W_c.bias')! : null, h, 2 * h);
        Ws = mk(w.get('W_s.weight')!, this.outputBias ? w.get('W_s.bias')! : null, V, h);
        table = loadTable(rt, w.get('embedding.weight')!);
        this.rnn.loadStateDict(rnnSd);
      } catch (e) {
        made.forEach((l) => l.dispose());
        if (va) rt.free(va);
        if (table) rt.free(table);
        throw e;
      }
      const old = { Wa: this.Wa, WaQ: this.WaQ, va: this.va, Wc: this.Wc, Ws: this.Ws, table: this.table, loaded: this.loaded };
      Object.assign(this, { Wa, WaQ, va, Wc, Ws, table, loaded: true });
      rt.journal.record(() => {
        made.forEach((l) => l.dispose());
        if (va) rt.free(va);
        rt.free(table);
        Object.assign(this, old);
      }, () => {
        for (const l of [old.Wa, old.WaQ, old.Wc, old.Ws]) l?.dispose();
        if (old.va) rt.free(old.va);
        if (old.table) rt.free(old.table);
      });
      return this;
    });
  }

  protected keyFloats(B: number, S: number): number {
    return this.score === 'dot' ? 0 : B * S * this.hiddenSize;
  }

  protected projectKeys(st: DecoderState, B: number, S: number): void {
    if (this.score === 'dot') return;
    const scratch = this.ws.get('init.gemm', Math.max(1, this.Wa!.scratchFloats(B * S)));
    this.Wa!.forward(st.enc, B * S, st.keys, scratch);
  }

  /** One step for tokens [B]: logits, probs = softmax(logits), the attention weights [B, S], h̃_t, and the state. */
  step(tokens: ArrayLike<number>, state: DecoderState): LuongStepResult {
    const where = 'LuongDecoder.step';
    this.ready(where);
    const st = this.checkState(where, state);
    const ids = readStepTokens(where, tokens, st.batch, this.vocabSize);
    return this.rt.journal.atomic(where, () => {
      const B = st.batch, V = this.vocabSize, h = this.hiddenSize;
      const logits = this.ws.get('s.logits', B * V);
      const probs = this.ws.get('s.probs', B * V);
      const scratch = this.ws.get('s.gemm', Math.max(1, this.outScratch(B)));
      const r = this.advance(where, ids, st);
      this.project(r.top, B, logits, scratch);
      softmaxRows(this.rt, { rows: B, cols: V, x: logits, ldx: V, y: probs, ldy: V });
      const lease = this.outputs.next();
      return {
        logits: new Tensor(this.rt, logits, [B, V], false, lease), probs: new Tensor(this.rt, probs, [B, V], false, lease),
        weights: new Tensor(this.rt, r.weights, [B, st.sourceLength], false, lease),
        attentional: new Tensor(this.rt, r.top, [B, h], false, lease), state: st,
      };
    });
  }

  /** Teacher forcing over tokens [B, T]: logits, probs [B, T, V], weights [B, T, S]; equal to stepping. */
  override forward(tokens: TokenInput, state: DecoderState): LuongForwardResult {
    const where = 'LuongDecoder.forward';
    return this.rt.journal.atomic(where, () => {
      const r = super.forward(tokens, state);
      const [B, T, V] = r.logits.shape;
      const probs = this.ws.get('f.probs', B * T * V);
      softmaxRows(this.rt, { rows: B * T, cols: V, x: r.logits.ptr, ldx: V, y: probs, ldy: V });
      return { ...r, probs: new Tensor(this.rt, probs, [B, T, V], false, r.logits.lease) };
    });
  }

  protected advance(_where: string, ids: Int32Array, st: DecoderState): { top: number; weights: number } {
    const rt = this.rt, ws = this.ws, B = st.batch, S = st.sourceLength, h = this.hiddenSize, e = this.embedSize, L = this.numLayers;
    const inF = e + (this.inputFeeding ? h : 0);
    const x = ws.get('a.x', B * inF);
    const w = ws.get('a.weights', B * S);
    const cat = ws.get('a.cat', B * 2 * h);
    const qp = this.score === 'concat' ? ws.get('a.qp', B * h) : 0;
    const tilde = ws.get('a.tilde', B * h);
    const scratch = ws.get('a.gemm', Math.max(1, gemmScratchFloats(rt, 1, S, h), gemmScratchFloats(rt, 1, h, S),
      this.WaQ?.scratchFloats(B) ?? 0, this.Wc!.scratchFloats(B)));
    // x = [emb(y_{t-1}); h̃_{t-1}]
    this.embed(ids, x, inF);
    if (this.inputFeeding) copyRows(rt, B, h, st.feed, h, x + e * 4, inF);
    const hs = view(rt, st.h, [L, B, h]);
    let top: number, hNew: number, cNew = 0;
    if (this.rnn instanceof LSTM) {
      const r = this.rnn.step(view(rt, x, [B, inF]), [hs, view(rt, st.c, [L, B, h])]);
      top = r.output.ptr; hNew = r.h.ptr; cNew = r.c.ptr;
    } else {
      const r = this.rnn.step(view(rt, x, [B, inF]), hs);
      top = r.output.ptr; hNew = r.h.ptr;
    }
    // scores of h_t against every h̄_s: [B, S]
    if (this.score === 'concat') {
      this.WaQ!.forward(top, B, qp, scratch);
      additiveScores(rt, { batch: B, nq: 1, nk: S, hidden: h, qp, kp: st.keys, wv: this.va, out: w });
    } else {
      gemmBatched(rt, { batch: B, m: 1, n: S, k: h, a: top, lda: h, sa: h, b: this.score === 'dot' ? st.enc : st.keys, ldb: h, sb: S * h,
        transposeB: true, c: w, ldc: S, sc: S, scratch });
    }
    softmaxRows(rt, { rows: B, cols: S, x: w, ldx: S, y: w, ldy: S, lens: st.lens });
    // h̃_t = tanh(W_c [c_t; h_t] + b_c) (or [h_t; c_t])
    const [cOff, hOff] = this.concatOrder === 'context_first' ? [0, h] : [h, 0];
    gemmBatched(rt, { batch: B, m: 1, n: h, k: S, a: w, lda: S, sa: S, b: st.enc, ldb: h, sb: S * h, c: cat + cOff * 4, ldc: 2 * h, sc: 2 * h, scratch });
    copyRows(rt, B, h, top, h, cat + hOff * 4, 2 * h);
    this.Wc!.forward(cat, B, tilde, scratch);
    unary(rt, 'tanh', B * h, tilde, tilde);
    // commit the new state
    copyRows(rt, 1, L * B * h, hNew, L * B * h, st.h, L * B * h);
    if (cNew) copyRows(rt, 1, L * B * h, cNew, L * B * h, st.c, L * B * h);
    if (this.inputFeeding) copyRows(rt, 1, B * h, tilde, B * h, st.feed, B * h);
    st.steps++;
    return { top: tilde, weights: w };
  }

  protected project(top: number, rows: number, logits: number, scratch: number): void {
    this.Ws!.forward(top, rows, logits, scratch);
  }

  protected outScratch(rows: number): number {
    return this.Ws!.scratchFloats(rows);
  }

  protected release(): void {
    this.rnn.dispose();
    for (const l of [this.Wa, this.WaQ, this.Wc, this.Ws]) l?.dispose();
    this.Wa = this.WaQ = this.Wc = this.Ws = null;
    if (this.va) this.rt.free(this.va);
    if (this.table) this.rt.free(this.table);
    this.va = this.table = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface GreedyOptions {
  /** The start token fed at step 0 (d2l's `<bos>`). */
  bos: number;
  /** Stop a sequence once this token is produced (d2l's `<eos>`); it is not included in `tokens`. */
  eos: number;
  /** At most this many steps. */
  maxLength: number;
}

export interface GreedyResult {
  /** Per sequence: the generated tokens, without the stop token. */
  tokens: number[][];
  /** Per sequence: true when it produced the stop token (then its alignment has one more row than tokens). */
  stopped: boolean[];
  /** Per sequence: the alignment matrix { data, shape: [rows, validLen] }, one row per step taken (the stop step
   *  included, like d2l's attention_weight_seq), columns = its valid source positions. attentionHeatmapSVG takes it. */
  alignments: { data: Float32Array; shape: [number, number] }[];
}

/**
 * Greedy decoding (d2l predict_seq2seq) for either decoder: feeds `bos`, then each step's argmax (first on ties),
 * until every sequence has produced `eos` or maxLength steps. Sequences that stopped keep stepping with `eos` as
 * input (their rows are not recorded). Advances `state`.
 */
export function greedyDecode(decoder: StepDecoder, state: DecoderState, options: GreedyOptions): GreedyResult {
  const where = 'greedyDecode';
  if (!decoder || typeof (decoder as StepDecoder).step !== 'function') failType(where, `decoder must be a BahdanauDecoder or LuongDecoder, got ${describeValue(decoder)}`);
  if (!(state instanceof DecoderState)) failType(where, `state must be a DecoderState from decoder.initState(), got ${describeValue(state)}`);
  checkOptions(where, options, ['bos', 'eos', 'maxLength']);
  if (!options) failType(where, 'options { bos, eos, maxLength } are required');
  const V = decoder.vocabSize;
  const bos = checkId(where, 'bos', options.bos, V), eos = checkId(where, 'eos', options.eos, V);
  const maxLength = checkPositiveInt(where, 'maxLength', options.maxLength);
  const B = state.batch, S = state.sourceLength;
  const lens = Array.from({ length: B }, (_, b) => (state.validLens ? state.validLens[b] : S));
  const tokens: number[][] = Array.from({ length: B }, () => []);
  const rows: Float32Array[][] = Array.from({ length: B }, () => []);
  const stopped = new Array<boolean>(B).fill(false);
  const input = new Int32Array(B).fill(bos);
  for (let t = 0; t < maxLength && stopped.some((s) => !s); t++) {
    const r = decoder.step(input, state);
    const logits = r.logits.data, weights = r.weights.data;
    for (let b = 0; b < B; b++) {
      if (stopped[b]) { input[b] = eos; continue; }
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[b * V + v] > logits[b * V + best]) best = v;
      rows[b].push(weights.slice(b * S, b * S + lens[b]));
      if (best === eos) stopped[b] = true; else tokens[b].push(best);
      input[b] = best;
    }
  }
  const alignments = rows.map((rs, b) => {
    const data = new Float32Array(rs.length * lens[b]);
    rs.forEach((row, i) => data.set(row, i * lens[b]));
    return { data, shape: [rs.length, lens[b]] as [number, number] };
  });
  return { tokens, stopped, alignments };
}
