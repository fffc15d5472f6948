// torch.nn.GRU and torch.nn.LSTM (eval mode) over the shared memory. Per layer: the input projections of every
// timestep and both directions in one GEMM (gi = x·W_ihᵀ + b_ih), then per timestep one fused kernel that multiplies
// the hidden state by W_hh and applies the gates (bindings/ops/rnn.ts). Each step reads the previous step's hidden
// state straight out of the output sequence (strided rows), so nothing is copied between steps.
import { checkBoolean, checkDropout, checkNonNegativeInt, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, shapeOf, stage, type Input, type Staged } from './inputs.ts';
import { PackedLinear } from '../ops/linear.ts';
import { PackedRecurrent, copyRows, gateCount, type RnnMode } from '../ops/rnn.ts';
import { fill } from '../ops/memory.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, type ParamSpec } from '../io/statedict.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';

export interface RNNOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers, default 1; layer k > 0 takes the previous layer's output (D·hiddenSize features). */
  numLayers?: number;
  /** b_ih and b_hh, default true. */
  bias?: boolean;
  /** Inputs/outputs [N, L, features] instead of [L, N, features]; default false. Hidden states are always [D·numLayers, N, H]. */
  batchFirst?: boolean;
  /** Ignored: modules run in eval mode (accepted so PyTorch constructor arguments port unchanged). */
  dropout?: number;
  /** A backward direction per layer (weights `*_reverse`), outputs concatenated forward first; default false. */
  bidirectional?: boolean;
}

/** LSTM options: as RNNOptions; `projSize` (PyTorch's proj_size) must be 0 when given. */
export interface LSTMOptions extends RNNOptions {
  projSize?: number;
}

export interface GRUResult {
  /** [L, N, D·H] ([N, L, D·H] batchFirst, [L, D·H] unbatched): the last layer's hidden state at every step. */
  output: Tensor;
  /** [D·numLayers, N, H] ([D·numLayers, H] unbatched): the final hidden state of every layer and direction. */
  hN: Tensor;
}
export interface LSTMResult extends GRUResult {
  /** [D·numLayers, N, H]: the final cell states. */
  cN: Tensor;
}

export interface GRUStepResult {
  /** [N, H] ([H] unbatched): the top layer's new hidden state (a view of `h`'s last layer). */
  output: Tensor;
  /** [numLayers, N, H] ([numLayers, H] unbatched): every layer's new hidden state; pass it to the next step(). */
  h: Tensor;
}
export interface LSTMStepResult extends GRUStepResult {
  /** [numLayers, N, H]: every layer's new cell state. */
  c: Tensor;
}

const CTOR_OPTIONS = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];

/** Buffers of one call (byte pointers). */
interface Dims { T: number; N: number; batched: boolean }

/** The shared machinery of GRU and LSTM. */
abstract class RNNBase {
  readonly mode: RnnMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  /** Directions: 2 when bidirectional, else 1. */
  readonly numDirections: number;
  protected readonly rt: Runtime;
  protected readonly ws: Workspace;
  protected readonly name: string;
  protected loaded = false;
  /** Per layer: the input projection of every direction stacked ([D·G·H, in]: one GEMM). */
  protected inProj: PackedLinear[] = [];
  /** Per layer and direction (index l·D + d): W_hh and b_hh. */
  protected rec: PackedRecurrent[] = [];
  protected readonly outputs: Outputs;
  protected readonly stepOutputs: Outputs;
  private disposed = false;
  private flip = false;   // which of the two step buffers the last step() wrote

  protected constructor(rt: Runtime, mode: RnnMode, options: RNNOptions, name: string, extra: string[] = []) {
    this.name = name;
    checkRuntime(name, rt);
    checkOptions(name, options, [...CTOR_OPTIONS, ...extra]);
    if (!options) failType(name, 'options { inputSize, hiddenSize } are required');
    checkDropout(name, options.dropout);
    this.mode = mode;
    this.inputSize = checkPositiveInt(name, 'inputSize', options.inputSize);
    this.hiddenSize = checkPositiveInt(name, 'hiddenSize', options.hiddenSize);
    this.numLayers = options.numLayers === undefined ? 1 : checkPositiveInt(name, 'numLayers', options.numLayers);
    this.bias = options.bias === undefined ? true : checkBoolean(name, 'bias', options.bias);
    this.batchFirst = options.batchFirst === undefined ? false : checkBoolean(name, 'batchFirst', options.batchFirst);
    this.bidirectional = options.bidirectional === undefined ? false : checkBoolean(name, 'bidirectional', options.bidirectional);
    this.numDirections = this.bidirectional ? 2 : 1;
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.forward`);
    this.stepOutputs = new Outputs(rt, `${name}.step`);
  }

  /** Gate blocks: 3 (GRU) or 4 (LSTM). */
  get gates(): number {
    return gateCount(this.mode);
  }

  /** The parameters this module expects, with PyTorch names and shapes, in PyTorch's state_dict order. */
  parameterShapes(): ParamSpec[] {
    const G = this.gates, H = this.hiddenSize, p: ParamSpec[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? this.inputSize : this.numDirections * H;
      for (const sfx of this.bidirectional ? ['', '_reverse'] : ['']) {
        p.push({ name: `weight_ih_l${l}${sfx}`, shape: [G * H, inF] }, { name: `weight_hh_l${l}${sfx}`, shape: [G * H, H] });
        if (this.bias) p.push({ name: `bias_ih_l${l}${sfx}`, shape: [G * H] }, { name: `bias_hh_l${l}${sfx}`, shape: [G * H] });
      }
    }
    return p;
  }

  /** Loads torch.nn.GRU / LSTM weights (state_dict names) and packs them once. All or nothing. */
  loadStateDict(sd: StateDictInput): this {
    const where = `${this.name}.loadStateDict`;
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes());
    return this.rt.journal.atomic(where, () => {
      const G = this.gates, H = this.hiddenSize, D = this.numDirections;
      const inProj: PackedLinear[] = [], rec: PackedRecurrent[] = [];
      try {
        for (let l = 0; l < this.numLayers; l++) {
          const inF = l === 0 ? this.inputSize : D * H;
          const sfx = this.bidirectional ? ['', '_reverse'] : [''];
          const wih = new Float32Array(D * G * H * inF);
          const bih = this.bias ? new Float32Array(D * G * H) : null;
          sfx.forEach((s, d) => {
            wih.set(w.get(`weight_ih_l${l}${s}`)!, d * G * H * inF);
            if (bih) bih.set(w.get(`bias_ih_l${l}${s}`)!, d * G * H);
          });
          inProj.push(new PackedLinear(this.rt, wih, bih, D * G * H, inF));
          for (const s of sfx) {
            rec.push(new PackedRecurrent(this.rt, this.mode, w.get(`weight_hh_l${l}${s}`)!,
              this.bias ? w.get(`bias_hh_l${l}${s}`)! : null, H));
          }
        }
      } catch (e) {
        for (const x of [...inProj, ...rec]) x.dispose();
        throw e;
      }
      const old = { inProj: this.inProj, rec: this.rec, loaded: this.loaded };
      this.inProj = inProj;
      this.rec = rec;
      this.loaded = true;
      this.rt.journal.record(() => {
        for (const x of [...inProj, ...rec]) x.dispose();
        Object.assign(this, old);
      }, () => { for (const x of [...old.inProj, ...old.rec]) x.dispose(); });
      return this;
    });
  }

  /** Checks the input sequence; returns its dims. */
  protected readInput(where: string, input: Input): Dims {
    const s = shapeOf(where, 'input', input);
    checkTensorInput(this.rt, where, 'input', input);
    const bf = this.batchFirst;
    expectRank(where, 'input', s, [2, 3], bf ? '(L, inputSize) or (N, L, inputSize) (batchFirst)' : '(L, inputSize) or (L, N, inputSize)');
    const batched = s.length === 3;
    const T = batched ? (bf ? s[1] : s[0]) : s[0];
    const N = batched ? (bf ? s[0] : s[1]) : 1;
    if (s[s.length - 1] !== this.inputSize) fail(where, `input must have inputSize = ${this.inputSize} features (last dim), got shape ${fmtShape(s)}`);
    if (T < 1 || N < 1) fail(where, `input must not be empty, got shape ${fmtShape(s)}`);
    return { T, N, batched };
  }

  /** Checks a state tensor of `layers` layers: [layers, N, H] (or [layers, H] unbatched). */
  protected checkState(where: string, name: string, x: unknown, layers: number, d: { N: number; batched: boolean }, spelled: string): void {
    const s = shapeOf(where, name, x);
    checkTensorInput(this.rt, where, name, x);
    const want = d.batched ? [layers, d.N, this.hiddenSize] : [layers, this.hiddenSize];
    if (s.length !== want.length || s.some((v, i) => v !== want[i])) {
      fail(where, `${name} must be ${spelled} = ${fmtShape(want)} for input ${d.batched ? `batch ${d.N}` : '(unbatched)'}, got shape ${fmtShape(s)}`);
    }
  }

  /** The whole-sequence computation; h0/c0 staged (or null = zeros). Returns pointers in the workspace. */
  protected run(x: Staged, d: Dims, h0: Staged | null, c0: Staged | null): { out: number; hn: number; cn: number } {
    const rt = this.rt, ws = this.ws, G = this.gates, H = this.hiddenSize, D = this.numDirections, Lnum = this.numLayers;
    const lstm = this.mode === 'LSTM';
    const { T, N } = d;
    const rows = T * N, DH = D * H, bf = this.batchFirst && d.batched;
    // reserve every buffer before writing anything
    let gemm = 0;
    for (const p of this.inProj) gemm = Math.max(gemm, p.scratchFloats(rows));
    gemm = Math.max(gemm, this.rec[0].scratchFloats(N));
    const b = {
      gemm: gemm ? ws.get('gemm', gemm) : 0,
      gi: ws.get('gi', rows * D * G * H),
      y: [Lnum > 1 ? ws.get('y.a', rows * DH) : 0, Lnum > 2 ? ws.get('y.b', rows * DH) : 0],
      out: ws.get('out', rows * DH),
      hn: ws.get('hn', D * Lnum * N * H),
      cn: lstm ? ws.get('cn', D * Lnum * N * H) : 0,
      zero: h0 ? 0 : ws.get('zero', N * H),
    };
    if (b.zero) fill(rt, N * H, b.zero, 0);
    // rows of the sequence buffers: seq-first t·N + n, batch-first n·T + t
    const rowOf = (t: number) => (bf ? t : t * N);
    const rs = bf ? T : 1;
    let xin = x.ptr, inF = this.inputSize;
    for (let l = 0; l < Lnum; l++) {
      const out = l === Lnum - 1 ? b.out : b.y[l % 2];
      this.inProj[l].forward(xin, rows, b.gi, b.gemm);   // [rows, D·G·H]: every step, both directions
      const ldgi = rs * D * G * H, ldo = rs * DH;
      for (let dir = 0; dir < D; dir++) {
        const k = l * D + dir, rec = this.rec[k];
        const hInit = h0 ? h0.ptr + k * N * H * 4 : b.zero;
        const c = lstm ? b.cn + k * N * H * 4 : 0;   // the cell state runs in place in cN
        if (lstm) {
          if (c0) copyRows(rt, 1, N * H, c0.ptr + k * N * H * 4, N * H, c, N * H);
          else fill(rt, N * H, c, 0);
        }
        let hp = hInit, ldh = H;
        for (let s = 0; s < T; s++) {
          const t = dir === 0 ? s : T - 1 - s;
          const gi = b.gi + (rowOf(t) * D * G * H + dir * G * H) * 4;
          const ho = out + (rowOf(t) * DH + dir * H) * 4;
          if (lstm) rec.lstm(N, gi, ldgi, hp, ldh, c, H, ho, ldo, c, H, b.gemm);
          else rec.gru(N, gi, ldgi, hp, ldh, ho, ldo, b.gemm);
          hp = ho; ldh = ldo;
        }
        copyRows(rt, N, H, hp, ldh, b.hn + k * N * H * 4, H);
      }
      xin = out; inF = DH;
    }
    void inF;
    return { out: b.out, hn: b.hn, cn: b.cn };
  }

  /** One timestep of every layer (unidirectional stacks): x [N, inputSize], h/c [numLayers, N, H] or null (zeros). */
  protected runStep(where: string, x: Input, h: Input | null, c: Input | null): { h: number; c: number; N: number; batched: boolean; top: number } {
    const rt = this.rt, ws = this.ws, G = this.gates, H = this.hiddenSize, Lnum = this.numLayers;
    const lstm = this.mode === 'LSTM';
    const xs = shapeOf(where, 'x', x);
    checkTensorInput(rt, where, 'x', x);
    expectRank(where, 'x', xs, [1, 2], '(inputSize) or (N, inputSize)');
    const batched = xs.length === 2;
    const N = batched ? xs[0] : 1;
    if (xs[xs.length - 1] !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features (last dim), got shape ${fmtShape(xs)}`);
    if (N < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const spelled = batched ? '(numLayers, N, H)' : '(numLayers, H)';
    if (h) this.checkState(where, lstm ? 'state[0] (h)' : 'h', h, Lnum, { N, batched }, spelled);
    if (c) this.checkState(where, 'state[1] (c)', c, Lnum, { N, batched }, spelled);
    const hx = h ? stage(rt, ws, where, 'h', h, 'st.in.h') : null;
    const cx = c ? stage(rt, ws, where, 'c', c, 'st.in.c') : null;
    const xi = stage(rt, ws, where, 'x', x, 'st.in.x');
    const LNH = Lnum * N * H;
    let gemm = 0;
    for (const p of this.inProj) gemm = Math.max(gemm, p.scratchFloats(N));
    gemm = Math.max(gemm, this.rec[0].scratchFloats(N));
    // two buffers per state, used in turn: the state the last step returned is read in place while the other is written
    const bufs = {
      gemm: gemm ? ws.get('st.gemm', gemm) : 0,
      gi: ws.get('st.gi', N * G * H),
      h: [ws.get('st.h0', LNH), ws.get('st.h1', LNH)],
      c: lstm ? [ws.get('st.c0', LNH), ws.get('st.c1', LNH)] : [0, 0],
      zero: h && (!lstm || c) ? 0 : ws.get('st.zero', N * H),
    };
    if (bufs.zero) fill(rt, N * H, bufs.zero, 0);
    const overlaps = (p: number | undefined, q: number) => p !== undefined && p < q + LNH * 4 && q < p + LNH * 4;
    let i = this.flip ? 0 : 1;   // the buffer the last step did not write
    if (overlaps(hx?.ptr, bufs.h[i]) || overlaps(cx?.ptr, bufs.c[i]) || (lstm && overlaps(hx?.ptr, bufs.c[i]))) i = 1 - i;
    const ho = bufs.h[i], co = bufs.c[i];
    let xin = xi.ptr;
    for (let l = 0; l < Lnum; l++) {
      const off = l * N * H * 4;
      this.inProj[l].forward(xin, N, bufs.gi, bufs.gemm);
      const hp = hx ? hx.ptr + off : bufs.zero;
      if (lstm) this.rec[l].lstm(N, bufs.gi, G * H, hp, H, cx ? cx.ptr + off : bufs.zero, H, ho + off, H, co + off, H, bufs.gemm);
      else this.rec[l].gru(N, bufs.gi, G * H, hp, H, ho + off, H, bufs.gemm);
      xin = ho + off;
    }
    const flipped = i === 0;
    rt.journal.record(null, () => { this.flip = flipped; });
    return { h: ho, c: co, N, batched, top: ho + (Lnum - 1) * N * H * 4 };
  }

  protected ready(where: string): void {
    this.checkLive(where);
    if (!this.loaded) fail(where, 'no weights loaded: call loadStateDict() first');
  }

  protected checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  /** Frees packed weights and buffers; outputs of earlier calls die with them (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    for (const x of [...this.inProj, ...this.rec]) x.dispose();
    this.inProj = [];
    this.rec = [];
    this.ws.dispose();
    this.outputs.end();
    this.stepOutputs.end();
    this.loaded = false;
    this.disposed = true;
  }

  /** Tensors of a forward's results. */
  protected forwardTensors(r: { out: number; hn: number; cn: number }, d: Dims): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const { T, N, batched } = d, H = this.hiddenSize, DH = this.numDirections * H, DL = this.numDirections * this.numLayers;
    const lease = this.outputs.next();
    const outShape = batched ? (this.batchFirst ? [N, T, DH] : [T, N, DH]) : [T, DH];
    const hShape = batched ? [DL, N, H] : [DL, H];
    return {
      output: new Tensor(this.rt, r.out, outShape, false, lease),
      hN: new Tensor(this.rt, r.hn, hShape, false, lease),
      cN: r.cn ? new Tensor(this.rt, r.cn, hShape, false, lease) : null,
    };
  }

  protected stepTensors(r: { h: number; c: number; N: number; batched: boolean; top: number }): { output: Tensor; h: Tensor; c: Tensor | null } {
    const H = this.hiddenSize, L = this.numLayers;
    const lease = this.stepOutputs.next();
    const shape = r.batched ? [L, r.N, H] : [L, H];
    return {
      output: new Tensor(this.rt, r.top, r.batched ? [r.N, H] : [H], false, lease),
      h: new Tensor(this.rt, r.h, shape, false, lease),
      c: r.c ? new Tensor(this.rt, r.c, shape, false, lease) : null,
    };
  }

  protected checkStepUsable(where: string): void {
    if (this.bidirectional) fail(where, 'step() runs one timestep of a unidirectional stack; this module is bidirectional (use forward())');
  }
}

/**
 * torch.nn.GRU (eval): r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. Weights by PyTorch names
 * (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, suffix _reverse), gate rows r, z, n.
 */
export class GRU extends RNNBase {
  constructor(rt: Runtime, options: RNNOptions, name = 'GRU') {
    super(rt, 'GRU', options, name);
  }

  /**
   * The whole sequence, as torch.nn.GRU(input, h0) returns it. input: [L, N, inputSize] ([N, L, inputSize]
   * batchFirst, [L, inputSize] unbatched); h0: [D·numLayers, N, H] ([D·numLayers, H] unbatched), default zeros.
   * Outputs live in this module's memory until its next forward() or dispose() (copy with toArray() to keep).
   */
  forward(input: Input, h0: Input | null = null): GRUResult {
    const where = `${this.name}.forward`;
    this.ready(where);
    const d = this.readInput(where, input);
    const DL = this.numDirections * this.numLayers;
    if (h0 !== null && h0 !== undefined) this.checkState(where, 'h0', h0, DL, d, d.batched ? '(D·numLayers, N, H)' : '(D·numLayers, H)');
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const x = stage(this.rt, this.ws, where, 'input', input, 'in.x', own);
      const h = h0 ? stage(this.rt, this.ws, where, 'h0', h0, 'in.h0', own) : null;
      const { output, hN } = this.forwardTensors(this.run(x, d, h, null), d);
      return { output, hN };
    });
  }

  /**
   * One timestep of every layer (unidirectional stacks only): x [N, inputSize] (or [inputSize]), h [numLayers, N, H]
   * (or [numLayers, H]; default zeros). Returns the new hidden state of every layer and the top layer's (a view),
   * in this module's memory until its next step() or dispose(); pass `h` straight back to the next step() (read in
   * place, no copy). Equals forward() over the same inputs, step by step. No allocation once the shapes are seen.
   */
  step(x: Input, h: Input | null = null): GRUStepResult {
    const where = `${this.name}.step`;
    this.ready(where);
    this.checkStepUsable(where);
    return this.rt.journal.atomic(where, () => {
      const r = this.runStep(where, x, h ?? null, null);
      const { output, h: hT } = this.stepTensors(r);
      return { output, h: hT };
    });
  }
}

/**
 * torch.nn.LSTM (eval): i, f, o = σ(W_i* x + b_i* + W_h* h + b_h*), g = tanh(...), c' = f ⊙ c + i ⊙ g,
 * h' = o ⊙ tanh(c'). Gate rows i, f, g, o; names as GRU. proj_size is not supported (projSize must be 0).
 */
export class LSTM extends RNNBase {
  constructor(rt: Runtime, options: LSTMOptions, name = 'LSTM') {
    super(rt, 'LSTM', options, name, ['projSize']);
    if (options.projSize !== undefined && checkNonNegativeInt(name, 'projSize', options.projSize) !== 0) {
      fail(name, `projSize (proj_size) is not supported, got ${describeValue(options.projSize)}; use 0`);
    }
  }

  /** forward(input, [h0, c0]?) as torch.nn.LSTM: output, and (h_n, c_n) as hN, cN. Shapes and lifetimes as GRU. */
  forward(input: Input, state: readonly [Input, Input] | null = null): LSTMResult {
    const where = `${this.name}.forward`;
    this.ready(where);
    const d = this.readInput(where, input);
    const DL = this.numDirections * this.numLayers;
    const [h0, c0] = readPair(where, state, '[h0, c0]');
    const spelled = d.batched ? '(D·numLayers, N, H)' : '(D·numLayers, H)';
    if (h0) this.checkState(where, 'h0', h0, DL, d, spelled);
    if (c0) this.checkState(where, 'c0', c0, DL, d, spelled);
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const x = stage(this.rt, this.ws, where, 'input', input, 'in.x', own);
      const h = h0 ? stage(this.rt, this.ws, where, 'h0', h0, 'in.h0', own) : null;
      const c = c0 ? stage(this.rt, this.ws, where, 'c0', c0, 'in.c0', own) : null;
      const t = this.forwardTensors(this.run(x, d, h, c), d);
      return { output: t.output, hN: t.hN, cN: t.cN! };
    });
  }

  /** One timestep of every layer: x [N, inputSize], state [h, c] each [numLayers, N, H] (default zeros). Returns
   *  output (top layer's h, a view), h and c; lifetimes and reuse as GRU.step. */
  step(x: Input, state: readonly [Input, Input] | null = null): LSTMStepResult {
    const where = `${this.name}.step`;
    this.ready(where);
    this.checkStepUsable(where);
    const [h, c] = readPair(where, state, '[h, c]');
    return this.rt.journal.atomic(where, () => {
      const r = this.runStep(where, x, h, c);
      const t = this.stepTensors(r);
      return { output: t.output, h: t.h, c: t.c! };
    });
  }
}

function readPair(where: string, s: unknown, spelled: string): [Input | null, Input | null] {
  if (s === undefined || s === null) return [null, null];
  if (!Array.isArray(s) || s.length !== 2) failType(where, `state must be ${spelled} (an array of two tensors) or null, got ${describeValue(s)}`);
  return [s[0] as Input, s[1] as Input];
}
