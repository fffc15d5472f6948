// nn.TransformerEncoderLayer / nn.TransformerDecoderLayer (eval mode) and their stacks.
//   post-norm: x = norm1(x + sa(x));          x = norm2(x + ff(x))            (decoder: + norm2(x + mha(x, mem)), norm3)
//   pre-norm:  x = x + sa(norm1(x));          x = x + ff(norm2(x))
//   ff(x) = linear2(activation(linear1(x)))
// Activations stay in this module's memory from layer to layer; rows are tokens in the input's layout.
import { checkBoolean, checkDropout, checkEnum, checkFinite, checkOptions, checkPositiveInt, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { checkTensorInput, expectRank, shapeOf, stage, type Input, type MaskInput, type Staged } from './inputs.ts';
import { MultiHead, parseMasks, type MhaBuffers, type ParsedMasks } from './multihead.ts';
import { add, unary } from '../ops/elementwise.ts';
import { PackedLinear } from '../ops/linear.ts';
import { copy } from '../ops/memory.ts';
import { LayerNormParams } from '../ops/norm.ts';
import { checkRuntime, type Runtime } from '../runtime/runtime.ts';
import type { StateDictInput } from '../io/safetensors.ts';
import { readStateDict, subStateDict, type LoadStateDictOptions, type ParamSpec } from '../io/statedict.ts';
import { DISPOSE } from '../runtime/dispose.ts';
import { Tensor } from '../runtime/tensor.ts';
import { Outputs, Workspace } from '../runtime/workspace.ts';
import { TransformerCache, type LayerCache } from './cache.ts';

export type Activation = 'relu' | 'gelu' | 'gelu_tanh';

export interface TransformerOptions {
  dModel: number;
  nhead: number;
  dimFeedforward?: number;   // default 2048
  activation?: Activation;   // default 'relu'; 'gelu' is the exact erf form, 'gelu_tanh' the tanh approximation
  layerNormEps?: number;     // default 1e-5
  normFirst?: boolean;       // default false (post-norm)
  batchFirst?: boolean;      // default false: [S, N, E]
  bias?: boolean;            // default true: Linear, LayerNorm and attention biases
  /** A stack of this many layers with state-dict names 'layers.{i}.*'; omitted = one layer, names unprefixed. */
  numLayers?: number;
  /** A final LayerNorm 'norm.*' after the stack (nn.TransformerEncoder(norm=...)); default false. */
  norm?: boolean;
  kind?: 'encoder' | 'decoder';  // default 'encoder'
  /** Ignored: modules run in eval mode. */
  dropout?: number;
}

export interface EncoderForwardOptions {
  mask?: MaskInput | null;               // [S, S] or [N·nhead, S, S]; with a cache [S, past + S]
  srcKeyPaddingMask?: MaskInput | null;  // [N, S]; with a cache [N, past + S]
  isCausal?: boolean;
  /** From createCache(): src holds only the new positions (step-by-step decoding). */
  cache?: TransformerCache | null;
}

export interface DecoderForwardOptions {
  tgtMask?: MaskInput | null;               // [T, T] or [N·nhead, T, T]
  memoryMask?: MaskInput | null;            // [T, S] or [N·nhead, T, S]
  tgtKeyPaddingMask?: MaskInput | null;     // [N, T]
  memoryKeyPaddingMask?: MaskInput | null;  // [N, S]
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
  /** From createCache(): tgt holds only the new positions; tgtMask [T, past + T], tgtKeyPaddingMask [N, past + T]. */
  cache?: TransformerCache | null;
}

const CTOR_OPTIONS = ['dModel', 'nhead', 'dimFeedforward', 'activation', 'layerNormEps', 'normFirst', 'batchFirst', 'bias',
  'numLayers', 'norm', 'kind', 'dropout'];

interface LayerConfig {
  E: number; H: number; F: number; act: Activation; eps: number; normFirst: boolean; bias: boolean; batchFirst: boolean; decoder: boolean;
}

// A LayerNorm's parameters by PyTorch name (`${name}.weight`, `${name}.bias`).
function loadNorm(rt: Runtime, w: Map<string, Float32Array>, name: string, eps: number, bias: boolean): LayerNormParams {
  return LayerNormParams.load(rt, w.get(`${name}.weight`)!, bias ? w.get(`${name}.bias`)! : null, eps);
}

function normParams(name: string, E: number, bias: boolean): ParamSpec[] {
  return bias ? [{ name: `${name}.weight`, shape: [E] }, { name: `${name}.bias`, shape: [E] }] : [{ name: `${name}.weight`, shape: [E] }];
}

// The buffers of one layer's forward (byte pointers), reserved before anything is written.
interface LayerBuffers {
  x: number; tmp: number; ffh: number; ffy: number; gemm: number;
  self: MhaBuffers; cross: MhaBuffers | null;
}

// One encoder or decoder layer.
class Layer {
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  readonly selfAttn: MultiHead;
  readonly crossAttn: MultiHead | null;
  private linear1: PackedLinear | null = null;
  private linear2: PackedLinear | null = null;
  private norms: LayerNormParams[] = [];

  constructor(rt: Runtime, private readonly c: LayerConfig, name: string) {
    this.rt = rt;
    this.ws = new Workspace(rt);
    const mha = { embedDim: c.E, numHeads: c.H, bias: c.bias, batchFirst: c.batchFirst };
    this.selfAttn = new MultiHead(rt, mha, `${name}.self_attn`);
    this.crossAttn = c.decoder ? new MultiHead(rt, mha, `${name}.multihead_attn`) : null;
  }

  parameterShapes(): ParamSpec[] {
    const { E, F, bias } = this.c;
    const sub = (prefix: string, m: MultiHead) => m.parameterShapes().map((p) => ({ name: `${prefix}.${p.name}`, shape: p.shape }));
    const p = [...sub('self_attn', this.selfAttn)];
    if (this.crossAttn) p.push(...sub('multihead_attn', this.crossAttn));
    p.push({ name: 'linear1.weight', shape: [F, E] });
    if (bias) p.push({ name: 'linear1.bias', shape: [F] });
    p.push({ name: 'linear2.weight', shape: [E, F] });
    if (bias) p.push({ name: 'linear2.bias', shape: [E] });
    for (let i = 1; i <= (this.crossAttn ? 3 : 2); i++) p.push(...normParams(`norm${i}`, E, bias));
    return p;
  }

  // Inside a journal call: the old weights are freed when the whole call succeeds, restored if it fails.
  load(where: string, sd: Map<string, Float32Array | { data: Float32Array; shape: number[] }>): void {
    const w = readStateDict(where, sd, this.parameterShapes());
    const { E, F, bias, eps } = this.c;
    const part = (prefix: string) => new Map([...w].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    this.selfAttn.loadStateDict(part('self_attn.'));
    this.crossAttn?.loadStateDict(part('multihead_attn.'));
    let l1: PackedLinear | null = null, l2: PackedLinear | null = null;
    const norms: LayerNormParams[] = [];
    try {
      l1 = new PackedLinear(this.rt, w.get('linear1.weight')!, bias ? w.get('linear1.bias')! : null, F, E);
      l2 = new PackedLinear(this.rt, w.get('linear2.weight')!, bias ? w.get('linear2.bias')! : null, E, F);
      for (let i = 1; i <= (this.crossAttn ? 3 : 2); i++) norms.push(loadNorm(this.rt, w, `norm${i}`, eps, bias));
    } catch (e) {
      l1?.dispose(); l2?.dispose();
      for (const nrm of norms) nrm.dispose();
      throw e;
    }
    const old = { linear1: this.linear1, linear2: this.linear2, norms: this.norms };
    this.linear1 = l1; this.linear2 = l2; this.norms = norms;
    this.rt.journal.record(() => {
      l1!.dispose(); l2!.dispose();
      for (const nrm of norms) nrm.dispose();
      Object.assign(this, old);
    }, () => {
      old.linear1?.dispose(); old.linear2?.dispose();
      for (const nrm of old.norms) nrm.dispose();
    });
  }

  get loaded(): boolean {
    return this.linear1 !== null;
  }

  // Every buffer forward() writes (this layer's and its attention modules'), allocated before anything is written;
  // forward() then runs on exactly these buffers.
  reserve(d: { N: number; L: number }, selfMasks: ParsedMasks, mem: { S: number; masks: ParsedMasks } | null,
          cache: LayerCache | null = null): LayerBuffers {
    const { E, F } = this.c;
    const rows = d.N * d.L, ws = this.ws;
    const reuse = !!cache?.cross && cache.cross.length > 0;   // memory projected at an earlier step
    return {
      x: ws.get('x', rows * E), tmp: ws.get('tmp', rows * E),
      ffh: ws.get('ff.h', rows * F), ffy: ws.get('ff.y', rows * E),
      gemm: ws.get('gemm', Math.max(this.linear1!.scratchFloats(rows), this.linear2!.scratchFloats(rows), 1)),
      self: this.selfAttn.reserve('self', { N: d.N, L: d.L, S: d.L }, selfMasks, null, cache ? cache.self.length : 0),
      cross: this.crossAttn && mem
        ? this.crossAttn.reserve(reuse ? 'query' : 'kv', { N: d.N, L: d.L, S: reuse ? 0 : mem.S }, mem.masks, null, reuse ? mem.S : 0)
        : null,
    };
  }

  // x: [rows, E] in the input layout -> returns the layer output [rows, E] (this layer's buffer b.x)
  forward(x: Staged, d: { N: number; L: number }, selfMasks: ParsedMasks,
          mem: { st: Staged; S: number; masks: ParsedMasks } | null, cache: LayerCache | null, b: LayerBuffers): number {
    const { E, normFirst } = this.c;
    const rt = this.rt;
    const rows = d.N * d.L, n = rows * E;
    const cur = b.x, tmp = b.tmp;
    const staged = (ptr: number): Staged => ({ ptr, shape: x.shape });

    // block(x) for each sublayer; post-norm: cur = norm(cur + block(cur)); pre-norm: cur = cur + block(norm(cur))
    const sublayer = (i: number, block: (input: number) => number) => {
      const norm = this.norms[i];
      if (normFirst) {
        norm.apply(cur, tmp, rows);
        const y = block(tmp);
        add(rt, n, cur, y, cur);
      } else {
        const y = block(cur);
        add(rt, n, cur, y, tmp);
        norm.apply(tmp, cur, rows);
      }
    };
    copy(rt, n, x.ptr, cur);
    sublayer(0, (inp) => {
      const s = staged(inp);
      return this.selfAttn.run(s, s, s, { N: d.N, L: d.L, S: d.L }, selfMasks, null, cache?.self ?? null, false, b.self).out;
    });
    if (this.crossAttn && mem) {
      const cross = cache?.cross ?? null, reuse = !!cross && cross.length > 0;
      sublayer(1, (inp) => this.crossAttn!.run(staged(inp), mem.st, mem.st, { N: d.N, L: d.L, S: reuse ? 0 : mem.S },
        mem.masks, null, cross, reuse, b.cross!).out);
    }
    sublayer(this.crossAttn ? 2 : 1, (inp) => this.feedForward(inp, rows, b));
    return cur;
  }

  // linear2(act(linear1(x))): [rows, E] -> [rows, F] -> [rows, E]
  private feedForward(x: number, rows: number, b: LayerBuffers): number {
    const { F, act } = this.c;
    this.linear1!.forward(x, rows, b.ffh, b.gemm, act === 'relu' ? 'relu' : 'none'); // relu fused into the GEMM store
    if (act !== 'relu') unary(this.rt, act, rows * F, b.ffh, b.ffh);
    this.linear2!.forward(b.ffh, rows, b.ffy, b.gemm);
    return b.ffy;
  }

  private release(): void {
    this.linear1?.dispose(); this.linear2?.dispose();
    this.linear1 = this.linear2 = null;
    for (const nrm of this.norms) nrm.dispose();
    this.norms = [];
  }

  dispose(): void {
    this.release();
    this.selfAttn.dispose();
    this.crossAttn?.dispose();
    this.ws.dispose();
  }
}

export class Transformer {
  readonly dModel: number;
  readonly nhead: number;
  readonly dimFeedforward: number;
  readonly activation: Activation;
  readonly layerNormEps: number;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  readonly bias: boolean;
  readonly numLayers: number | undefined;
  readonly norm: boolean;
  readonly kind: 'encoder' | 'decoder';
  private readonly rt: Runtime;
  private readonly ws: Workspace;
  private readonly layers: Layer[];
  private finalNorm: LayerNormParams | null = null;
  private readonly outputs: Outputs;
  private disposed = false;

  constructor(rt: Runtime, options: TransformerOptions) {
    const where = 'Transformer';
    checkRuntime(where, rt);
    checkOptions(where, options, CTOR_OPTIONS);
    if (!options) failType(where, 'options { dModel, nhead } are required');
    checkDropout(where, options.dropout);
    this.dModel = checkPositiveInt(where, 'dModel', options.dModel);
    this.nhead = checkPositiveInt(where, 'nhead', options.nhead);
    if (this.dModel % this.nhead !== 0) fail(where, `dModel (${this.dModel}) must be divisible by nhead (${this.nhead})`);
    this.dimFeedforward = options.dimFeedforward === undefined ? 2048 : checkPositiveInt(where, 'dimFeedforward', options.dimFeedforward);
    this.activation = options.activation === undefined ? 'relu' : checkEnum(where, 'activation', options.activation, ['relu', 'gelu', 'gelu_tanh']);
    this.layerNormEps = options.layerNormEps === undefined ? 1e-5 : checkFinite(where, 'layerNormEps', options.layerNormEps);
    if (this.layerNormEps < 0) fail(where, `layerNormEps must be >= 0, got ${this.layerNormEps}`);
    this.normFirst = options.normFirst === undefined ? false : checkBoolean(where, 'normFirst', options.normFirst);
    this.batchFirst = options.batchFirst === undefined ? false : checkBoolean(where, 'batchFirst', options.batchFirst);
    this.bias = options.bias === undefined ? true : checkBoolean(where, 'bias', options.bias);
    this.numLayers = options.numLayers === undefined ? undefined : checkPositiveInt(where, 'numLayers', options.numLayers);
    this.norm = options.norm === undefined ? false : checkBoolean(where, 'norm', options.norm);
    this.kind = options.kind === undefined ? 'encoder' : checkEnum(where, 'kind', options.kind, ['encoder', 'decoder']);
    if (this.norm && this.numLayers === undefined) {
      fail(where, "norm: true needs numLayers: the final 'norm.*' LayerNorm belongs to a stack (nn.TransformerEncoder(layer, numLayers, norm)), whose layers are named 'layers.{i}.*'");
    }
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, 'Transformer.forward');
    const c: LayerConfig = {
      E: this.dModel, H: this.nhead, F: this.dimFeedforward, act: this.activation, eps: this.layerNormEps,
      normFirst: this.normFirst, bias: this.bias, batchFirst: this.batchFirst, decoder: this.kind === 'decoder',
    };
    const count = this.numLayers ?? 1;
    this.layers = Array.from({ length: count }, (_, i) => new Layer(rt, c, this.numLayers === undefined ? 'Transformer' : `Transformer.layers.${i}`));
  }

  private prefix(i: number): string {
    return this.numLayers === undefined ? '' : `layers.${i}.`;
  }

  /** Every parameter with its PyTorch state-dict name and shape. */
  parameterShapes(): ParamSpec[] {
    const p: ParamSpec[] = [];
    this.layers.forEach((l, i) => p.push(...l.parameterShapes().map((s) => ({ name: this.prefix(i) + s.name, shape: s.shape }))));
    if (this.norm) p.push(...normParams('norm', this.dModel, this.bias));
    return p;
  }

  /**
   * Loads PyTorch names ('self_attn.in_proj_weight', 'linear1.weight', 'norm1.weight', ...; 'layers.{i}.' for stacks).
   * options.prefix selects and strips keys: 'encoder.' / 'decoder.' of an nn.Transformer, 'encoder.layers.0.' for one
   * of its layers. options.strict (default true) false ignores unexpected keys (every parameter is still required).
   * Attention projections may be packed (in_proj_weight) or separate (q_proj_weight, k_proj_weight, v_proj_weight).
   * All or nothing: on any error every layer keeps the weights it had.
   */
  loadStateDict(sd: StateDictInput, options?: LoadStateDictOptions): this {
    const where = 'Transformer.loadStateDict';
    this.checkLive(where);
    const all = readStateDict(where, sd, this.parameterShapes(), options); // complete check first: nothing loads from a bad dict
    return this.rt.journal.atomic(where, () => {   // all layers or none
      this.layers.forEach((l, i) => l.load(where, subStateDict(all, this.prefix(i))));
      const norm = this.norm ? loadNorm(this.rt, all, 'norm', this.layerNormEps, this.bias) : null;
      const old = this.finalNorm;
      this.finalNorm = norm;
      this.rt.journal.record(() => { norm?.dispose(); this.finalNorm = old; }, () => old?.dispose());
      return this;
    });
  }

  /**
   * Encoder: forward(src, { mask, srcKeyPaddingMask, isCausal }); decoder: forward(tgt, memory, { tgtMask, ... }).
   * src/tgt: [S, N, E] ([N, S, E] batchFirst, [S, E] unbatched). Returns a Tensor of the input's shape that lives
   * in this module's memory until its next forward() or dispose().
   */
  forward(src: Input, options?: EncoderForwardOptions): Tensor;
  forward(tgt: Input, memory: Input, options?: DecoderForwardOptions): Tensor;
  forward(x: Input, a?: unknown, b?: unknown): Tensor {
    const where = 'Transformer.forward';
    this.checkLive(where);
    if (!this.layers[0].loaded) fail(where, 'no weights loaded: call loadStateDict() first');
    const decoder = this.kind === 'decoder';
    if (decoder && (a === undefined || a === null)) fail(where, 'a decoder needs forward(tgt, memory, options)');
    const opts = (decoder ? b : a) ?? {};
    checkOptions(where, opts, decoder
      ? ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal', 'cache']
      : ['mask', 'srcKeyPaddingMask', 'isCausal', 'cache']);
    const E = this.dModel, bf = this.batchFirst;
    const xName = decoder ? 'tgt' : 'src';
    const xs = shapeOf(where, xName, x);
    checkTensorInput(this.rt, where, xName, x);
    expectRank(where, xName, xs, [2, 3], bf ? '(S, E) or (N, S, E) (batchFirst)' : '(S, E) or (S, N, E)');
    const batched = xs.length === 3;
    const dims = (s: readonly number[]) => batched ? (bf ? [s[0], s[1], s[2]] : [s[1], s[0], s[2]]) : [1, s[0], s[1]];
    const [N, L, Ex] = dims(xs);
    if (Ex !== E) fail(where, `${xName} must have dModel = ${E} features (last dim), got shape ${fmtShape(xs)}`);
    if (L < 1 || N < 1) fail(where, `empty ${xName}: shape ${fmtShape(xs)}`);
    const H = this.nhead;
    const cache = this.readCache(where, (opts as { cache?: unknown }).cache, N, L);
    const past = cache ? cache.length : 0;
    let selfMasks: ParsedMasks, mem: { st: Staged; S: number; masks: ParsedMasks } | null = null;
    if (decoder) {
      const o = opts as DecoderForwardOptions;
      const ms = shapeOf(where, 'memory', a);
      if (ms.length !== xs.length) fail(where, `memory must have the rank of tgt (${xs.length}), got shape ${fmtShape(ms)}`);
      const [Nm, S, Em] = dims(ms);
      if (Em !== E) fail(where, `memory must have dModel = ${E} features (last dim), got shape ${fmtShape(ms)}`);
      if (Nm !== N) fail(where, `memory batch size ${Nm} differs from tgt batch size ${N}`);
      if (S < 1) fail(where, `memory must not be empty, got shape ${fmtShape(ms)}`);
      const cross = cache?.layers[0].cross;
      if (cross && cross.length > 0 && cross.length !== S) {
        fail(where, `memory has ${S} positions but the cache holds the projection of a memory of ${cross.length} (reset() the cache for a new sequence)`);
      }
      selfMasks = parseMasks(where, { keyPaddingMask: o.tgtKeyPaddingMask, attnMask: o.tgtMask, isCausal: o.tgtIsCausal },
        { batched, N, H, L, S: past + L }, { kpm: 'tgtKeyPaddingMask', attn: 'tgtMask', causal: 'tgtIsCausal' });
      const memMasks = parseMasks(where, { keyPaddingMask: o.memoryKeyPaddingMask, attnMask: o.memoryMask, isCausal: o.memoryIsCausal },
        { batched, N, H, L, S }, { kpm: 'memoryKeyPaddingMask', attn: 'memoryMask', causal: 'memoryIsCausal' });
      checkTensorInput(this.rt, where, 'memory', a);
      mem = { st: { ptr: 0, shape: ms }, S, masks: memMasks };
    } else {
      const o = opts as EncoderForwardOptions;
      selfMasks = parseMasks(where, { keyPaddingMask: o.srcKeyPaddingMask, attnMask: o.mask, isCausal: o.isCausal },
        { batched, N, H, L, S: past + L }, { kpm: 'srcKeyPaddingMask', attn: 'mask', causal: 'isCausal' });
    }
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      let cur = stage(this.rt, this.ws, where, xName, x, 'in.x', own);
      if (mem) mem.st = stage(this.rt, this.ws, where, 'memory', a as Input, 'in.memory', own);
      // a decoder's first step of a sequence: room for the memory's projections in every layer's cross cache
      if (cache && mem) this.layers.forEach((layer, i) => this.crossCacheFor(cache.layers[i], layer, N, mem!.S));
      // every buffer of every layer first: a failed allocation changes nothing
      const buffers = this.layers.map((layer, i) => layer.reserve({ N, L }, selfMasks, mem, cache ? cache.layers[i] : null));
      const y = this.finalNorm ? this.ws.get('out', N * L * E) : 0;
      this.layers.forEach((layer, i) => {
        cur = { ptr: layer.forward(cur, { N, L }, selfMasks, mem, cache ? cache.layers[i] : null, buffers[i]), shape: xs };
      });
      if (this.finalNorm) {
        this.finalNorm.apply(cur.ptr, y, N * L);
        cur = { ptr: y, shape: xs };
      }
      return new Tensor(this.rt, cur.ptr, xs, false, this.outputs.next());
    });
  }

  private checkLive(where: string): void {
    if (this.disposed) fail(where, 'module used after dispose()');
  }

  /**
   * Caches for step-by-step decoding: `forward(xNew, { cache, isCausal: true })` (decoder: `forward(tgtNew, memory,
   * { cache, tgtIsCausal: true })`) takes only the new positions, appends every layer's new keys and values and
   * attends over all cached positions. A decoder projects `memory` for cross-attention once per sequence (at the
   * first step after createCache() or reset()). Preallocated to maxLength: a decode loop allocates nothing.
   */
  createCache(options: { batch: number; maxLength: number }): TransformerCache {
    const where = 'Transformer.createCache';
    this.checkLive(where);
    checkOptions(where, options, ['batch', 'maxLength']);
    if (!options) failType(where, 'options { batch, maxLength } are required');
    const batch = checkPositiveInt(where, 'batch', options.batch);
    const maxLength = checkPositiveInt(where, 'maxLength', options.maxLength);
    return this.rt.journal.atomic(where, () => {
      const made: LayerCache[] = [];
      try {
        for (const l of this.layers) made.push({ self: l.selfAttn.createCache({ batch, maxLength }), cross: null });
      } catch (e) {
        for (const m of made) m.self.dispose();
        throw e;
      }
      return new TransformerCache(this, batch, maxLength, made);
    });
  }

  private readCache(where: string, c: unknown, N: number, L: number): TransformerCache | null {
    if (c === undefined || c === null) return null;
    if (!(c instanceof TransformerCache)) failType(where, `cache must be a TransformerCache from createCache(), got ${describeValue(c)}`);
    if (c.owner !== this) fail(where, "cache was made by another module (use this module's createCache())");
    if (c.disposed) fail(where, 'cache is disposed');
    c.layers[0].self.check(where, this.layers[0].selfAttn, N, L);
    return c;
  }

  // A layer's cross cache with room for a memory of S positions (made, or grown, inside the journal call).
  private crossCacheFor(lc: LayerCache, layer: Layer, N: number, S: number): void {
    if (lc.cross && lc.cross.length > 0) return;              // this sequence's memory is projected already
    if (lc.cross && lc.cross.maxLength >= S) return;
    const old = lc.cross, fresh = layer.crossAttn!.createCache({ batch: N, maxLength: S });
    lc.cross = fresh;
    this.rt.journal.record(() => { fresh.dispose(); lc.cross = old; }, () => old?.dispose());
  }

  /** Frees weights and buffers; outputs of earlier forwards die with them. */
  dispose(): void {
    if (this.disposed) return;
    for (const l of this.layers) l.dispose();
    this.finalNorm?.dispose();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }

  /** `using enc = new Transformer(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}
