// The seeds' attention scoring functions (d2l / Bahdanau / Luong), single head, batched:
//   output = softmax(score(q, k), validLens) · v
// score: 'dot' q·k (Luong), 'scaledDot' q·k/√d (d2l DotProductAttention), 'general' q·(W_a k + b) (Luong),
// 'additive' w_vᵀ tanh(W_q q + W_k k) (Bahdanau, d2l AdditiveAttention).
import { checkBoolean, checkDropout, checkEnum, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, shapeOf, stage, type Input } from './inputs.ts';
import { additiveScores } from '../ops/additive.ts';
import { gemmBatched, gemmScratchFloats } from '../ops/gemm.ts';
import { PackedLinear } from '../ops/linear.ts';
import { upload, uploadI32 } from '../ops/memory.ts';
import { softmaxRows } from '../ops/softmax.ts';
import type { AttentionResult } from './multihead.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { DISPOSE } from '../runtime/dispose.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

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
  private readonly outputs: Outputs;
  private disposed = false;

  constructor(rt: Runtime, options: AttentionOptions) {
    const where = 'Attention';
    checkRuntime(where, rt);
    checkOptions(where, options, CTOR_OPTIONS);
    if (!options) failType(where, "options { score } are required");
    checkDropout(where, options.dropout);
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
    this.outputs = new Outputs(rt, 'Attention.forward');
  }

  /** Parameters with d2l / PyTorch names: additive W_q.weight [h, q], W_k.weight [h, k], w_v.weight [1, h];
   *  general W_a.weight [q, k] (+ W_a.bias [q]); none for dot products. */
  parameterShapes(): ParamSpec[] {
    const q = this.querySize!, k = this.keySize!, h = this.numHiddens!;
    if (this.score === 'additive') return [{ name: 'W_q.weight', shape: [h, q] }, { name: 'W_k.weight', shape: [h, k] }, { name: 'w_v.weight', shape: [1, h] }];
    if (this.score === 'general') return this.bias ? [{ name: 'W_a.weight', shape: [q, k] }, { name: 'W_a.bias', shape: [q] }] : [{ name: 'W_a.weight', shape: [q, k] }];
    return [];
  }

  /** Loads the parameters of parameterShapes(). options.prefix selects and strips keys ('decoder.attention.');
   *  options.strict (default true) false ignores unexpected keys (every parameter is still required). All or
   *  nothing: on any error the module keeps the weights it had. */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'Attention.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      let Wq: PackedLinear | null = null, Wk: PackedLinear | null = null, wv = 0;
      try {
        if (this.score === 'additive') {
          const h = this.numHiddens!;
          Wq = new PackedLinear(this.rt, w.get('W_q.weight')!, null, h, this.querySize!);
          Wk = new PackedLinear(this.rt, w.get('W_k.weight')!, null, h, this.keySize!);
          wv = this.rt.alloc(h * 4);
          upload(this.rt, wv, w.get('w_v.weight')!);
        } else if (this.score === 'general') {
          Wq = new PackedLinear(this.rt, w.get('W_a.weight')!, this.bias ? w.get('W_a.bias')! : null, this.querySize!, this.keySize!);
        }
      } catch (e) {
        Wq?.dispose(); Wk?.dispose();
        if (wv) this.rt.free(wv);
        throw e;
      }
      this.release();
      this.Wq = Wq; this.Wk = Wk; this.wv = wv;
      return this;
    });
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
    this.checkLive(where);
    checkOptions(where, options, ['validLens']);
    if (this.hasParameters && !this.Wq) fail(where, 'no weights loaded: call loadStateDict() first');
    const qs = shapeOf(where, 'queries', queries), ks = shapeOf(where, 'keys', keys), vs = shapeOf(where, 'values', values);
    checkTensorInput(this.rt, where, 'queries', queries);
    checkTensorInput(this.rt, where, 'keys', keys);
    checkTensorInput(this.rt, where, 'values', values);
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
    if (B < 1 || Q < 1) fail(where, `queries must not be empty, got shape ${fmtShape(qs)}`);
    if (K < 1) fail(where, `keys and values must not be empty, got shapes ${fmtShape(ks)} and ${fmtShape(vs)}`);
    const lensIn = this.checkLens(where, options.validLens, B, Q, K);

    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, own = this.outputs.lease;
      const q = stage(rt, ws, where, 'queries', queries, 'in.q', own);
      const k = keys === queries ? q : stage(rt, ws, where, 'keys', keys, 'in.k', own);
      const v = values === keys ? k : stage(rt, ws, where, 'values', values, 'in.v', own);
      // every buffer before anything is written: a failed allocation changes nothing
      const h = this.numHiddens ?? 0, d = this.score === 'general' ? dq : dk;
      const scores = ws.get('weights', B * Q * K);   // softmax runs in place: scores become the weights
      const out = ws.get('out', B * Q * dv);
      const qp = this.score === 'additive' ? ws.get('qp', B * Q * h) : 0;
      const kp = this.score === 'additive' ? ws.get('kp', B * K * h) : 0;
      const kw = this.score === 'general' ? ws.get('kw', B * K * dq) : 0;
      const lens = lensIn ? ws.get('lens', B * Q) : 0;
      const scratch = ws.get('gemm', Math.max(1, gemmScratchFloats(rt, Q, K, d), gemmScratchFloats(rt, Q, dv, K),
        this.Wq?.scratchFloats(this.score === 'additive' ? B * Q : B * K) ?? 0, this.Wk?.scratchFloats(B * K) ?? 0));
      if (lensIn) uploadI32(rt, lens, lensIn);

      // scores: [B, Q, K]
      if (this.score === 'additive') {
        this.Wq!.forward(q.ptr, B * Q, qp, scratch);   // W_q q: [B, Q, h]
        this.Wk!.forward(k.ptr, B * K, kp, scratch);   // W_k k: [B, K, h]
        additiveScores(rt, { batch: B, nq: Q, nk: K, hidden: h, qp, kp, wv: this.wv, out: scores });
      } else {
        let kk = k.ptr;
        if (this.score === 'general') {     // W_a k (+ b): [B, K, q]
          this.Wq!.forward(k.ptr, B * K, kw, scratch);
          kk = kw;
        }
        gemmBatched(rt, { batch: B, m: Q, n: K, k: d, a: q.ptr, lda: d, sa: Q * d, b: kk, ldb: d, sb: K * d,
          transposeB: true, c: scores, ldc: K, sc: Q * K, scratch });
      }
      const scale = this.score === 'scaledDot' ? 1 / Math.sqrt(dq) : 1;
      softmaxRows(rt, { rows: B * Q, cols: K, x: scores, ldx: K, y: scores, ldy: K, scale, lens });

      // output = weights · values: [B, Q, dv]
      gemmBatched(rt, { batch: B, m: Q, n: dv, k: K, a: scores, lda: K, sa: Q * K, b: v.ptr, ldb: dv, sb: K * dv,
        c: out, ldc: dv, sc: Q * dv, scratch });
      const lease = this.outputs.next();
      return { output: new Tensor(rt, out, [B, Q, dv], false, lease), weights: new Tensor(rt, scores, [B, Q, K], false, lease) };
    });
  }

  // validLens -> one length per query row (null = no masking), checked before any work starts
  private checkLens(where: string, vl: unknown, B: number, Q: number, K: number): Int32Array | null {
    if (vl === undefined || vl === null) return null;
    if (typeof vl !== 'object' || typeof (vl as ArrayLike<number>).length !== 'number') {
      failType(where, `validLens must be an array of lengths of shape [${B}] or [${B}, ${Q}], got ${describeValue(vl)}`);
    }
    const a = vl as ArrayLike<number>;
    if (a.length !== B && a.length !== B * Q) {
      fail(where, `validLens must have shape [B] = [${B}] or [B, Q] = [${B}, ${Q}] (${B} or ${B * Q} values), got ${a.length} values`);
    }
    const lens = new Int32Array(B * Q);
    for (let r = 0; r < B * Q; r++) {
      const len = a.length === B ? a[Math.floor(r / Q)] : a[r];
      if (typeof len !== 'number' || !(len >= 0)) fail(where, `validLens values must be non-negative numbers, got ${describeValue(len)}`);
      lens[r] = Math.min(Math.ceil(len), K); // d2l masks j >= len, i.e. keeps j < ceil(len)
    }
    return lens;
  }

  private release(): void {
    this.Wq?.dispose(); this.Wk?.dispose();
    this.Wq = this.Wk = null;
    if (this.wv) { this.rt.free(this.wv); this.wv = 0; }
  }

  private checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }

  /** `using att = new Attention(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}
