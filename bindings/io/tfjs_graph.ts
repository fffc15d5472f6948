// TensorFlow.js graph-model (and layers-model) weights: model.json's `weightsManifest` + the binary shards ->
// named tensors with shapes. No tfjs needed.
//
// The format (tfjs-core io): `weightsManifest` is a list of groups { paths: string[], weights: spec[] }. A group's
// shards, concatenated in `paths` order, hold its weights back to back in `weights` order, little-endian, no
// padding: a spec { name, shape, dtype } takes prod(shape) · bytes(dtype) bytes, or, when it has a `quantization`
// { dtype: 'uint8' | 'uint16' | 'float16', scale?, min? }, prod(shape) · bytes(quantization.dtype) bytes.
// Decoding follows tfjs-core's decodeWeights: uint8/uint16 -> v·scale + min (float32; int32 rounds), float16 ->
// float32; 'bool' is one byte per value, 'string' is a uint32 byte length + UTF-8 bytes per value.
import { describeValue, fail, failType, fmtShape } from '../errors.ts';

const W = 'tfjsGraph';

export type TfjsDtype = 'float32' | 'int32' | 'bool' | 'string' | 'complex64' | 'uint8' | 'uint16' | 'float16';

export interface TfjsQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
  /** Written by the converter for quantized weights; informative. */
  original_dtype?: string;
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: TfjsDtype;
  quantization?: TfjsQuantization;
  /** Present in some manifests (e.g. 'model', 'optimizer'); ignored. */
  group?: string;
}

export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** The parts of model.json this reader uses (everything else is kept as read). */
export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology?: unknown;
  weightsManifest: TfjsWeightsGroup[];
  [key: string]: unknown;
}

/** One decoded weight. `data` is float32 for float32 (also dequantized) weights, Int32Array for int32, Uint8Array
 *  (0/1) for bool, string[] for string. `dtype` is the weight's logical dtype (after dequantization). */
export interface TfjsTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string';
  data: Float32Array | Int32Array | Uint8Array | string[];
  /** The stored dtype when the weight was quantized (uint8, uint16 or float16). */
  quantized?: 'uint8' | 'uint16' | 'float16';
}

/** Decoded weights of one model: name -> tensor, in manifest order. */
export class TfjsWeights {
  constructor(readonly tensors: Map<string, TfjsTensor>) {}

  get names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The tensor `name`; throws naming close matches when absent. */
  get(name: string): TfjsTensor {
    const t = this.tensors.get(name);
    if (!t) {
      const tail = name.split('/').pop()!;
      const near = this.names.filter((n) => n.endsWith(`/${tail}`) || n === tail).slice(0, 5);
      fail(W, `no weight named "${name}"${near.length ? ` (weights ending in "${tail}": ${near.join(', ')})` : ''}`);
    }
    return t;
  }

  /** A float32 weight's values and shape (int32 weights are converted; bool and string are refused). */
  float(name: string): { data: Float32Array; shape: number[] } {
    const t = this.get(name);
    if (t.data instanceof Float32Array) return { data: t.data, shape: t.shape };
    if (t.data instanceof Int32Array) return { data: Float32Array.from(t.data), shape: t.shape };
    return failType(W, `weight "${name}" has dtype ${t.dtype}, not a number type`);
  }

  /** A scalar (or one-element) numeric weight. */
  scalar(name: string): number {
    const t = this.get(name);
    if (!(t.data instanceof Float32Array || t.data instanceof Int32Array) || t.data.length !== 1) {
      fail(W, `weight "${name}" is not a numeric scalar (dtype ${t.dtype}, shape ${fmtShape(t.shape)})`);
    }
    return t.data[0];
  }
}

const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Parses and checks model.json (text, bytes or the parsed object). Throws naming the first problem found. */
export function parseTfjsModelJson(json: string | Uint8Array | ArrayBuffer | object): TfjsModelJson {
  let obj: unknown = json;
  if (typeof json === 'string' || json instanceof Uint8Array || json instanceof ArrayBuffer) {
    const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
    try {
      obj = JSON.parse(text);
    } catch (e) {
      fail(W, `model.json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) failType(W, `model.json must be an object, got ${describeValue(obj)}`);
  const m = obj as Record<string, unknown>;
  if (!Array.isArray(m.weightsManifest)) fail(W, 'model.json has no "weightsManifest" list');
  const seen = new Set<string>();
  m.weightsManifest.forEach((g: unknown, gi: number) => {
    const at = `weightsManifest[${gi}]`;
    if (g === null || typeof g !== 'object') fail(W, `${at} must be an object { paths, weights }, got ${describeValue(g)}`);
    const grp = g as Record<string, unknown>;
    if (!Array.isArray(grp.paths) || !grp.paths.every((p) => typeof p === 'string')) fail(W, `${at}.paths must be a list of file names`);
    if (!Array.isArray(grp.weights)) fail(W, `${at}.weights must be a list`);
    grp.weights.forEach((w: unknown, wi: number) => {
      const wat = `${at}.weights[${wi}]`;
      if (w === null || typeof w !== 'object') fail(W, `${wat} must be an object { name, shape, dtype }, got ${describeValue(w)}`);
      const s = w as Record<string, unknown>;
      if (typeof s.name !== 'string') fail(W, `${wat}.name must be a string`);
      const who = `${wat} ("${s.name}")`;
      if (seen.has(s.name)) fail(W, `${who}: the name appears twice in the manifest`);
      seen.add(s.name);
      if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        fail(W, `${who}.shape must be a list of non-negative integers, got ${JSON.stringify(s.shape)}`);
      }
      if (typeof s.dtype !== 'string' || !['float32', 'int32', 'bool', 'string', 'complex64'].includes(s.dtype)) {
        fail(W, `${who}.dtype must be float32, int32, bool, string or complex64, got ${JSON.stringify(s.dtype)}`);
      }
      if (s.quantization !== undefined) {
        const q = s.quantization as Record<string, unknown>;
        if (q === null || typeof q !== 'object') fail(W, `${who}.quantization must be an object`);
        if (!['uint8', 'uint16', 'float16'].includes(q.dtype as string)) {
          fail(W, `${who}.quantization.dtype must be uint8, uint16 or float16, got ${JSON.stringify(q.dtype)}`);
        }
        if (q.dtype === 'float16') {
          if (s.dtype !== 'float32') fail(W, `${who}: float16 quantization needs dtype float32, got ${s.dtype}`);
        } else {
          if (s.dtype !== 'float32' && s.dtype !== 'int32') fail(W, `${who}: ${q.dtype} quantization needs dtype float32 or int32, got ${s.dtype}`);
          if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
            fail(W, `${who}: ${q.dtype} quantization needs finite numbers "scale" and "min"`);
          }
        }
      }
    });
  });
  return m as TfjsModelJson;
}

/** Bytes a weight takes in its group's buffer; null for strings (their size is in the data). */
function storedBytes(s: TfjsWeightSpec): number | null {
  if (s.dtype === 'string') return null;
  const n = s.shape.reduce((a, b) => a * b, 1);
  return n * ELEMENT_BYTES[s.quantization ? s.quantization.dtype : s.dtype];
}

// IEEE half -> float (exact: every half is a float32)
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function asBytes(where: string, b: unknown): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return failType(W, `${where} must be bytes (Uint8Array or ArrayBuffer), got ${describeValue(b)}`);
}

/**
 * Decodes the weights of `model` from its shards. `shards[g]` holds group g's files in `paths` order (each a
 * Uint8Array / ArrayBuffer), or the group's bytes already concatenated (one element). Checks that every group's
 * bytes are exactly what its weights take.
 */
export function decodeTfjsWeights(model: TfjsModelJson | string | Uint8Array | object,
                                  shards: readonly (readonly (Uint8Array | ArrayBuffer)[] | Uint8Array | ArrayBuffer)[]): TfjsWeights {
  const m = parseTfjsModelJson(model as object);
  if (!Array.isArray(shards)) failType(W, `shards must be a list (one entry per manifest group), got ${describeValue(shards)}`);
  if (shards.length !== m.weightsManifest.length) {
    fail(W, `shards has ${shards.length} groups but the manifest has ${m.weightsManifest.length}`);
  }
  const out = new Map<string, TfjsTensor>();
  m.weightsManifest.forEach((g, gi) => {
    const parts = shards[gi];
    const list = Array.isArray(parts) ? parts.map((p, i) => asBytes(`shards[${gi}][${i}]`, p)) : [asBytes(`shards[${gi}]`, parts)];
    if (Array.isArray(parts) && parts.length !== g.paths.length) {
      fail(W, `group ${gi} lists ${g.paths.length} shard files (${g.paths.join(', ')}) but ${parts.length} were given`);
    }
    const total = list.reduce((a, b) => a + b.length, 0);
    const buf = list.length === 1 ? list[0] : new Uint8Array(total);
    if (list.length > 1) { let o = 0; for (const p of list) { buf.set(p, o); o += p.length; } }
    let off = 0;
    for (const s of g.weights) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      let bytes = storedBytes(s);
      if (bytes === null) {   // string: per value a uint32 length then the bytes
        const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        const vals: string[] = [];
        let o = off;
        for (let i = 0; i < n; i++) {
          if (o + 4 > total) fail(W, `weight "${s.name}" (string ${fmtShape(s.shape)}) runs past the end of group ${gi}'s shards (${total} bytes)`);
          const len = dv.getUint32(o, true);
          if (o + 4 + len > total) fail(W, `weight "${s.name}" (string ${fmtShape(s.shape)}) runs past the end of group ${gi}'s shards (${total} bytes)`);
          vals.push(new TextDecoder().decode(buf.subarray(o + 4, o + 4 + len)));
          o += 4 + len;
        }
        bytes = o - off;
        out.set(s.name, { name: s.name, shape: s.shape.slice(), dtype: 'string', data: vals });
        off += bytes;
        continue;
      }
      if (off + bytes > total) {
        fail(W, `weight "${s.name}" (${s.quantization ? `${s.quantization.dtype}-quantized ` : ''}${s.dtype} ${fmtShape(s.shape)}, ${bytes} bytes at offset ${off}) runs past the end of group ${gi}'s shards (${total} bytes: ${g.paths.join(', ')})`);
      }
      if (s.dtype === 'complex64') fail(W, `weight "${s.name}": complex64 weights are not supported`);
      const raw = buf.slice(off, off + bytes);   // an own copy: aligned for typed views, independent of the shards
      const rb = raw.buffer;
      let t: TfjsTensor;
      const q = s.quantization;
      if (q) {
        const qv = q.dtype === 'uint8' ? raw : new Uint16Array(rb, 0, n);
        if (q.dtype === 'float16') {
          const f = new Float32Array(n);
          for (let i = 0; i < n; i++) f[i] = halfToFloat(qv[i]);
          t = { name: s.name, shape: s.shape.slice(), dtype: 'float32', data: f, quantized: 'float16' };
        } else if (s.dtype === 'int32') {
          const v = new Int32Array(n);
          for (let i = 0; i < n; i++) v[i] = Math.round(qv[i] * q.scale! + q.min!);
          t = { name: s.name, shape: s.shape.slice(), dtype: 'int32', data: v, quantized: q.dtype };
        } else {
          const f = new Float32Array(n);
          for (let i = 0; i < n; i++) f[i] = qv[i] * q.scale! + q.min!;
          t = { name: s.name, shape: s.shape.slice(), dtype: 'float32', data: f, quantized: q.dtype };
        }
      } else if (s.dtype === 'float32') {
        t = { name: s.name, shape: s.shape.slice(), dtype: 'float32', data: new Float32Array(rb, 0, n) };
      } else if (s.dtype === 'int32') {
        t = { name: s.name, shape: s.shape.slice(), dtype: 'int32', data: new Int32Array(rb, 0, n) };
      } else {
        const v = new Uint8Array(n);
        for (let i = 0; i < n; i++) v[i] = raw[i] ? 1 : 0;
        t = { name: s.name, shape: s.shape.slice(), dtype: 'bool', data: v };
      }
      out.set(s.name, t);
      off += bytes;
    }
    if (off !== total) {
      fail(W, `group ${gi}'s shards hold ${total} bytes but its ${g.weights.length} weights take ${off} (${g.paths.join(', ')}): wrong or truncated files?`);
    }
  });
  return new TfjsWeights(out);
}

/**
 * Reads model.json and its shards through `read(path)` (relative to model.json: e.g. fs.readFile of a folder, or
 * fetch(new URL(path, modelUrl))) and decodes every weight.
 */
export async function loadTfjsGraphWeights(read: (path: string) => Promise<Uint8Array | ArrayBuffer> | Uint8Array | ArrayBuffer,
                                           modelJsonPath = 'model.json'): Promise<{ model: TfjsModelJson; weights: TfjsWeights }> {
  if (typeof read !== 'function') failType(W, `read must be a function (path) => bytes, got ${describeValue(read)}`);
  const model = parseTfjsModelJson(asBytes(modelJsonPath, await read(modelJsonPath)));
  const dir = modelJsonPath.includes('/') ? modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1) : '';
  const shards = await Promise.all(model.weightsManifest.map((g) => Promise.all(g.paths.map(async (p) => asBytes(p, await read(dir + p))))));
  return { model, weights: decodeTfjsWeights(model, shards) };
}

/** How one state-dict entry is made from a tfjs weight. */
export interface TfjsWeightRef {
  /** The tfjs weight name (with the mapping's `prefix` prepended, when given). */
  name: string;
  /** Transpose a kernel [in, out] (leading dims of 1 dropped, e.g. a 1x1 Conv2D [1, 1, in, out]) to nn.Linear's
   *  [out, in]. */
  transpose?: boolean;
}

/**
 * A state dict for our modules from tfjs weights: `entries` maps each of our names (e.g. 'self_attn.in_proj_weight')
 * to a tfjs weight name (or { name, transpose }). `prefix` is prepended to every tfjs name; `outPrefix` to every
 * name of ours (e.g. 'layers.1.'). Values are { data, shape }, ready for loadStateDict().
 */
export function tfjsStateDict(weights: TfjsWeights, entries: Record<string, string | TfjsWeightRef>,
                              options: { prefix?: string; outPrefix?: string } = {}): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  const prefix = options.prefix ?? '', outPrefix = options.outPrefix ?? '';
  for (const [ours, ref] of Object.entries(entries)) {
    const r = typeof ref === 'string' ? { name: ref } : ref;
    const w = weights.float(prefix + r.name);
    if (!r.transpose) { out.set(outPrefix + ours, { data: w.data, shape: w.shape.slice() }); continue; }
    const dims = w.shape.slice();
    while (dims.length > 2 && dims[0] === 1) dims.shift();
    if (dims.length !== 2) fail(W, `weight "${prefix + r.name}" of shape ${fmtShape(w.shape)} is not a 2-D kernel (transpose asked for ${ours})`);
    const [inF, outF] = dims;
    const t = new Float32Array(inF * outF);
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) t[o * inF + i] = w.data[i * outF + o];
    out.set(outPrefix + ours, { data: t, shape: [outF, inF] });
  }
  return out;
}
