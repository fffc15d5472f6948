// The malformed-input table (hardening issue): one entry per bad call of a public function. Each entry must throw
// an Error whose message names the call (`call`) and the argument (`arg`); tests/contract/malformed.test.ts checks
// that, and that nothing changed: rt.memoryStats() after every entry, and a fixed set of good calls bit for bit after
// the table. Entries marked `todo` are known defects in files owned elsewhere: the lead removes the mark with the fix.
//
// `run` receives a context built once per build (see makeCtx): modules loaded with fixed weights, tensors of the
// runtime, disposed tensors and modules, tensors of a second runtime. Everything an entry needs in wasm memory is
// made there, before the memory is recorded, so an entry itself must leave the memory exactly as it found it.
import {
  init, Attention, MultiHead, Transformer, Tensor, loadSafetensors, saveSafetensors, toStateDict, attentionHeatmapSVG, viridis,
  type Runtime,
} from '../../bindings/index.ts';
import { rng, uniform } from './util.ts';

export interface Entry {
  /** The function the message must name, e.g. 'MultiHead.forward'. */
  call: string;
  /** The argument (or option, or state-dict key) the message must name. */
  arg: string;
  run: (c: Ctx) => unknown;
  /** A known defect (why the entry fails today); the test runs it as node:test todo, on its own context. */
  todo?: string;
}

/** A value of the wrong type, passed where the signature forbids it (the point of this table). */
const bad = (v: unknown): never => v as never;

/** n deterministic float32 values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  return uniform(rng(seed), n, -scale, scale);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
/** `{ data, shape }` of zeros (an ArrayInput). */
const arr = (shape: number[]) => ({ data: new Float32Array(Math.max(0, sizeOf(shape))), shape });

/** Parameters for every name a module expects, with fixed values (matrices ~ U(-1/√in, 1/√in), norms ~ 1). */
function paramsFor(specs: readonly { name: string; shape: readonly number[] }[], seed: number): Record<string, Float32Array> {
  const sd: Record<string, Float32Array> = {};
  specs.forEach((p, i) => {
    const n = sizeOf(p.shape);
    if (/norm\d?\.weight$/.test(p.name)) sd[p.name] = values(n, seed + i, 0.2).map((v) => 1 + v);
    else sd[p.name] = values(n, seed + i, p.shape.length === 2 ? 1 / Math.sqrt(p.shape[1]) : 0.2);
  });
  return sd;
}

/** `sd` with some keys removed, replaced or added. */
function edit(sd: Record<string, unknown>, changes: Record<string, unknown>): never {
  const out: Record<string, unknown> = { ...sd };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as never;
}

// --- safetensors bytes -------------------------------------------------------------------------------------------

/** A file from header text and body; `hi`/`lo` override the 8-byte header length. */
function rawFile(header: string, body = new Uint8Array(0), lo?: number, hi = 0): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, lo ?? h.length, true);
  dv.setUint32(4, hi, true);
  out.set(h, 8);
  out.set(body, 8 + h.length);
  return out;
}

/** A well-formed file of the given tensors (any dtype name; bytes as given). */
function stFile(tensors: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
  }
  const body = new Uint8Array(off);
  off = 0;
  for (const t of tensors) { body.set(t.bytes, off); off += t.bytes.length; }
  return rawFile(JSON.stringify(header), body);
}

const f32bytes = (x: Float32Array) => new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));

/** A safetensors file of `sd` where `f8` is stored as F8_E4M3 (valid file, but not readable as Float32). */
function fileWithF8(sd: Record<string, Float32Array>, shapes: readonly { name: string; shape: readonly number[] }[], f8: string): Uint8Array {
  return stFile(shapes.map((p) => p.name === f8
    ? { name: p.name, dtype: 'F8_E4M3', shape: [...p.shape], bytes: new Uint8Array(sizeOf(p.shape)) }
    : { name: p.name, dtype: 'F32', shape: [...p.shape], bytes: f32bytes(sd[p.name]) }));
}

/** A [rows, cols] operand larger than the runtime's whole memory right now (copying it in would grow the memory). */
function over(c: Ctx, cols: number): { data: Float32Array; rows: number } {
  const rows = Math.ceil((c.rt.memoryStats().memoryBytes / 4 + 65536) / cols);
  return { data: new Float32Array(rows * cols), rows };
}

const EMPTY_WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);   // a valid module with nothing in it

// --- context ------------------------------------------------------------------------------------------------------

export interface Ctx {
  variant: 'simd' | 'relaxed';
  rt: Runtime;
  /** A second runtime: its tensors must be refused by `rt`'s ops and modules. */
  other: Runtime;
  // op operands (Float32Array): matmul m=2 k=3 n=4; softmax / layerNorm rows=2 cols=3; additiveScores 1x2x3, hidden 4
  a: Float32Array; b: Float32Array; bias: Float32Array;
  x: Float32Array; gamma: Float32Array; beta: Float32Array; boolMask: Uint8Array;
  qp: Float32Array; kp: Float32Array; wv: Float32Array;
  /** [2, 3] tensors: live, disposed, of the other runtime; [3, 4] live; [2, 4] output; [4] live. */
  t23: Tensor; dead: Tensor; foreign: Tensor; t34: Tensor; out24: Tensor; t4: Tensor;
  // Attention: additive querySize 4, keySize 3, numHiddens 5; B=2, Q=3, K=5, dv=2
  att: Attention; attSD: Record<string, Float32Array>; attDot: Attention; attBare: Attention; attDead: Attention;
  aq: Tensor; ak: Tensor; av: Tensor; deadAq: Tensor; foreignAk: Tensor;
  // MultiHead: embedDim 8, numHeads 2, seq-first; L=3, N=2, S=4
  mha: MultiHead; mhaSD: Record<string, Float32Array>; mhaKV: MultiHead; mhaBare: MultiHead; mhaDead: MultiHead;
  mq: Tensor; mk: Tensor; kpm: Uint8Array; deadMq: Tensor; foreignMq: Tensor; foreignMk: Tensor;
  // Transformer: dModel 8, nhead 2, dimFeedforward 16; enc one layer, dec 2 layers + final norm; T=3, S=4, N=2
  enc: Transformer; encSD: Record<string, Float32Array>; dec: Transformer; decSD: Record<string, Float32Array>;
  trBare: Transformer; trDead: Transformer;
  tgt: Tensor; mem: Tensor; memKpm: Uint8Array; deadTgt: Tensor; foreignTgt: Tensor; emptyMem: Tensor;
}

export async function makeCtx(variant: 'simd' | 'relaxed', other: Runtime): Promise<Ctx> {
  const rt = await init({ variant });
  const tensor = (shape: number[], seed: number) => rt.tensor(values(sizeOf(shape), seed), shape);
  const deadTensor = (shape: number[]) => { const t = rt.zeros(shape); t.dispose(); return t; };

  const att = new Attention(rt, { score: 'additive', querySize: 4, keySize: 3, numHiddens: 5 });
  const attSD = paramsFor(att.parameterShapes(), 100);
  att.loadStateDict(attSD);
  const attDead = new Attention(rt, { score: 'dot' });
  attDead.dispose();

  const mha = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
  const mhaSD = paramsFor(mha.parameterShapes(), 200);
  mha.loadStateDict(mhaSD);
  const mhaDead = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
  mhaDead.loadStateDict(mhaSD);
  mhaDead.dispose();

  const enc = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16 });
  const encSD = paramsFor(enc.parameterShapes(), 300);
  enc.loadStateDict(encSD);
  const dec = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16, kind: 'decoder', numLayers: 2, norm: true, activation: 'gelu' });
  const decSD = paramsFor(dec.parameterShapes(), 400);
  dec.loadStateDict(decSD);
  const trDead = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16 });
  trDead.loadStateDict(encSD);
  trDead.dispose();

  return {
    variant, rt, other,
    a: values(6, 1), b: values(12, 2), bias: values(4, 3),
    x: values(6, 4, 3), gamma: values(3, 5), beta: values(3, 6), boolMask: new Uint8Array([0, 1, 0, 0, 0, 1]),
    qp: values(8, 7), kp: values(12, 8), wv: values(4, 9),
    t23: tensor([2, 3], 10), dead: deadTensor([2, 3]), foreign: other.tensor(values(6, 11), [2, 3]),
    t34: tensor([3, 4], 12), out24: rt.zeros([2, 4]), t4: tensor([4], 13),
    att, attSD, attDot: new Attention(rt, { score: 'dot' }),
    attBare: new Attention(rt, { score: 'additive', querySize: 4, keySize: 3, numHiddens: 5 }), attDead,
    aq: tensor([2, 3, 4], 14), ak: tensor([2, 5, 3], 15), av: tensor([2, 5, 2], 16),
    deadAq: deadTensor([2, 3, 4]), foreignAk: other.tensor(values(30, 17), [2, 5, 3]),
    mha, mhaSD, mhaKV: new MultiHead(rt, { embedDim: 8, numHeads: 2, kdim: 6, vdim: 5 }),
    mhaBare: new MultiHead(rt, { embedDim: 8, numHeads: 2 }), mhaDead,
    mq: tensor([3, 2, 8], 18), mk: tensor([4, 2, 8], 19), kpm: new Uint8Array([0, 0, 1, 0, 1, 0, 0, 0]),
    deadMq: deadTensor([3, 2, 8]), foreignMq: other.tensor(values(48, 20), [3, 2, 8]), foreignMk: other.tensor(values(64, 21), [4, 2, 8]),
    enc, encSD, dec, decSD, trBare: new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16 }), trDead,
    tgt: tensor([3, 2, 8], 22), mem: tensor([4, 2, 8], 23), memKpm: new Uint8Array([0, 1, 0, 0, 0, 0, 0, 1]),
    deadTgt: deadTensor([3, 2, 8]), foreignTgt: other.tensor(values(48, 24), [3, 2, 8]), emptyMem: rt.zeros([0, 2, 8]),
  };
}

/** The fixed good calls: every result as a JS copy, and the module-owned output tensors of the last run. */
export function goodCalls(c: Ctx): { results: Record<string, Float32Array>; held: Record<string, Tensor> } {
  const ops = c.rt.ops;
  const results: Record<string, Float32Array> = {};
  const held: Record<string, Tensor> = {};
  const copy = (x: Float32Array | Tensor) => (x instanceof Tensor ? x.toArray() : x.slice());
  results.matmul = copy(ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, bias: c.bias }));
  results.matmulT = copy(ops.matmul(c.t23, c.t34, { m: 2, k: 3, n: 4, bias: c.t4, out: c.out24 }));
  results.matmulBt = copy(ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, transposeB: true }));
  results.softmax = copy(ops.softmax(c.x, { rows: 2, cols: 3, mask: c.boolMask, scale: 0.5 }));
  results.softmaxLens = copy(ops.softmax(c.t23, { rows: 2, cols: 3, validLens: [1, 2], causal: true }));
  results.layerNorm = copy(ops.layerNorm(c.x, { rows: 2, cols: 3, weight: c.gamma, bias: c.beta, eps: 1e-5 }));
  results.additive = copy(ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4 }));
  results.gelu = copy(ops.gelu(c.x, { approximate: 'tanh' }));
  results.relu = copy(ops.relu(c.x));
  const a = c.att.forward(c.aq, c.ak, c.av);
  held.attOut = a.output; held.attW = a.weights!;
  const m = c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: c.kpm, averageAttnWeights: false });
  held.mhaOut = m.output; held.mhaW = m.weights!;
  held.enc = c.enc.forward(c.tgt, { isCausal: true });
  held.dec = c.dec.forward(c.tgt, c.mem, { tgtIsCausal: true, memoryKeyPaddingMask: c.memKpm });
  for (const [k, t] of Object.entries(held)) results[k] = t.toArray();
  return { results, held };
}

// --- the table ----------------------------------------------------------------------------------------------------


const opsEntries: Entry[] = [
  // matmul: options
  { call: 'matmul', arg: 'options', run: (c) => c.rt.ops.matmul(c.a, c.b, bad(undefined)) },
  { call: 'matmul', arg: 'options', run: (c) => c.rt.ops.matmul(c.a, c.b, bad(null)) },
  { call: 'matmul', arg: 'options', run: (c) => c.rt.ops.matmul(c.a, c.b, bad('m=2,k=3,n=4')) },
  { call: 'matmul', arg: 'n', run: (c) => c.rt.ops.matmul(c.a, c.b, bad({ m: 2, k: 3 })) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 0, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: -2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 1.5, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: NaN, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: Infinity, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'm', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: bad('2'), k: 3, n: 4 }) },
  { call: 'matmul', arg: 'k', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 0, n: 4 }) },
  { call: 'matmul', arg: 'n', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: -1 }) },
  { call: 'matmul', arg: 'transposeA', run: (c) => c.rt.ops.matmul(c.a, c.b, bad({ m: 2, k: 3, n: 4, transposeA: true })) },
  { call: 'matmul', arg: 'bais', run: (c) => c.rt.ops.matmul(c.a, c.b, bad({ m: 2, k: 3, n: 4, bais: c.bias })) },
  { call: 'matmul', arg: 'transposeB', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, transposeB: bad('yes') }) },
  { call: 'matmul', arg: 'transposeB', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, transposeB: bad(1) }) },
  // matmul: operands
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad(null), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad(undefined), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad([1, 2, 3, 4, 5, 6]), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad(new Float64Array(6)), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad(new Int32Array(6)), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(bad({ data: c.a, shape: [2, 3] }), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(new Float32Array(5), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(new Float32Array(7), c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(c.dead, c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(c.foreign, c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'a', run: (c) => c.rt.ops.matmul(c.t34, c.b, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, bad(null), { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, bad(Array.from(c.b)), { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, bad(new Float64Array(12)), { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(11), { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(8), { m: 2, k: 3, n: 4, transposeB: true }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.a, c.dead, { m: 2, k: 3, n: 4 }) },
  { call: 'matmul', arg: 'b', run: (c) => c.rt.ops.matmul(c.t23, c.foreign, { m: 2, k: 3, n: 2 }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, bias: new Float32Array(3) }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, bias: bad([1, 2, 3, 4]) }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, bias: bad(new Float64Array(4)) }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, bias: bad(0.5) }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(18), { m: 2, k: 3, n: 6, bias: c.dead }) },
  { call: 'matmul', arg: 'bias', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(18), { m: 2, k: 3, n: 6, bias: c.foreign }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, out: bad(new Uint8Array(8)) }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, out: bad(new Array(8).fill(0)) }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, out: new Float32Array(7) }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, c.b, { m: 2, k: 3, n: 4, out: c.t23 }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(9), { m: 2, k: 3, n: 3, out: c.dead }) },
  { call: 'matmul', arg: 'out', run: (c) => c.rt.ops.matmul(c.a, new Float32Array(9), { m: 2, k: 3, n: 3, out: c.foreign }) },
  // a large valid operand before a bad one: nothing may be copied in before every check passed (a copy would grow
  // the memory, which cannot shrink back: over() is always larger than the memory at the time of the call)
  { call: 'matmul', arg: 'b', run: (c) => { const { data, rows } = over(c, 256); return c.rt.ops.matmul(data, new Float32Array(5), { m: rows, k: 256, n: 4 }); } },

  // softmax
  { call: 'softmax', arg: 'options', run: (c) => c.rt.ops.softmax(c.x, bad(undefined)) },
  { call: 'softmax', arg: 'options', run: (c) => c.rt.ops.softmax(c.x, bad(null)) },
  { call: 'softmax', arg: 'options', run: (c) => c.rt.ops.softmax(c.x, bad(3)) },
  { call: 'softmax', arg: 'rows', run: (c) => c.rt.ops.softmax(c.x, { rows: 0, cols: 3 }) },
  { call: 'softmax', arg: 'rows', run: (c) => c.rt.ops.softmax(c.x, { rows: -2, cols: 3 }) },
  { call: 'softmax', arg: 'rows', run: (c) => c.rt.ops.softmax(c.x, { rows: 2.5, cols: 3 }) },
  { call: 'softmax', arg: 'rows', run: (c) => c.rt.ops.softmax(c.x, { rows: bad('2'), cols: 3 }) },
  { call: 'softmax', arg: 'rows', run: (c) => c.rt.ops.softmax(c.x, bad({ cols: 3 })) },
  { call: 'softmax', arg: 'cols', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: Infinity }) },
  { call: 'softmax', arg: 'cols', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: NaN }) },
  { call: 'softmax', arg: 'scale', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, scale: NaN }) },
  { call: 'softmax', arg: 'scale', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, scale: -Infinity }) },
  { call: 'softmax', arg: 'scale', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, scale: bad('0.5') }) },
  { call: 'softmax', arg: 'causal', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, causal: bad('yes') }) },
  { call: 'softmax', arg: 'causal', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, causal: bad(1) }) },
  { call: 'softmax', arg: 'dim', run: (c) => c.rt.ops.softmax(c.x, bad({ rows: 2, cols: 3, dim: -1 })) },
  { call: 'softmax', arg: 'validLen', run: (c) => c.rt.ops.softmax(c.x, bad({ rows: 2, cols: 3, validLen: [1, 2] })) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(bad(null), { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(bad([1, 2, 3, 4, 5, 6]), { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(bad(new Float64Array(6)), { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(new Float32Array(5), { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(c.dead, { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'x', run: (c) => c.rt.ops.softmax(c.foreign, { rows: 2, cols: 3 }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: new Float32Array(4) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: new Uint8Array(5) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: bad([0, 1, 0, 0, 0, 1]) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: bad(new Int32Array(6)) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: bad(new Float64Array(6)) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: bad({ data: c.boolMask, shape: [2, 3] }) }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: bad('causal') }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: c.dead }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: c.foreign }) },
  { call: 'softmax', arg: 'mask', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, mask: c.t4 }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: [1] }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: [1, 2, 3] }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: [-1, 2] }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: [1, NaN] }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: [1, 1.5] }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: bad([1, '2']) }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: bad(new Float32Array([1, 2])) }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: bad('12') }) },
  { call: 'softmax', arg: 'validLens', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, validLens: bad(2) }) },
  { call: 'softmax', arg: 'out', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, out: bad(new Uint8Array(6)) }) },
  { call: 'softmax', arg: 'out', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, out: new Float32Array(5) }) },
  { call: 'softmax', arg: 'out', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, out: c.dead }) },
  { call: 'softmax', arg: 'out', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, out: c.foreign }) },
  { call: 'softmax', arg: 'out', run: (c) => c.rt.ops.softmax(c.x, { rows: 2, cols: 3, out: c.t4 }) },
  { call: 'softmax', arg: 'validLens', run: (c) => { const { data, rows } = over(c, 256); return c.rt.ops.softmax(data, { rows, cols: 256, validLens: new Array(rows).fill(-1) }); } },
  { call: 'softmax', arg: 'mask', run: (c) => { const { data, rows } = over(c, 256); return c.rt.ops.softmax(data, { rows, cols: 256, mask: new Uint8Array(5) }); } },

  // layerNorm
  { call: 'layerNorm', arg: 'options', run: (c) => c.rt.ops.layerNorm(c.x, bad(undefined)) },
  { call: 'layerNorm', arg: 'options', run: (c) => c.rt.ops.layerNorm(c.x, bad(null)) },
  { call: 'layerNorm', arg: 'rows', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 0, cols: 3 }) },
  { call: 'layerNorm', arg: 'cols', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: -3 }) },
  { call: 'layerNorm', arg: 'cols', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 1.5 }) },
  { call: 'layerNorm', arg: 'eps', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, eps: -1 }) },
  { call: 'layerNorm', arg: 'eps', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, eps: NaN }) },
  { call: 'layerNorm', arg: 'eps', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, eps: Infinity }) },
  { call: 'layerNorm', arg: 'eps', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, eps: bad('1e-5') }) },
  { call: 'layerNorm', arg: 'epsilon', run: (c) => c.rt.ops.layerNorm(c.x, bad({ rows: 2, cols: 3, epsilon: 1e-5 })) },
  { call: 'layerNorm', arg: 'gamma', run: (c) => c.rt.ops.layerNorm(c.x, bad({ rows: 2, cols: 3, gamma: c.gamma })) },
  { call: 'layerNorm', arg: 'x', run: (c) => c.rt.ops.layerNorm(bad(null), { rows: 2, cols: 3 }) },
  { call: 'layerNorm', arg: 'x', run: (c) => c.rt.ops.layerNorm(bad([1, 2, 3, 4, 5, 6]), { rows: 2, cols: 3 }) },
  { call: 'layerNorm', arg: 'x', run: (c) => c.rt.ops.layerNorm(new Float32Array(7), { rows: 2, cols: 3 }) },
  { call: 'layerNorm', arg: 'x', run: (c) => c.rt.ops.layerNorm(c.dead, { rows: 2, cols: 3 }) },
  { call: 'layerNorm', arg: 'x', run: (c) => c.rt.ops.layerNorm(c.foreign, { rows: 2, cols: 3 }) },
  { call: 'layerNorm', arg: 'weight', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, weight: new Float32Array(2) }) },
  { call: 'layerNorm', arg: 'weight', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, weight: bad([1, 1, 1]) }) },
  { call: 'layerNorm', arg: 'weight', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, weight: bad(new Float64Array(3)) }) },
  { call: 'layerNorm', arg: 'weight', run: (c) => c.rt.ops.layerNorm(new Float32Array(12), { rows: 2, cols: 6, weight: c.dead, out: new Float32Array(12) }) },
  { call: 'layerNorm', arg: 'weight', run: (c) => c.rt.ops.layerNorm(new Float32Array(12), { rows: 2, cols: 6, weight: c.foreign }) },
  { call: 'layerNorm', arg: 'bias', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, bias: new Float32Array(4) }) },
  { call: 'layerNorm', arg: 'bias', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, bias: bad(new Uint8Array(3)) }) },
  { call: 'layerNorm', arg: 'bias', run: (c) => c.rt.ops.layerNorm(new Float32Array(12), { rows: 2, cols: 6, bias: c.dead }) },
  { call: 'layerNorm', arg: 'out', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, out: new Float32Array(5) }) },
  { call: 'layerNorm', arg: 'out', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, out: bad(new Int32Array(6)) }) },
  { call: 'layerNorm', arg: 'out', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, out: c.dead }) },
  { call: 'layerNorm', arg: 'out', run: (c) => c.rt.ops.layerNorm(c.x, { rows: 2, cols: 3, out: c.foreign }) },
  { call: 'layerNorm', arg: 'bias', run: (c) => { const { data, rows } = over(c, 256); return c.rt.ops.layerNorm(data, { rows, cols: 256, weight: new Float32Array(256), bias: new Float32Array(3) }); } },
  { call: 'additiveScores', arg: 'wv', run: (c) => { const { data, rows } = over(c, 16); return c.rt.ops.additiveScores(data, new Float32Array(16), new Float32Array(3), { batch: 1, nq: rows, nk: 1, hidden: 16 }); } },
  { call: 'gelu', arg: 'out', run: (c) => c.rt.ops.gelu(over(c, 1).data, { out: bad(new Uint8Array(4)) }) },

  // additiveScores: qp [1, 2, 4], kp [1, 3, 4], wv [4]
  { call: 'additiveScores', arg: 'options', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, bad(undefined)) },
  { call: 'additiveScores', arg: 'options', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, bad(null)) },
  { call: 'additiveScores', arg: 'batch', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 0, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'nq', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: -1, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'nk', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 1.5, hidden: 4 }) },
  { call: 'additiveScores', arg: 'hidden', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: NaN }) },
  { call: 'additiveScores', arg: 'hidden', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, bad({ batch: 1, nq: 2, nk: 3 })) },
  { call: 'additiveScores', arg: 'batch', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1 << 16, nq: 1 << 16, nk: 2, hidden: 1 }) },
  { call: 'additiveScores', arg: 'numHiddens', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, bad({ batch: 1, nq: 2, nk: 3, hidden: 4, numHiddens: 4 })) },
  { call: 'additiveScores', arg: 'qp', run: (c) => c.rt.ops.additiveScores(bad(null), c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'qp', run: (c) => c.rt.ops.additiveScores(new Float32Array(7), c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'qp', run: (c) => c.rt.ops.additiveScores(c.dead, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 3 }) },
  { call: 'additiveScores', arg: 'qp', run: (c) => c.rt.ops.additiveScores(c.foreign, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 3 }) },
  { call: 'additiveScores', arg: 'kp', run: (c) => c.rt.ops.additiveScores(c.qp, bad(Array.from(c.kp)), c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'kp', run: (c) => c.rt.ops.additiveScores(c.qp, new Float32Array(11), c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'wv', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, new Float32Array(3), { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'wv', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, bad(new Float64Array(4)), { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'wv', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.dead, { batch: 1, nq: 2, nk: 3, hidden: 4 }) },
  { call: 'additiveScores', arg: 'out', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4, out: new Float32Array(5) }) },
  { call: 'additiveScores', arg: 'out', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4, out: bad(new Uint8Array(6)) }) },
  { call: 'additiveScores', arg: 'out', run: (c) => c.rt.ops.additiveScores(c.qp, c.kp, c.wv, { batch: 1, nq: 2, nk: 3, hidden: 4, out: c.foreign }) },

  // gelu / relu
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad(null)) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad(undefined)) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad([1, 2, 3])) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad(new Float64Array(3))) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad(new Int32Array(3))) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(bad(0.5)) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(c.dead) },
  { call: 'gelu', arg: 'x', run: (c) => c.rt.ops.gelu(c.foreign) },
  { call: 'gelu', arg: 'options', run: (c) => c.rt.ops.gelu(c.x, bad('tanh')) },
  { call: 'gelu', arg: 'options', run: (c) => c.rt.ops.gelu(c.x, bad(null)) },
  { call: 'gelu', arg: 'approximate', run: (c) => c.rt.ops.gelu(c.x, { approximate: bad('erf') }) },
  { call: 'gelu', arg: 'approximate', run: (c) => c.rt.ops.gelu(c.x, { approximate: bad(true) }) },
  { call: 'gelu', arg: 'approx', run: (c) => c.rt.ops.gelu(c.x, bad({ approx: 'tanh' })) },
  { call: 'gelu', arg: 'out', run: (c) => c.rt.ops.gelu(c.x, { out: new Float32Array(5) }) },
  { call: 'gelu', arg: 'out', run: (c) => c.rt.ops.gelu(c.x, { out: bad([0, 0, 0, 0, 0, 0]) }) },
  { call: 'gelu', arg: 'out', run: (c) => c.rt.ops.gelu(c.x, { out: c.dead }) },
  { call: 'gelu', arg: 'out', run: (c) => c.rt.ops.gelu(c.x, { out: c.foreign }) },
  { call: 'relu', arg: 'x', run: (c) => c.rt.ops.relu(bad(null)) },
  { call: 'relu', arg: 'x', run: (c) => c.rt.ops.relu(bad([1, -1])) },
  { call: 'relu', arg: 'x', run: (c) => c.rt.ops.relu(bad(new Float64Array(2))) },
  { call: 'relu', arg: 'x', run: (c) => c.rt.ops.relu(c.dead) },
  { call: 'relu', arg: 'x', run: (c) => c.rt.ops.relu(c.foreign) },
  { call: 'relu', arg: 'options', run: (c) => c.rt.ops.relu(c.x, bad(true)) },
  { call: 'relu', arg: 'approximate', run: (c) => c.rt.ops.relu(c.x, bad({ approximate: 'none' })) },
  { call: 'relu', arg: 'inplace', run: (c) => c.rt.ops.relu(c.x, bad({ inplace: true })) },
  { call: 'relu', arg: 'out', run: (c) => c.rt.ops.relu(c.x, { out: new Float32Array(7) }) },
  { call: 'relu', arg: 'out', run: (c) => c.rt.ops.relu(c.x, { out: bad(new Uint8Array(6)) }) },
  { call: 'relu', arg: 'out', run: (c) => c.rt.ops.relu(c.x, { out: c.t4 }) },
];

const runtimeEntries: Entry[] = [
  // init (async: the runner awaits the rejection)
  { call: 'init', arg: 'options', run: () => init(bad(null)) },
  { call: 'init', arg: 'options', run: () => init(bad('simd')) },
  { call: 'init', arg: 'options', run: () => init(bad(42)) },
  { call: 'init', arg: 'options', run: () => init(bad([])) },
  { call: 'init', arg: 'variant', run: () => init({ variant: bad('fast') }) },
  { call: 'init', arg: 'variant', run: () => init({ variant: bad(1) }) },
  { call: 'init', arg: 'varient', run: () => init(bad({ varient: 'simd' })) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: bad(42) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: bad(true) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: new Uint8Array([1, 2, 3, 4]) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: new ArrayBuffer(0) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: new Float64Array(4) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: EMPTY_WASM }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: '/nonexistent/wasm-attention/simd.wasm' }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: new URL('file:///nonexistent/wasm-attention/simd.wasm') }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: { simd: bad(42) } }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: { simd: EMPTY_WASM } }) },
  { call: 'init', arg: 'sims', run: () => init({ variant: 'simd', wasm: bad({ sims: EMPTY_WASM }) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: bad([0, 97, 115, 109, 1, 0, 0, 0]) }) },
  { call: 'init', arg: 'wasm', run: () => init({ variant: 'simd', wasm: bad(Promise.resolve(EMPTY_WASM)) }) },

  // rt.tensor / rt.empty / rt.zeros
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad(null)) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad(undefined)) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad('2,3')) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad(6)) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad(new Int32Array([2, 3]))) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, [2, -3]) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, [2, 1.5]) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, [NaN]) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, [Infinity]) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad(['2', 3])) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, bad([2, null])) },
  { call: 'tensor', arg: 'shape', run: (c) => c.rt.tensor(c.a, [1 << 16, 1 << 16]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(null), [2, 3]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(undefined), [2, 3]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad('abcdef'), [6]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(42), [1]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad({ length: 6 }), [6]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(c.t23), [2, 3]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(new Float32Array(5), [2, 3]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor([1, 2, 3], [2, 2]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(new DataView(new ArrayBuffer(8))), [2]) },
  { call: 'tensor', arg: 'data', run: (c) => c.rt.tensor(bad(['a', 'b']), [2]) },
  { call: 'empty', arg: 'shape', run: (c) => c.rt.empty(bad(null)) },
  { call: 'empty', arg: 'shape', run: (c) => c.rt.empty(bad('3')) },
  { call: 'empty', arg: 'shape', run: (c) => c.rt.empty([2, -1]) },
  { call: 'empty', arg: 'shape', run: (c) => c.rt.empty([1 << 16, 1 << 16]) },
  { call: 'empty', arg: 'shape', run: (c) => c.rt.empty([1e300]) },
  { call: 'zeros', arg: 'shape', run: (c) => c.rt.zeros(bad(undefined)) },
  { call: 'zeros', arg: 'shape', run: (c) => c.rt.zeros([0.5]) },
  { call: 'zeros', arg: 'shape', run: (c) => c.rt.zeros([1 << 16, 1 << 16]) },

  // Tensor members on a disposed tensor
  { call: 'Tensor.data', arg: 'dispose', run: (c) => c.dead.data },
  { call: 'Tensor.toArray', arg: 'dispose', run: (c) => c.dead.toArray() },
  { call: 'Tensor.ptr', arg: 'dispose', run: (c) => c.dead.ptr },
];

const attentionEntries: Entry[] = [
  // constructor
  { call: 'Attention', arg: 'rt', run: (c) => new Attention(bad(Promise.resolve(c.rt)), { score: 'dot' }) },
  { call: 'Attention', arg: 'rt', run: () => new Attention(bad(undefined), { score: 'dot' }) },
  { call: 'Attention', arg: 'options', run: (c) => new Attention(c.rt, bad(undefined)) },
  { call: 'Attention', arg: 'options', run: (c) => new Attention(c.rt, bad(null)) },
  { call: 'Attention', arg: 'options', run: (c) => new Attention(c.rt, bad('dot')) },
  { call: 'Attention', arg: 'score', run: (c) => new Attention(c.rt, bad({})) },
  { call: 'Attention', arg: 'score', run: (c) => new Attention(c.rt, { score: bad('cosine') }) },
  { call: 'Attention', arg: 'score', run: (c) => new Attention(c.rt, { score: bad(1) }) },
  { call: 'Attention', arg: 'querySize', run: (c) => new Attention(c.rt, { score: 'additive', keySize: 3, numHiddens: 5 }) },
  { call: 'Attention', arg: 'keySize', run: (c) => new Attention(c.rt, { score: 'additive', querySize: 4, numHiddens: 5 }) },
  { call: 'Attention', arg: 'numHiddens', run: (c) => new Attention(c.rt, { score: 'additive', querySize: 4, keySize: 3 }) },
  { call: 'Attention', arg: 'keySize', run: (c) => new Attention(c.rt, { score: 'general', querySize: 4 }) },
  { call: 'Attention', arg: 'querySize', run: (c) => new Attention(c.rt, { score: 'additive', querySize: 0, keySize: 3, numHiddens: 5 }) },
  { call: 'Attention', arg: 'querySize', run: (c) => new Attention(c.rt, { score: 'additive', querySize: NaN, keySize: 3, numHiddens: 5 }) },
  { call: 'Attention', arg: 'querySize', run: (c) => new Attention(c.rt, { score: 'additive', querySize: bad('4'), keySize: 3, numHiddens: 5 }) },
  { call: 'Attention', arg: 'keySize', run: (c) => new Attention(c.rt, { score: 'additive', querySize: 4, keySize: -3, numHiddens: 5 }) },
  { call: 'Attention', arg: 'numHiddens', run: (c) => new Attention(c.rt, { score: 'additive', querySize: 4, keySize: 3, numHiddens: 2.5 }) },
  { call: 'Attention', arg: 'bias', run: (c) => new Attention(c.rt, { score: 'general', querySize: 4, keySize: 3, bias: bad('yes') }) },
  { call: 'Attention', arg: 'bias', run: (c) => new Attention(c.rt, { score: 'dot', bias: true }) },
  { call: 'Attention', arg: 'numHeads', run: (c) => new Attention(c.rt, bad({ score: 'dot', numHeads: 2 })) },
  { call: 'Attention', arg: 'query_size', run: (c) => new Attention(c.rt, bad({ score: 'general', query_size: 4, keySize: 3 })) },
  { call: 'Attention', arg: 'dropout', run: (c) => new Attention(c.rt, { score: 'dot', dropout: bad('high') }) },
  // loadStateDict
  { call: 'Attention.loadStateDict', arg: 'state dict', run: (c) => c.att.loadStateDict(bad(null)) },
  { call: 'Attention.loadStateDict', arg: 'state dict', run: (c) => c.att.loadStateDict(bad(42)) },
  { call: 'Attention.loadStateDict', arg: 'state dict', run: (c) => c.att.loadStateDict(bad('weights.safetensors')) },
  { call: 'Attention.loadStateDict', arg: 'w_v.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'w_v.weight': undefined })) },
  { call: 'Attention.loadStateDict', arg: 'W_v.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_v.weight': new Float32Array(5) })) },
  { call: 'Attention.loadStateDict', arg: 'W_k.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_k.weight': { data: new Float32Array(15), shape: [3, 5] } })) },
  { call: 'Attention.loadStateDict', arg: 'W_q.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_q.weight': new Float32Array(19) })) },
  { call: 'Attention.loadStateDict', arg: 'W_q.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_q.weight': Array.from(c.attSD['W_q.weight']) })) },
  { call: 'Attention.loadStateDict', arg: 'W_q.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_q.weight': new Float64Array(20) })) },
  { call: 'Attention.loadStateDict', arg: 'W_k.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'W_k.weight': { data: new Float32Array(15), shape: [5, 2] } })) },
  { call: 'Attention.loadStateDict', arg: 'w_v.weight', run: (c) => c.att.loadStateDict(edit(c.attSD, { 'w_v.weight': c.dead })) },
  { call: 'Attention.loadStateDict', arg: 'W_q.weight', run: (c) => c.attDot.loadStateDict(bad({ 'W_q.weight': new Float32Array(4) })) },
  { call: 'Attention.loadStateDict', arg: 'W_q.weight',
    run: (c) => c.att.loadStateDict(loadSafetensors(fileWithF8(c.attSD, c.att.parameterShapes(), 'W_q.weight'))) },
  { call: 'Attention.loadStateDict', arg: 'dispose', run: (c) => c.attDead.loadStateDict({}) },
  // forward: queries [2, 3, 4], keys [2, 5, 3], values [2, 5, 2]
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad(null), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad(undefined), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad(new Float32Array(24)), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad(new Array(24).fill(0)), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad({ data: new Array(24).fill(0), shape: [2, 3, 4] }), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad({ data: new Float64Array(24), shape: [2, 3, 4] }), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward({ data: new Float32Array(23), shape: [2, 3, 4] }, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward({ data: new Float32Array(24), shape: [2, -3, -4] }, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward({ data: new Float32Array(24), shape: [2, 3, 4.5] }, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(bad({ data: new Float32Array(24), shape: '2,3,4' }), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(arr([2, 3, 4, 1]), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(arr([3, 4]), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(arr([2, 3, 5]), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(c.deadAq, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.attDot.forward(c.foreignAk, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, bad(null), c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, arr([2, 5, 4]), c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, arr([5, 3]), c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, arr([3, 5, 3]), arr([3, 5, 2])) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, c.dead, c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, c.foreignAk, c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(arr([2, 3, 4]), c.foreignAk, c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.attDot.forward(c.aq, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, bad(undefined)) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, arr([2, 5, 2, 1])) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, arr([2, 4, 2])) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, arr([3, 5, 2])) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, c.dead) },
  { call: 'Attention.forward', arg: 'values', run: (c) => c.att.forward(c.aq, c.ak, c.foreign) },
  { call: 'Attention.forward', arg: 'queries', run: (c) => c.att.forward(arr([2, 0, 4]), c.ak, c.av) },
  { call: 'Attention.forward', arg: 'keys', run: (c) => c.att.forward(c.aq, arr([2, 0, 3]), arr([2, 0, 2])) },
  { call: 'Attention.forward', arg: 'options', run: (c) => c.att.forward(c.aq, c.ak, c.av, bad('validLens')) },
  { call: 'Attention.forward', arg: 'options', run: (c) => c.att.forward(c.aq, c.ak, c.av, bad(null)) },
  { call: 'Attention.forward', arg: 'validLen', run: (c) => c.att.forward(c.aq, c.ak, c.av, bad({ validLen: [1, 2] })) },
  { call: 'Attention.forward', arg: 'mask', run: (c) => c.att.forward(c.aq, c.ak, c.av, bad({ mask: new Uint8Array(30) })) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: [1, 2, 3] }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: [1] }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: bad('12') }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: bad(2) }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: [1, -1] }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: [NaN, 1] }) },
  { call: 'Attention.forward', arg: 'validLens', run: (c) => c.att.forward(c.aq, c.ak, c.av, { validLens: bad(['1', 2]) }) },
  { call: 'Attention.forward', arg: 'loadStateDict', run: (c) => c.attBare.forward(c.aq, c.ak, c.av) },
  { call: 'Attention.forward', arg: 'dispose', run: (c) => c.attDead.forward(c.ak, c.ak, c.av) },
];

const multiheadEntries: Entry[] = [
  // constructor
  { call: 'MultiHead', arg: 'rt', run: (c) => new MultiHead(bad(Promise.resolve(c.rt)), { embedDim: 8, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'rt', run: () => new MultiHead(bad(undefined), { embedDim: 8, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'rt', run: () => new MultiHead(bad({}), { embedDim: 8, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'rt', run: (c) => new MultiHead(bad(c.rt.ops), { embedDim: 8, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'options', run: (c) => new MultiHead(c.rt, bad(undefined)) },
  { call: 'MultiHead', arg: 'options', run: (c) => new MultiHead(c.rt, bad(null)) },
  { call: 'MultiHead', arg: 'options', run: (c) => new MultiHead(c.rt, bad(8)) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, bad({ numHeads: 2 })) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: 0, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: -8, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: 7.5, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: NaN, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: Infinity, numHeads: 2 }) },
  { call: 'MultiHead', arg: 'embedDim', run: (c) => new MultiHead(c.rt, { embedDim: bad('8'), numHeads: 2 }) },
  { call: 'MultiHead', arg: 'numHeads', run: (c) => new MultiHead(c.rt, bad({ embedDim: 8 })) },
  { call: 'MultiHead', arg: 'numHeads', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 0 }) },
  { call: 'MultiHead', arg: 'numHeads', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 3 }) },
  { call: 'MultiHead', arg: 'kdim', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, kdim: 0 }) },
  { call: 'MultiHead', arg: 'kdim', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, kdim: bad('6') }) },
  { call: 'MultiHead', arg: 'vdim', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, vdim: 1.5 }) },
  { call: 'MultiHead', arg: 'bias', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, bias: bad('true') }) },
  { call: 'MultiHead', arg: 'addBiasKV', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, addBiasKV: bad(1) }) },
  { call: 'MultiHead', arg: 'addZeroAttn', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, addZeroAttn: bad('no') }) },
  { call: 'MultiHead', arg: 'batchFirst', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, batchFirst: bad('yes') }) },
  { call: 'MultiHead', arg: 'batch_first', run: (c) => new MultiHead(c.rt, bad({ embedDim: 8, numHeads: 2, batch_first: true })) },
  { call: 'MultiHead', arg: 'num_heads', run: (c) => new MultiHead(c.rt, bad({ embedDim: 8, num_heads: 2 })) },
  { call: 'MultiHead', arg: 'dropout', run: (c) => new MultiHead(c.rt, { embedDim: 8, numHeads: 2, dropout: bad('x') }) },
  // loadStateDict
  { call: 'MultiHead.loadStateDict', arg: 'state dict', run: (c) => c.mha.loadStateDict(bad(null)) },
  { call: 'MultiHead.loadStateDict', arg: 'state dict', run: (c) => c.mha.loadStateDict(bad(42)) },
  { call: 'MultiHead.loadStateDict', arg: 'state dict', run: (c) => c.mha.loadStateDict(bad(undefined)) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { in_proj_bias: undefined })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.weight', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.weight': undefined })) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_weight.T', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'in_proj_weight.T': new Float32Array(192) })) },
  { call: 'MultiHead.loadStateDict', arg: 'bias_k', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { bias_k: new Float32Array(8) })) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_weight',
    run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { in_proj_weight: { data: c.mhaSD.in_proj_weight, shape: [8, 24] } })) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_weight', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { in_proj_weight: new Float32Array(191) })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.bias': new Float32Array(7) })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.bias': new Array(8).fill(0) })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.bias': new Uint8Array(8) })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.bias': { data: new Float32Array(8), shape: [8, 'x'] } })) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { 'out_proj.bias': null })) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_bias', run: (c) => c.mha.loadStateDict(edit(c.mhaSD, { in_proj_bias: c.dead })) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_weight',
    run: (c) => c.mha.loadStateDict(new Map(Object.entries(edit(c.mhaSD, { in_proj_weight: { data: new Float32Array(192), shape: [24, 4, 2] } })))) },
  { call: 'MultiHead.loadStateDict', arg: 'in_proj_weight',
    run: (c) => c.mha.loadStateDict(loadSafetensors(fileWithF8(c.mhaSD, c.mha.parameterShapes(), 'in_proj_weight'))) },
  { call: 'MultiHead.loadStateDict', arg: 'out_proj.bias',
    run: (c) => c.mha.loadStateDict(loadSafetensors(saveSafetensors(Object.fromEntries(c.mha.parameterShapes()
      .filter((p) => p.name !== 'out_proj.bias').map((p) => [p.name, { data: c.mhaSD[p.name], shape: p.shape }]))))) },
  { call: 'MultiHead.loadStateDict', arg: 'q_proj_weight', run: (c) => c.mhaKV.loadStateDict(c.mhaSD) },
  { call: 'MultiHead.loadStateDict', arg: 'k_proj_weight',
    run: (c) => c.mhaKV.loadStateDict({ q_proj_weight: new Float32Array(64), k_proj_weight: new Float32Array(64), v_proj_weight: new Float32Array(40),
      in_proj_bias: new Float32Array(24), 'out_proj.weight': new Float32Array(64), 'out_proj.bias': new Float32Array(8) }) },
  { call: 'MultiHead.loadStateDict', arg: 'dispose', run: (c) => c.mhaDead.loadStateDict(c.mhaSD) },
  // forward: query [3, 2, 8] (L, N, E), key/value [4, 2, 8]
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(bad(null), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(bad(undefined), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(bad(new Float32Array(48)), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(bad([[1, 2, 3]]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(bad({ data: new Array(48).fill(0), shape: [3, 2, 8] }), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward({ data: new Float32Array(47), shape: [3, 2, 8] }, c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward({ data: new Float32Array(48), shape: [3, 2, -8] }, c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(arr([8]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(arr([3, 2, 8, 1]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(arr([3, 2, 7]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(c.deadMq, c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(c.foreignMq, c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, bad(null), c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, arr([4, 8]), arr([4, 8])) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, arr([4, 2, 7]), c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, arr([4, 3, 8]), arr([4, 3, 8])) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(arr([3, 8]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, c.deadMq, c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, c.foreignMk, c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(arr([3, 2, 8]), c.foreignMk, c.foreignMk) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, bad(undefined)) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, arr([4, 2, 6])) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, arr([5, 2, 8])) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, arr([2, 8])) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, c.deadMq) },
  { call: 'MultiHead.forward', arg: 'value', run: (c) => c.mha.forward(c.mq, c.mk, c.foreignMk) },
  { call: 'MultiHead.forward', arg: 'query', run: (c) => c.mha.forward(arr([0, 2, 8]), c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'key', run: (c) => c.mha.forward(c.mq, arr([0, 2, 8]), arr([0, 2, 8])) },
  { call: 'MultiHead.forward', arg: 'options', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad(null)) },
  { call: 'MultiHead.forward', arg: 'options', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad(true)) },
  { call: 'MultiHead.forward', arg: 'key_padding_mask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad({ key_padding_mask: c.kpm })) },
  { call: 'MultiHead.forward', arg: 'attn_mask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad({ attn_mask: new Uint8Array(12) })) },
  { call: 'MultiHead.forward', arg: 'need_weights', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad({ need_weights: false })) },
  { call: 'MultiHead.forward', arg: 'causal', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, bad({ causal: true })) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad([0, 0, 1, 0, 1, 0, 0, 0]) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad(new Int32Array(8)) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad(new Float64Array(8)) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad('pad') }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad(1) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: new Uint8Array(7) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: new Float32Array(6) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: { data: c.kpm, shape: [4, 2] } }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: { data: c.kpm, shape: [2, 3] } }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad({ data: c.kpm, shape: '2x4' }) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad({ data: Array.from(c.kpm), shape: [2, 4] }) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { keyPaddingMask: bad(c.dead) }) },
  { call: 'MultiHead.forward', arg: 'keyPaddingMask', run: (c) => c.mha.forward(arr([3, 8]), arr([4, 8]), arr([4, 8]), { keyPaddingMask: c.kpm }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: new Uint8Array(10) }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: new Float32Array(9) }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: { data: new Float32Array(12), shape: [4, 3] } }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: { data: new Float32Array(36), shape: [3, 3, 4] } }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: bad(new Array(12).fill(0)) }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: bad(new Int8Array(12)) }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: bad('causal') }) },
  { call: 'MultiHead.forward', arg: 'attnMask', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { attnMask: bad(c.dead) }) },
  { call: 'MultiHead.forward', arg: 'needWeights', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { needWeights: bad('yes') }) },
  { call: 'MultiHead.forward', arg: 'needWeights', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { needWeights: bad(0) }) },
  { call: 'MultiHead.forward', arg: 'averageAttnWeights', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { averageAttnWeights: bad('no') }) },
  { call: 'MultiHead.forward', arg: 'isCausal', run: (c) => c.mha.forward(c.mq, c.mk, c.mk, { isCausal: bad('true') }) },
  { call: 'MultiHead.forward', arg: 'isCausal', run: (c) => c.mha.forward(c.mq, c.mq, c.mq, { isCausal: bad(1) }) },
  { call: 'MultiHead.forward', arg: 'loadStateDict', run: (c) => c.mhaBare.forward(c.mq, c.mk, c.mk) },
  { call: 'MultiHead.forward', arg: 'dispose', run: (c) => c.mhaDead.forward(c.mq, c.mk, c.mk) },
];

const transformerEntries: Entry[] = [
  // constructor
  { call: 'Transformer', arg: 'rt', run: (c) => new Transformer(bad(Promise.resolve(c.rt)), { dModel: 8, nhead: 2 }) },
  { call: 'Transformer', arg: 'rt', run: () => new Transformer(bad(null), { dModel: 8, nhead: 2 }) },
  { call: 'Transformer', arg: 'options', run: (c) => new Transformer(c.rt, bad(undefined)) },
  { call: 'Transformer', arg: 'options', run: (c) => new Transformer(c.rt, bad(null)) },
  { call: 'Transformer', arg: 'options', run: (c) => new Transformer(c.rt, bad('encoder')) },
  { call: 'Transformer', arg: 'dModel', run: (c) => new Transformer(c.rt, bad({ nhead: 2 })) },
  { call: 'Transformer', arg: 'dModel', run: (c) => new Transformer(c.rt, { dModel: 0, nhead: 2 }) },
  { call: 'Transformer', arg: 'dModel', run: (c) => new Transformer(c.rt, { dModel: NaN, nhead: 2 }) },
  { call: 'Transformer', arg: 'dModel', run: (c) => new Transformer(c.rt, { dModel: bad('8'), nhead: 2 }) },
  { call: 'Transformer', arg: 'nhead', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 3 }) },
  { call: 'Transformer', arg: 'nhead', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 0 }) },
  { call: 'Transformer', arg: 'dimFeedforward', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, dimFeedforward: 0 }) },
  { call: 'Transformer', arg: 'dimFeedforward', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, dimFeedforward: -16 }) },
  { call: 'Transformer', arg: 'dimFeedforward', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, dimFeedforward: 16.5 }) },
  { call: 'Transformer', arg: 'activation', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, activation: bad('tanh') }) },
  { call: 'Transformer', arg: 'activation', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, activation: bad('GELU') }) },
  { call: 'Transformer', arg: 'activation', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, activation: bad(Math.tanh) }) },
  { call: 'Transformer', arg: 'layerNormEps', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, layerNormEps: -1e-5 }) },
  { call: 'Transformer', arg: 'layerNormEps', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, layerNormEps: NaN }) },
  { call: 'Transformer', arg: 'layerNormEps', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, layerNormEps: Infinity }) },
  { call: 'Transformer', arg: 'layerNormEps', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, layerNormEps: bad('1e-5') }) },
  { call: 'Transformer', arg: 'normFirst', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, normFirst: bad('yes') }) },
  { call: 'Transformer', arg: 'batchFirst', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, batchFirst: bad(1) }) },
  { call: 'Transformer', arg: 'bias', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, bias: bad('no') }) },
  { call: 'Transformer', arg: 'numLayers', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, numLayers: 0 }) },
  { call: 'Transformer', arg: 'numLayers', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, numLayers: -2 }) },
  { call: 'Transformer', arg: 'numLayers', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, numLayers: 1.5 }) },
  { call: 'Transformer', arg: 'numLayers', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, numLayers: bad('2') }) },
  { call: 'Transformer', arg: 'norm', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, norm: bad('yes') }) },
  { call: 'Transformer', arg: 'kind', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, kind: bad('encoderDecoder') }) },
  { call: 'Transformer', arg: 'kind', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, kind: bad('Decoder') }) },
  { call: 'Transformer', arg: 'd_model', run: (c) => new Transformer(c.rt, bad({ d_model: 8, nhead: 2 })) },
  { call: 'Transformer', arg: 'num_layers', run: (c) => new Transformer(c.rt, bad({ dModel: 8, nhead: 2, num_layers: 2 })) },
  { call: 'Transformer', arg: 'dropout', run: (c) => new Transformer(c.rt, { dModel: 8, nhead: 2, dropout: bad('x') }) },
  // loadStateDict
  { call: 'Transformer.loadStateDict', arg: 'state dict', run: (c) => c.enc.loadStateDict(bad(null)) },
  { call: 'Transformer.loadStateDict', arg: 'state dict', run: (c) => c.dec.loadStateDict(bad(42)) },
  { call: 'Transformer.loadStateDict', arg: 'norm2.bias', run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'norm2.bias': undefined })) },
  { call: 'Transformer.loadStateDict', arg: 'norm2.gamma', run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'norm2.weight': undefined, 'norm2.gamma': new Float32Array(8) })) },
  { call: 'Transformer.loadStateDict', arg: 'linear1.weight',
    run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'linear1.weight': { data: c.encSD['linear1.weight'], shape: [8, 16] } })) },
  { call: 'Transformer.loadStateDict', arg: 'self_attn.in_proj_weight', run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'self_attn.in_proj_weight': new Float32Array(190) })) },
  { call: 'Transformer.loadStateDict', arg: 'linear2.bias', run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'linear2.bias': new Array(8).fill(0) })) },
  { call: 'Transformer.loadStateDict', arg: 'self_attn.in_proj_weight', run: (c) => c.enc.loadStateDict(c.decSD) },
  { call: 'Transformer.loadStateDict', arg: 'norm1.weight', run: (c) => c.enc.loadStateDict(edit(c.encSD, { 'norm1.weight': c.dead })) },
  { call: 'Transformer.loadStateDict', arg: 'norm.weight', run: (c) => c.dec.loadStateDict(edit(c.decSD, { 'norm.weight': undefined })) },
  { call: 'Transformer.loadStateDict', arg: 'layers.1.multihead_attn.out_proj.bias',
    run: (c) => c.dec.loadStateDict(edit(c.decSD, { 'layers.1.multihead_attn.out_proj.bias': undefined })) },
  { call: 'Transformer.loadStateDict', arg: 'layers.2.norm1.weight', run: (c) => c.dec.loadStateDict(edit(c.decSD, { 'layers.2.norm1.weight': new Float32Array(8) })) },
  { call: 'Transformer.loadStateDict', arg: 'layers.0.norm3.weight', run: (c) => c.dec.loadStateDict(edit(c.decSD, { 'layers.0.norm3.weight': new Float32Array(7) })) },
  { call: 'Transformer.loadStateDict', arg: 'layers.1.linear1.weight',
    run: (c) => c.dec.loadStateDict(loadSafetensors(fileWithF8(c.decSD, c.dec.parameterShapes(), 'layers.1.linear1.weight'))) },
  { call: 'Transformer.loadStateDict', arg: 'dispose', run: (c) => c.trDead.loadStateDict(c.encSD) },
  // encoder forward: src [3, 2, 8]
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(bad(null)) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(bad(new Float32Array(48))) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(bad({ data: new Array(48).fill(0), shape: [3, 2, 8] })) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(arr([3, 2, 7])) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(arr([8])) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(arr([3, 2, 8, 1])) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(arr([0, 2, 8])) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(c.deadTgt) },
  { call: 'Transformer.forward', arg: 'src', run: (c) => c.enc.forward(c.foreignTgt) },
  { call: 'Transformer.forward', arg: 'options', run: (c) => c.enc.forward(c.tgt, bad('causal')) },
  { call: 'Transformer.forward', arg: 'tgtMask', run: (c) => c.enc.forward(c.tgt, bad({ tgtMask: new Uint8Array(9) })) },
  { call: 'Transformer.forward', arg: 'src_mask', run: (c) => c.enc.forward(c.tgt, bad({ src_mask: new Uint8Array(9) })) },
  { call: 'Transformer.forward', arg: 'option', run: (c) => c.enc.forward(c.tgt, bad(c.mem)) },
  { call: 'Transformer.forward', arg: 'mask', run: (c) => c.enc.forward(c.tgt, { mask: new Uint8Array(8) }) },
  { call: 'Transformer.forward', arg: 'mask', run: (c) => c.enc.forward(c.tgt, { mask: { data: new Float32Array(12), shape: [3, 4] } }) },
  { call: 'Transformer.forward', arg: 'mask', run: (c) => c.enc.forward(c.tgt, { mask: { data: new Float32Array(18), shape: [2, 3, 3] } }) },
  { call: 'Transformer.forward', arg: 'mask', run: (c) => c.enc.forward(c.tgt, { mask: bad(new Array(9).fill(0)) }) },
  { call: 'Transformer.forward', arg: 'srcKeyPaddingMask', run: (c) => c.enc.forward(c.tgt, { srcKeyPaddingMask: new Uint8Array(5) }) },
  { call: 'Transformer.forward', arg: 'srcKeyPaddingMask', run: (c) => c.enc.forward(c.tgt, { srcKeyPaddingMask: bad([0, 0, 0, 0, 0, 1]) }) },
  { call: 'Transformer.forward', arg: 'srcKeyPaddingMask', run: (c) => c.enc.forward(c.tgt, { srcKeyPaddingMask: bad(c.dead) }) },
  { call: 'Transformer.forward', arg: 'isCausal', run: (c) => c.enc.forward(c.tgt, { isCausal: bad('yes') }) },
  { call: 'Transformer.forward', arg: 'loadStateDict', run: (c) => c.trBare.forward(c.tgt) },
  { call: 'Transformer.forward', arg: 'dispose', run: (c) => c.trDead.forward(c.tgt) },
  // decoder forward: tgt [3, 2, 8], memory [4, 2, 8]
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, bad(null)) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, bad('memory')) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, bad(new Array(64).fill(0))) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, arr([4, 8])) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, arr([4, 2, 7])) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, arr([4, 3, 8])) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(arr([3, 8]), c.mem) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, c.deadTgt) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, c.foreignTgt) },
  { call: 'Transformer.forward', arg: 'memory', run: (c) => c.dec.forward(c.tgt, c.emptyMem) },
  { call: 'Transformer.forward', arg: 'tgt', run: (c) => c.dec.forward(bad(undefined), c.mem) },
  { call: 'Transformer.forward', arg: 'tgt', run: (c) => c.dec.forward(arr([3, 2, 4]), c.mem) },
  { call: 'Transformer.forward', arg: 'tgt', run: (c) => c.dec.forward(c.deadTgt, c.mem) },
  { call: 'Transformer.forward', arg: 'tgt', run: (c) => c.dec.forward(c.foreignTgt, c.mem) },
  { call: 'Transformer.forward', arg: 'tgt', run: (c) => c.dec.forward(c.foreignTgt, arr([4, 2, 8])) },
  { call: 'Transformer.forward', arg: 'options', run: (c) => c.dec.forward(c.tgt, c.mem, bad(7)) },
  { call: 'Transformer.forward', arg: 'mask', run: (c) => c.dec.forward(c.tgt, c.mem, bad({ mask: new Uint8Array(9) })) },
  { call: 'Transformer.forward', arg: 'srcKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, bad({ srcKeyPaddingMask: new Uint8Array(8) })) },
  { call: 'Transformer.forward', arg: 'tgt_mask', run: (c) => c.dec.forward(c.tgt, c.mem, bad({ tgt_mask: new Uint8Array(9) })) },
  { call: 'Transformer.forward', arg: 'tgtMask', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtMask: new Float32Array(8) }) },
  { call: 'Transformer.forward', arg: 'tgtMask', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtMask: bad(new Array(9).fill(0)) }) },
  { call: 'Transformer.forward', arg: 'tgtMask', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtMask: { data: new Uint8Array(12), shape: [3, 4] } }) },
  { call: 'Transformer.forward', arg: 'memoryMask', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryMask: { data: new Float32Array(12), shape: [4, 3] } }) },
  { call: 'Transformer.forward', arg: 'memoryMask', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryMask: new Uint8Array(9) }) },
  { call: 'Transformer.forward', arg: 'tgtKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtKeyPaddingMask: new Uint8Array(5) }) },
  { call: 'Transformer.forward', arg: 'tgtKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtKeyPaddingMask: c.memKpm }) },
  { call: 'Transformer.forward', arg: 'memoryKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryKeyPaddingMask: bad(new Int32Array(8)) }) },
  { call: 'Transformer.forward', arg: 'memoryKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryKeyPaddingMask: new Uint8Array(6) }) },
  { call: 'Transformer.forward', arg: 'memoryKeyPaddingMask', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryKeyPaddingMask: bad(c.dead) }) },
  { call: 'Transformer.forward', arg: 'tgtIsCausal', run: (c) => c.dec.forward(c.tgt, c.mem, { tgtIsCausal: bad('yes') }) },
  { call: 'Transformer.forward', arg: 'memoryIsCausal', run: (c) => c.dec.forward(c.tgt, c.mem, { memoryIsCausal: bad(1) }) },
];

const safetensorsEntries: Entry[] = [
  // loadSafetensors
  { call: 'loadSafetensors', arg: 'input', run: () => loadSafetensors(bad(null)) },
  { call: 'loadSafetensors', arg: 'input', run: () => loadSafetensors(bad('{"w": 1}')) },
  { call: 'loadSafetensors', arg: 'input', run: () => loadSafetensors(bad([1, 2, 3, 4, 5, 6, 7, 8])) },
  { call: 'loadSafetensors', arg: 'file', run: () => loadSafetensors(new Uint8Array(3)) },
  { call: 'loadSafetensors', arg: 'header', run: () => loadSafetensors(rawFile('{}', undefined, 1000)) },
  { call: 'loadSafetensors', arg: 'header', run: () => loadSafetensors(rawFile('{}', undefined, 2, 1)) },
  { call: 'loadSafetensors', arg: 'header', run: () => loadSafetensors(rawFile('{"w": ')) },
  { call: 'loadSafetensors', arg: 'header', run: () => loadSafetensors(rawFile('[]')) },
  { call: 'loadSafetensors', arg: 'header', run: () => loadSafetensors(rawFile('{"w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}, "w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}')) },
  { call: 'loadSafetensors', arg: 'w', run: () => loadSafetensors(stFile([{ name: 'w', dtype: 'F31', shape: [1], bytes: new Uint8Array(4) }])) },
  { call: 'loadSafetensors', arg: 'w', run: () => loadSafetensors(rawFile('{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}', new Uint8Array(4))) },
  { call: 'loadSafetensors', arg: 'w', run: () => loadSafetensors(rawFile('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4]}}', new Uint8Array(4))) },
  { call: 'loadSafetensors', arg: 'w', run: () => loadSafetensors(rawFile('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', new Uint8Array(8))) },
  { call: 'loadSafetensors', arg: 'w', run: () => loadSafetensors(stFile([{ name: 'w', dtype: 'F32', shape: [2], bytes: new Uint8Array(4) }])) },
  { call: 'loadSafetensors', arg: 'file', run: () => loadSafetensors(rawFile('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(8))) },
  { call: 'loadSafetensors', arg: '__metadata__', run: () => loadSafetensors(rawFile('{"__metadata__": {"n": 1}}')) },
  // saveSafetensors
  { call: 'saveSafetensors', arg: 'tensors', run: () => saveSafetensors(bad(null)) },
  { call: 'saveSafetensors', arg: 'tensors', run: () => saveSafetensors(bad(undefined)) },
  { call: 'saveSafetensors', arg: 'tensors', run: () => saveSafetensors(bad(42)) },
  { call: 'saveSafetensors', arg: 'tensors', run: () => saveSafetensors(bad('abc')) },
  { call: 'saveSafetensors', arg: 'w', run: () => saveSafetensors(bad({ w: [1, 2] })) },
  { call: 'saveSafetensors', arg: 'w', run: () => saveSafetensors(bad({ w: new Float64Array(2) })) },
  { call: 'saveSafetensors', arg: 'w', run: () => saveSafetensors(bad({ w: null })) },
  { call: 'saveSafetensors', arg: 'w', run: () => saveSafetensors({ w: { data: new Float32Array(5), shape: [2, 3] } }) },
  { call: 'saveSafetensors', arg: 'w', run: () => saveSafetensors({ w: { data: new Float32Array(6), shape: [2, -3] } }) },
  { call: 'saveSafetensors', arg: '__metadata__', run: () => saveSafetensors({ __metadata__: new Float32Array(1) }) },
  { call: 'saveSafetensors', arg: 'metadata', run: () => saveSafetensors({ w: new Float32Array(1) }, bad({ n: 1 })) },
  { call: 'saveSafetensors', arg: 'metadata', run: () => saveSafetensors({ w: new Float32Array(1) }, bad('meta')) },
  // toStateDict
  { call: 'toStateDict', arg: 'state dict', run: () => toStateDict(bad(null)) },
  { call: 'toStateDict', arg: 'state dict', run: () => toStateDict(bad(42)) },
  { call: 'toStateDict', arg: 'state dict', run: () => toStateDict(bad('sd')) },
  { call: 'toStateDict', arg: 'w', run: () => toStateDict(bad({ w: [1] })) },
  { call: 'toStateDict', arg: 'w', run: () => toStateDict({ w: { data: new Float32Array(5), shape: [2, 3] } }) },
  { call: 'toStateDict', arg: 'w', run: () => toStateDict(bad(new Map([['w', new Uint8Array(2)]]))) },
  { call: 'toStateDict', arg: 'w', run: () => toStateDict(bad({ w: null })) },
];

const heatmapEntries: Entry[] = [
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad(null)) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad(undefined)) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad('x')) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad(42)) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad(new Float32Array(4))) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG([]) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG([[]]) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG([[1, 2], [3]]) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad([1, 2])) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad([[1], null])) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG({ data: new Float32Array(8), shape: [2, 2, 2] }) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG({ data: new Float32Array(2), shape: [2] }) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG({ data: new Float32Array(5), shape: [2, 3] }) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG({ data: new Float32Array(5), shape: [2.5, 2] }) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG({ data: new Float32Array(0), shape: [0, 3] }) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad({ data: null, shape: [2, 2] })) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: () => attentionHeatmapSVG(bad({ data: new Float32Array(4), shape: '2x2' })) },
  { call: 'attentionHeatmapSVG', arg: 'weights', run: (c) => attentionHeatmapSVG(c.dead) },
  { call: 'attentionHeatmapSVG', arg: 'options', run: () => attentionHeatmapSVG([[1]], bad('title')) },
  { call: 'attentionHeatmapSVG', arg: 'options', run: () => attentionHeatmapSVG([[1]], bad(null)) },
  { call: 'attentionHeatmapSVG', arg: 'rowlabels', run: () => attentionHeatmapSVG([[1]], bad({ rowlabels: ['a'] })) },
  { call: 'attentionHeatmapSVG', arg: 'vmax', run: () => attentionHeatmapSVG([[1]], bad({ vmax: 1 })) },
  { call: 'attentionHeatmapSVG', arg: 'rowLabels', run: () => attentionHeatmapSVG([[1, 2]], { rowLabels: ['a', 'b'] }) },
  { call: 'attentionHeatmapSVG', arg: 'rowLabels', run: () => attentionHeatmapSVG([[1], [2], [3]], { rowLabels: bad('abc') }) },
  { call: 'attentionHeatmapSVG', arg: 'colLabels', run: () => attentionHeatmapSVG([[1, 2]], { colLabels: ['a'] }) },
  { call: 'attentionHeatmapSVG', arg: 'colLabels', run: () => attentionHeatmapSVG([[1, 2]], { colLabels: bad(2) }) },
  { call: 'attentionHeatmapSVG', arg: 'digits', run: () => attentionHeatmapSVG([[1]], { digits: 0 }) },
  { call: 'attentionHeatmapSVG', arg: 'digits', run: () => attentionHeatmapSVG([[1]], { digits: 2.5 }) },
  { call: 'attentionHeatmapSVG', arg: 'digits', run: () => attentionHeatmapSVG([[1]], { digits: 30 }) },
  { call: 'attentionHeatmapSVG', arg: 'domain', run: () => attentionHeatmapSVG([[1]], { domain: [1, 0] }) },
  { call: 'attentionHeatmapSVG', arg: 'domain', run: () => attentionHeatmapSVG([[1]], { domain: [0, NaN] }) },
  { call: 'attentionHeatmapSVG', arg: 'domain', run: () => attentionHeatmapSVG([[1]], { domain: bad(5) }) },
  { call: 'attentionHeatmapSVG', arg: 'domain', run: () => attentionHeatmapSVG([[1]], { domain: bad([0]) }) },
  { call: 'attentionHeatmapSVG', arg: 'cellSize', run: () => attentionHeatmapSVG([[1]], { cellSize: 0 }) },
  { call: 'attentionHeatmapSVG', arg: 'cellSize', run: () => attentionHeatmapSVG([[1]], { cellSize: Infinity }) },
  { call: 'attentionHeatmapSVG', arg: 'cellSize', run: () => attentionHeatmapSVG([[1]], { cellSize: bad('big') }) },
  { call: 'attentionHeatmapSVG', arg: 'title', run: () => attentionHeatmapSVG([[1]], { title: bad(42) }) },
  { call: 'attentionHeatmapSVG', arg: 'showValues', run: () => attentionHeatmapSVG([[1]], { showValues: bad('yes') }) },
  { call: 'viridis', arg: 't', run: () => viridis(NaN) },
  { call: 'viridis', arg: 't', run: () => viridis(bad('0.5')) },
];

export const TABLE: readonly Entry[] = [
  ...runtimeEntries, ...opsEntries, ...attentionEntries, ...multiheadEntries, ...transformerEntries, ...safetensorsEntries, ...heatmapEntries,
];
