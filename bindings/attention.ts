// The seeds' attention scoring functions (d2l / Bahdanau / Luong), single head, batched:
//   output = softmax(score(q, k), validLens) · v
// score: 'dot' q·k (Luong), 'scaledDot' q·k/√d (d2l DotProductAttention), 'general' q·(W_a k + b) (Luong),
// 'additive' w_vᵀ tanh(W_q q + W_k k) (Bahdanau, d2l AdditiveAttention).
import { checkBoolean, checkEnum, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from './errors.ts';
import { expectRank, shapeOf, stage, type Input } from './inputs.ts';
import { PackedLinear } from './ops/linear.ts';
import type { AttentionResult } from './multihead.ts';
import type { Runtime } from './runtime.ts';
import type { StateDictInput } from './safetensors.ts';
import { readStateDict, type ParamSpec } from './statedict.ts';
import { Tensor } from './tensor.ts';
import { Workspace } from './workspace.ts';

export type ScoreKind = 'dot' | 'scaledDot' | 'general' | 'additive';

export interface AttentionOptions {
  score: ScoreKind;
  /** Query features (required for 'general' and 'additive'). */
  querySize?: number;
  /** Key features (required for 'general' and 'additive'). */
  keySize?: number;
  /** Hidden units of the additive score (required for 'additive'). */
  numHiddens?: number;
  /** 'general' only: W_a has a bias (PyTorch chatbot tutorial layout); default false (OpenNMT / Luong). */
  bias?: boolean;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface AttentionForwardOptions {
  /** d2l valid_lens: [B] (one length per batch) or [B, Q] (per query); keys at j >= len get score -1e6. */
  validLens?: ArrayLike<number> | null;
}

const CTOR_OPTIONS = ['score', 'querySize', 'keySize', 'numHiddens', 'bias', 'dropout'];
const SCORES: readonly ScoreKind[] = ['dot', 'scaledDot', 'general', 'additive'];

export class Attention {
  readonly score: ScoreKind;
  readonly querySize: number | undefined;
  readonly keySize: number | undefined;
  readonly numHiddens: number | undefined;
  readonly bias: boolean;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private Wq: PackedLinear | null = null;  // additive: W_q [h, q]; general: W_a [q, k] applied to keys
  private Wk: PackedLinear | null = null;  // additive: W_k [h, k]
  private wv = 0;                          // additive: w_v [h] in wasm memory
  private disposed = false;

  constructor(rt: Runtime, options: AttentionOptions) {
    const where = 'Attention';
    checkOptions(where, options, CTOR_OPTIONS);
    if (!options) failType(where, "options { score } are required");
    this.score = checkEnum(where, 'score', options.score, SCORES);
    const needSizes = this.score === 'general' || this.score === 'additive';
    const size = (name: 'querySize' | 'keySize' | 'numHiddens', need: boolean) =>
      options[name] === undefined ? (need ? fail(where, `${name} is required for score '${this.score}'`) : undefined)
        : checkPositiveInt(where, name, options[name]);
    this.querySize = size('querySize', needSizes);
    this.keySize = size('keySize', needSizes);
    this.numHiddens = size('numHiddens', this.score === 'additive');
    this.bias = options.bias === undefined ? false : checkBoolean(where, 'bias', options.bias);
    if (this.bias && this.score !== 'general') fail(where, `bias applies to score 'general' only, got score '${this.score}'`);
    this.rt = rt;
    this.ws = new Workspace(rt);
  }

  /** Parameters with d2l / PyTorch names: additive W_q.weight [h, q], W_k.weight [h, k], w_v.weight [1, h];
   *  general W_a.weight [q, k] (+ W_a.bias [q]); none for dot products. */
  parameterShapes(): ParamSpec[] {
    const q = this.querySize!, k = this.keySize!, h = this.numHiddens!;
    if (this.score === 'additive') return [{ name: 'W_q.weight', shape: [h, q] }, { name: 'W_k.weight', shape: [h, k] }, { name: 'w_v.weight', shape: [1, h] }];
    if (this.score === 'general') return this.bias ? [{ name: 'W_a.weight', shape: [q, k] }, { name: 'W_a.bias', shape: [q] }] : [{ name: 'W_a.weight', shape: [q, k] }];
    return [];
  }

  loadStateDict(sd: StateDictInput): this {
    this.checkLive();
    const w = readStateDict('Attention.loadStateDict', sd, this.parameterShapes());
    this.release();
    if (this.score === 'additive') {
      const h = this.numHiddens!;
      this.Wq = new PackedLinear(this.rt, w.get('W_q.weight')!, null, h, this.querySize!);
      this.Wk = new PackedLinear(this.rt, w.get('W_k.weight')!, null, h, this.keySize!);
      this.wv = this.rt.alloc(h * 4);
      this.rt.f32(this.wv, h).set(w.get('w_v.weight')!);
    } else if (this.score === 'general') {
      this.Wq = new PackedLinear(this.rt, w.get('W_a.weight')!, this.bias ? w.get('W_a.bias')! : null, this.querySize!, this.keySize!);
    }
    return this;
  }

  get hasParameters(): boolean {
    return this.score === 'additive' || this.score === 'general';
  }

  /**
   * queries [B, Q, dq], keys [B, K, dk], values [B, K, dv] -> { output [B, Q, dv], weights [B, Q, K] }.
   * The returned tensors live in this module's memory until its next forward() or dispose().
   */
  forward(queries: Input, keys: Input, values: Input, options: AttentionForwardOptions = {}): AttentionResult {
    const where = 'Attention.forward';
    this.checkLive();
    checkOptions(where, options, ['validLens']);
    if (this.hasParameters && !this.Wq) fail(where, 'no weights loaded: call loadStateDict() first');
    const qs = shapeOf(where, 'queries', queries), ks = shapeOf(where, 'keys', keys), vs = shapeOf(where, 'values', values);
    expectRank(where, 'queries', qs, [3], '(B, Q, querySize)');
    expectRank(where, 'keys', ks, [3], '(B, K, keySize)');
    expectRank(where, 'values', vs, [3], '(B, K, valueSize)');
    const [B, Q, dq] = qs, [Bk, K, dk] = ks, [Bv, Kv, dv] = vs;
    if (Bk !== B || Bv !== B) fail(where, `batch sizes differ: queries ${B}, keys ${Bk}, values ${Bv}`);
    if (Kv !== K) fail(where, `keys and values must have the same number of keys, got ${K} and ${Kv} (shapes ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (this.querySize !== undefined && dq !== this.querySize) fail(where, `queries must have querySize = ${this.querySize} features, got shape ${fmtShape(qs)}`);
    if (this.keySize !== undefined && dk !== this.keySize) fail(where, `keys must have keySize = ${this.keySize} features, got shape ${fmtShape(ks)}`);
    if ((this.score === 'dot' || this.score === 'scaledDot') && dq !== dk) {
      fail(where, `score '${this.score}' needs queries and keys of the same size, got ${dq} and ${dk}`);
    }
    if (B < 1 || Q < 1 || K < 1) fail(where, `empty input: B = ${B}, Q = ${Q}, K = ${K}`);
    const lens = this.stageLens(where, options.validLens, B, Q, K);

    const rt = this.rt, x = rt.exports, ws = this.ws;
    const q = stage(rt, ws, where, 'queries', queries, 'in.q');
    const k = keys === queries ? q : stage(rt, ws, where, 'keys', keys, 'in.k');
    const v = values === keys ? k : stage(rt, ws, where, 'values', values, 'in.v');
    const scores = ws.get('weights', B * Q * K); // softmax runs in place: scores become the weights

    // scores: [B, Q, K]
    if (this.score === 'additive') {
      const h = this.numHiddens!;
      const qp = ws.get('qp', B * Q * h), kp = ws.get('kp', B * K * h);
      this.Wq!.forward(q.ptr, B * Q, qp);   // W_q q: [B, Q, h]
      this.Wk!.forward(k.ptr, B * K, kp);   // W_k k: [B, K, h]
      x.additive_scores_f32(B, Q, K, h, qp, kp, this.wv, scores);
    } else {
      let kk = k.ptr, d = dk;
      if (this.score === 'general') {     // W_a k (+ b): [B, K, q]
        kk = ws.get('kw', B * K * dq);
        this.Wq!.forward(k.ptr, B * K, kk);
        d = dq;
      }
      x.gemm_f32_batched(B, Q, K, d, q.ptr, d, Q * d, kk, d, K * d, scores, K, Q * K, 1, ws.get('gemm', x.gemm_scratch_size_f32(Q, K, d)));
    }
    const scale = this.score === 'scaledDot' ? 1 / Math.sqrt(dq) : 1;
    x.softmax_rows_f32(B * Q, K, scores, K, scores, K, 0, 0, 0, 0, lens, scale, 0, 0);

    // output = weights · values: [B, Q, dv]
    const out = ws.get('out', B * Q * dv);
    x.gemm_f32_batched(B, Q, dv, K, scores, K, Q * K, v.ptr, dv, K * dv, out, dv, Q * dv, 0, ws.get('gemm', x.gemm_scratch_size_f32(Q, dv, K)));
    return { output: new Tensor(rt, out, [B, Q, dv], false), weights: new Tensor(rt, scores, [B, Q, K], false) };
  }

  // validLens -> one i32 length per query row in wasm memory (0 = no masking)
  private stageLens(where: string, vl: unknown, B: number, Q: number, K: number): number {
    if (vl === undefined || vl === null) return 0;
    if (typeof vl !== 'object' || typeof (vl as ArrayLike<number>).length !== 'number') {
      failType(where, `validLens must be an array of lengths of shape [${B}] or [${B}, ${Q}], got ${describeValue(vl)}`);
    }
    const a = vl as ArrayLike<number>;
    if (a.length !== B && a.length !== B * Q) {
      fail(where, `validLens must have shape [B] = [${B}] or [B, Q] = [${B}, ${Q}] (${B} or ${B * Q} values), got ${a.length} values`);
    }
    const ptr = this.ws.get('lens', B * Q);
    const lens = new Int32Array(this.rt.memory.buffer, ptr, B * Q);
    for (let r = 0; r < B * Q; r++) {
      const len = a.length === B ? a[Math.floor(r / Q)] : a[r];
      if (typeof len !== 'number' || !(len >= 0)) fail(where, `validLens values must be non-negative numbers, got ${describeValue(len)}`);
      lens[r] = Math.min(Math.ceil(len), K); // d2l masks j >= len, i.e. keeps j < ceil(len)
    }
    return ptr;
  }

  private release(): void {
    this.Wq?.dispose(); this.Wk?.dispose();
    this.Wq = this.Wk = null;
    if (this.wv) { this.rt.free(this.wv); this.wv = 0; }
  }

  private checkLive(): void {
    if (this.disposed) fail('Attention', 'used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.release();
    this.ws.dispose();
    this.disposed = true;
  }
}
