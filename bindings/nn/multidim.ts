// The survey's (seed 002) multi-dimensional attention, in its two common forms:
//  - StructuredSelfAttention (Lin et al. 2017, 2-D attention with r hops):
//      A = softmax_positions(W_s2 tanh(W_s1 Hᵀ)) [r, n],  M = A H [r, d],  penalty P = ‖A Aᵀ − I‖²_F
//  - MultiDimensionalAttention (Shen et al. 2018, DiSAN's feature-wise / multi-dimensional attention):
//      f(x_i, q) = W σ(W1 x_i + W2 q + b1) + b  (one score per feature),  P = softmax over positions for every feature,
//      s = Σ_i P_i ⊙ x_i
// Inputs are batch first, [B, n, d] (d2l's layout); validLens [B] masks positions j >= len like d2l's masked_softmax.
import { checkBoolean, checkDropout, checkEnum, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, shapeOf, stage, type Input } from './inputs.ts';
import { unary } from '../ops/elementwise.ts';
import { gemmBatched, gemmScratchFloats } from '../ops/gemm.ts';
import { PackedLinear } from '../ops/linear.ts';
import { upload, uploadI32 } from '../ops/memory.ts';
import { addRowVector, elu, featurePool, gramPenalty, transposeBatched } from '../ops/seq2seq.ts';
import { softmaxRows } from '../ops/softmax.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

/** d2l valid lengths [B] -> one length per softmax row (rowsPerBatch rows per batch), checked before any work. */
export function lensPerRow(where: string, vl: unknown, B: number, rowsPerBatch: number, cols: number, name = 'validLens'): Int32Array | null {
  if (vl === undefined || vl === null) return null;
  if (typeof vl !== 'object' || typeof (vl as ArrayLike<number>).length !== 'number') {
    failType(where, `${name} must be an array of ${B} lengths (shape [B]), got ${describeValue(vl)}`);
  }
  const a = vl as ArrayLike<number>;
  if (a.length !== B) fail(where, `${name} must have shape [B] = [${B}], got ${a.length} values`);
  const lens = new Int32Array(B * rowsPerBatch);
  for (let b = 0; b < B; b++) {
    const len = a[b];
    if (typeof len !== 'number' || !(len >= 0)) fail(where, `${name} values must be non-negative numbers, got ${describeValue(len)}`);
    lens.fill(Math.min(Math.ceil(len), cols), b * rowsPerBatch, (b + 1) * rowsPerBatch);
  }
  return lens;
}

// ---------------------------------------------------------------------------------------------------------------

export interface StructuredSelfAttentionOptions {
  /** d: features of each position of H (2u for a BiLSTM of u units per direction). */
  inputSize: number;
  /** d_a: rows of W_s1 (the paper's da, e.g. 350). */
  attentionSize: number;
  /** r: attention hops (rows of A). */
  hops: number;
  /** W_s1 and W_s2 have biases (nn.Linear default in most PyTorch ports); default false (the paper). */
  bias?: boolean;
}

export interface StructuredSelfAttentionResult {
  /** M = A H: [B, r, d]. */
  output: Tensor;
  /** A: [B, r, n], each row a softmax over the n positions. */
  weights: Tensor;
  /** ‖A Aᵀ − I‖²_F per batch: [B] (the paper's P; its loss adds coefficient · mean over the batch). */
  penalty: Tensor;
}

export class StructuredSelfAttention {
  readonly inputSize: number;
  readonly attentionSize: number;
  readonly hops: number;
  readonly bias: boolean;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly outputs: Outputs;
  private W1: PackedLinear | null = null;
  private w2 = 0;            // W_s2 [r, da] row-major, unpacked: the A operand of the batched GEMM (shared by all batches)
  private disposed = false;

  constructor(rt: Runtime, options: StructuredSelfAttentionOptions) {
    const where = 'StructuredSelfAttention';
    checkRuntime(where, rt);
    checkOptions(where, options, ['inputSize', 'attentionSize', 'hops', 'bias']);
    if (!options) failType(where, 'options { inputSize, attentionSize, hops } are required');
    this.inputSize = checkPositiveInt(where, 'inputSize', options.inputSize);
    this.attentionSize = checkPositiveInt(where, 'attentionSize', options.attentionSize);
    this.hops = checkPositiveInt(where, 'hops', options.hops);
    this.bias = options.bias === undefined ? false : checkBoolean(where, 'bias', options.bias);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
  }

  /** W_s1.weight [d_a, d], W_s2.weight [r, d_a] (+ W_s1.bias [d_a], W_s2.bias [r] with bias). */
  parameterShapes(): ParamSpec[] {
    const d = this.inputSize, da = this.attentionSize, r = this.hops;
    const p: ParamSpec[] = [{ name: 'W_s1.weight', shape: [da, d] }, { name: 'W_s2.weight', shape: [r, da] }];
    if (this.bias) p.push({ name: 'W_s1.bias', shape: [da] }, { name: 'W_s2.bias', shape: [r] });
    return p;
  }

  /** All or nothing. W_s2.bias adds a constant to each row of scores, which the softmax over positions cancels: it is
   *  read (and shape-checked) but changes nothing. */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'StructuredSelfAttention.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      let W1: PackedLinear | null = null, w2 = 0;
      try {
        W1 = new PackedLinear(this.rt, w.get('W_s1.weight')!, this.bias ? w.get('W_s1.bias')! : null, this.attentionSize, this.inputSize);
        w2 = this.rt.alloc(this.hops * this.attentionSize * 4);
        upload(this.rt, w2, w.get('W_s2.weight')!);
      } catch (e) {
        W1?.dispose();
        if (w2) this.rt.free(w2);
        throw e;
      }
      this.release();
      this.W1 = W1; this.w2 = w2;
      return this;
    });
  }

  /** H [B, n, d] -> { output M [B, r, d], weights A [B, r, n], penalty [B] }; valid until the next forward(). */
  forward(H: Input, options: { validLens?: ArrayLike<number> | null } = {}): StructuredSelfAttentionResult {
    const where = 'StructuredSelfAttention.forward';
    this.checkLive(where);
    checkOptions(where, options, ['validLens']);
    if (!this.W1) fail(where, 'no weights loaded: call loadStateDict() first');
    const hs = shapeOf(where, 'H', H);
    checkTensorInput(this.rt, where, 'H', H);
    expectRank(where, 'H', hs, [3], '(B, n, inputSize)');
    const [B, n, d] = hs;
    if (d !== this.inputSize) fail(where, `H must have inputSize = ${this.inputSize} features, got shape ${fmtShape(hs)}`);
    if (B < 1 || n < 1) fail(where, `H must not be empty, got shape ${fmtShape(hs)}`);
    const r = this.hops, da = this.attentionSize;
    const lensIn = lensPerRow(where, options.validLens, B, r, n);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws;
      const h = stage(rt, ws, where, 'H', H, 'in.h', this.outputs.lease);
      const u = ws.get('u', B * n * da);
      const A = ws.get('weights', B * r * n);
      const M = ws.get('out', B * r * d);
      const gram = ws.get('gram', B * r * r);
      const pen = ws.get('penalty', B);
      const lens = lensIn ? ws.get('lens', B * r) : 0;
      const scratch = ws.get('gemm', Math.max(1, this.W1!.scratchFloats(B * n), gemmScratchFloats(rt, r, n, da),
        gemmScratchFloats(rt, r, d, n), gemmScratchFloats(rt, r, r, n)));
      if (lensIn) uploadI32(rt, lens, lensIn);

      this.W1!.forward(h.ptr, B * n, u, scratch);              // W_s1 H: [B·n, d_a]
      unary(rt, 'tanh', B * n * da, u, u);
      // scores [B, r, n] = W_s2 · uᵀ per batch (W_s2 shared: stride 0)
      gemmBatched(rt, { batch: B, m: r, n, k: da, a: this.w2, lda: da, sa: 0, b: u, ldb: da, sb: n * da, transposeB: true,
        c: A, ldc: n, sc: r * n, scratch });
      softmaxRows(rt, { rows: B * r, cols: n, x: A, ldx: n, y: A, ldy: n, lens });
      gemmBatched(rt, { batch: B, m: r, n: d, k: n, a: A, lda: n, sa: r * n, b: h.ptr, ldb: d, sb: n * d, c: M, ldc: d, sc: r * d, scratch });
      gemmBatched(rt, { batch: B, m: r, n: r, k: n, a: A, lda: n, sa: r * n, b: A, ldb: n, sb: r * n, transposeB: true,
        c: gram, ldc: r, sc: r * r, scratch });
      gramPenalty(rt, B, r, gram, pen);
      const lease = this.outputs.next();
      return {
        output: new Tensor(rt, M, [B, r, d], false, lease),
        weights: new Tensor(rt, A, [B, r, n], false, lease),
        penalty: new Tensor(rt, pen, [B], false, lease),
      };
    });
  }

  private release(): void {
    this.W1?.dispose();
    this.W1 = null;
    if (this.w2) { this.rt.free(this.w2); this.w2 = 0; }
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
}

// ---------------------------------------------------------------------------------------------------------------

export type FeatureActivation = 'elu' | 'tanh' | 'relu';

export interface MultiDimensionalAttentionOptions {
  /** d_e: features of each position; also the number of scores per position. */
  inputSize: number;
  /** Rows of W1 (and W2); default inputSize (the paper). */
  hiddenSize?: number;
  /** Features of the query q (W2 q is added before σ); omitted: no query (source2token self-alignment). */
  querySize?: number;
  /** σ: 'elu' (default, the paper), 'tanh' or 'relu'. */
  activation?: FeatureActivation;
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface MultiDimensionalAttentionResult {
  /** s = Σ_i P_i ⊙ x_i: [B, d]. */
  output: Tensor;
  /** P: [B, n, d]; every column (feature) sums to 1 over the positions. */
  weights: Tensor;
}

export class MultiDimensionalAttention {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly querySize: number | null;
  readonly activation: FeatureActivation;
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly outputs: Outputs;
  private W1: PackedLinear | null = null;
  private W2: PackedLinear | null = null;
  private W: PackedLinear | null = null;
  private disposed = false;

  constructor(rt: Runtime, options: MultiDimensionalAttentionOptions) {
    const where = 'MultiDimensionalAttention';
    checkRuntime(where, rt);
    checkOptions(where, options, ['inputSize', 'hiddenSize', 'querySize', 'activation', 'dropout']);
    if (!options) failType(where, 'options { inputSize } are required');
    checkDropout(where, options.dropout);
    this.inputSize = checkPositiveInt(where, 'inputSize', options.inputSize);
    this.hiddenSize = options.hiddenSize === undefined ? this.inputSize : checkPositiveInt(where, 'hiddenSize', options.hiddenSize);
    this.querySize = options.querySize === undefined || options.querySize === null ? null : checkPositiveInt(where, 'querySize', options.querySize);
    this.activation = options.activation === undefined ? 'elu' : checkEnum(where, 'activation', options.activation, ['elu', 'tanh', 'relu'] as const);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
  }

  /** W1.weight [h, d], W1.bias [h], (W2.weight [h, q] with a query), W.weight [d, h], W.bias [d]. */
  parameterShapes(): ParamSpec[] {
    const d = this.inputSize, h = this.hiddenSize;
    const p: ParamSpec[] = [{ name: 'W1.weight', shape: [h, d] }, { name: 'W1.bias', shape: [h] }];
    if (this.querySize !== null) p.push({ name: 'W2.weight', shape: [h, this.querySize] });
    p.push({ name: 'W.weight', shape: [d, h] }, { name: 'W.bias', shape: [d] });
    return p;
  }

  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'MultiDimensionalAttention.loadStateDict';
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      const made: PackedLinear[] = [];
      let W1: PackedLinear | null = null, W2: PackedLinear | null = null, W: PackedLinear | null = null;
      try {
        W1 = new PackedLinear(this.rt, w.get('W1.weight')!, w.get('W1.bias')!, this.hiddenSize, this.inputSize); made.push(W1);
        if (this.querySize !== null) { W2 = new PackedLinear(this.rt, w.get('W2.weight')!, null, this.hiddenSize, this.querySize); made.push(W2); }
        W = new PackedLinear(this.rt, w.get('W.weight')!, w.get('W.bias')!, this.inputSize, this.hiddenSize); made.push(W);
      } catch (e) {
        made.forEach((l) => l.dispose());
        throw e;
      }
      this.release();
      this.W1 = W1; this.W2 = W2; this.W = W;
      return this;
    });
  }

  /** x [B, n, d] (+ query [B, q] when querySize) -> { output s [B, d], weights P [B, n, d] }. */
  forward(x: Input, options: { query?: Input | null; validLens?: ArrayLike<number> | null } = {}): MultiDimensionalAttentionResult {
    const where = 'MultiDimensionalAttention.forward';
    this.checkLive(where);
    checkOptions(where, options, ['query', 'validLens']);
    if (!this.W) fail(where, 'no weights loaded: call loadStateDict() first');
    const xs = shapeOf(where, 'x', x);
    checkTensorInput(this.rt, where, 'x', x);
    expectRank(where, 'x', xs, [3], '(B, n, inputSize)');
    const [B, n, d] = xs;
    if (d !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features, got shape ${fmtShape(xs)}`);
    if (B < 1 || n < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const q = options.query ?? null;
    if (this.querySize !== null && q === null) fail(where, `query [B, ${this.querySize}] is required (the module was made with querySize)`);
    if (this.querySize === null && q !== null) fail(where, 'query given, but the module was made without querySize');
    if (q !== null) {
      const qs = shapeOf(where, 'query', q);
      checkTensorInput(this.rt, where, 'query', q);
      if (qs.length !== 2 || qs[0] !== B || qs[1] !== this.querySize) fail(where, `query must be [B, querySize] = [${B}, ${this.querySize}], got shape ${fmtShape(qs)}`);
    }
    const lensIn = lensPerRow(where, options.validLens, B, d, n);
    const h = this.hiddenSize;
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, own = this.outputs.lease;
      const xin = stage(rt, ws, where, 'x', x, 'in.x', own);
      const qin = q !== null ? stage(rt, ws, where, 'query', q, 'in.q', own) : null;
      const pre = ws.get('pre', B * n * h);
      const qp = qin ? ws.get('qp', B * h) : 0;
      const scores = ws.get('scores', B * n * d);
      const P = ws.get('p', B * d * n);
      const out = ws.get('out', B * d);
      const weights = ws.get('weights', B * n * d);
      const lens = lensIn ? ws.get('lens', B * d) : 0;
      const scratch = ws.get('gemm', Math.max(1, this.W1!.scratchFloats(B * n), this.W!.scratchFloats(B * n), this.W2?.scratchFloats(B) ?? 0));
      if (lensIn) uploadI32(rt, lens, lensIn);

      this.W1!.forward(xin.ptr, B * n, pre, scratch);          // W1 x_i + b1
      if (qin) {
        this.W2!.forward(qin.ptr, B, qp, scratch);             // + W2 q, the same for every position of a batch
        addRowVector(rt, B * n, h, pre, qp, n);
      }
      if (this.activation === 'elu') elu(rt, B * n * h, pre, pre);
      else unary(rt, this.activation, B * n * h, pre, pre);
      this.W!.forward(pre, B * n, scores, scratch);             // W σ(.) + b: [B, n, d]
      transposeBatched(rt, B, n, d, scores, P);                // [B, d, n]: one softmax row per feature
      softmaxRows(rt, { rows: B * d, cols: n, x: P, ldx: n, y: P, ldy: n, lens });
      featurePool(rt, B, n, d, P, xin.ptr, out, weights);
      const lease = this.outputs.next();
      return { output: new Tensor(rt, out, [B, d], false, lease), weights: new Tensor(rt, weights, [B, n, d], false, lease) };
    });
  }

  private release(): void {
    this.W1?.dispose(); this.W2?.dispose(); this.W?.dispose();
    this.W1 = this.W2 = this.W = null;
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
}
