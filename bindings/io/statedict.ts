// Reading a state dict against the parameter list a module expects: every shape checked, missing and
// unexpected names reported together, so a wrong checkpoint fails with one complete message.
//
// loadStateDict(sd, { prefix, strict }) of every module comes here:
// - prefix selects the keys that start with it and strips it ('encoder.' of nn.Transformer, 'model.layers.0.' of a
//   bigger model); keys outside the prefix are not looked at (as torch's load_state_dict on a submodule).
// - strict (default true) reports unexpected keys; strict: false ignores them. Every parameter is still required
//   (torch's strict=False would keep the module's current value of a missing one; ours have none to keep).
// - in_proj_weight [3E, E] (nn.MultiheadAttention with kdim = vdim = embedDim) may come packed or as the three
//   q_proj_weight, k_proj_weight, v_proj_weight [E, E] (PyTorch's names for the separate layout); the three are
//   concatenated into the packed weight, so both layouts give the same bits.
import { checkOptions, describeValue, fail, failType, fmtShape } from '../errors.ts';
import { toStateDict, type StateDictInput } from './safetensors.ts';
import { Tensor } from '../runtime/tensor.ts';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
}

/** The options of every loadStateDict. */
export interface LoadStateDictOptions {
  /** Only keys starting with this string are read, with it stripped (e.g. 'encoder.' of an nn.Transformer). Keys
   *  that do not start with it are ignored. Default '' (every key). */
  prefix?: string;
  /** true (default): keys under the prefix that the module does not have are an error ("unexpected keys"). false:
   *  they are ignored. Missing parameters are an error either way. */
  strict?: boolean;
}

const LOAD_OPTIONS = ['prefix', 'strict'];

type Entry = { data: Float32Array; shape: number[] | null };

/** Checks loadStateDict's options argument; returns them with defaults. */
export function readLoadOptions(where: string, options: unknown): Required<LoadStateDictOptions> {
  if (options === undefined) return { prefix: '', strict: true };
  if (typeof options === 'string') {
    failType(where, `options must be an object { prefix, strict }, got string ${JSON.stringify(options)} (write { prefix: ${JSON.stringify(options)} })`);
  }
  checkOptions(where, options, LOAD_OPTIONS);
  const o = options as LoadStateDictOptions;
  if (o.prefix !== undefined && typeof o.prefix !== 'string') failType(where, `prefix must be a string, got ${describeValue(o.prefix)}`);
  if (o.strict !== undefined && typeof o.strict !== 'boolean') failType(where, `strict must be a boolean, got ${describeValue(o.strict)}`);
  return { prefix: o.prefix ?? '', strict: o.strict ?? true };
}

function isSafetensorsFile(x: object): boolean {
  const f = x as { stateDict?: unknown; names?: unknown; tensors?: unknown };
  return !(x instanceof Map) && typeof f.stateDict === 'function' && Array.isArray(f.names) && typeof f.tensors === 'object' && f.tensors !== null;
}

/**
 * Returns name -> data for every expected parameter (names without the prefix); throws on a wrong shape, a missing
 * name, or (strict) an unexpected one. `options` is loadStateDict's second argument, checked here. Values are
 * converted only for the names read, so entries outside the prefix (and unexpected ones with strict: false) may be
 * anything.
 */
export function readStateDict(where: string, input: StateDictInput, params: readonly ParamSpec[], options?: unknown): Map<string, Float32Array> {
  if (input === null || typeof input !== 'object') {
    failType(where, `state dict must be an object, a Map or a loaded safetensors file, got ${describeValue(input)}`);
  }
  const { prefix, strict } = readLoadOptions(where, options);
  const full = (name: string) => prefix + name;

  // name (prefix stripped) -> the raw value; a loaded file's entries convert lazily (toStateDict)
  const raw = new Map<string, unknown>();
  const file = isSafetensorsFile(input) ? toStateDict(input) : null;
  const lazy = new Set<unknown>(file ? file.values() : []);
  const all: [unknown, unknown][] = file ? [...file] : input instanceof Map ? [...input.entries()] : Object.entries(input);
  for (const [k, v] of all) {
    const key = String(k);
    if (key.startsWith(prefix)) raw.set(key.slice(prefix.length), v);
  }

  // One entry, validated and converted as toStateDict does (its messages name the entry; the error type is kept).
  const entry = (name: string): Entry => {
    const v = raw.get(name);
    if (lazy.has(v)) return v as Entry;
    if (v instanceof Tensor && v.disposed) failType(where, `"${full(name)}" is a Tensor that is no longer valid: used after ${v.deadReason()}`);
    try {
      return toStateDict(new Map([[full(name), v as Float32Array]])).get(full(name))!;
    } catch (e) {
      const msg = (e as Error).message.replace(/^toStateDict: /, '');
      if (e instanceof TypeError) failType(where, msg);
      fail(where, msg);
    }
  };
  // The data of `name`, checked against `shape`.
  const read = (name: string, shape: readonly number[]): Float32Array => {
    const t = entry(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      fail(where, `"${full(name)}" must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
    }
    let data: Float32Array;
    try {
      data = t.data; // a loaded file converts here: an unreadable dtype (F8, C64) throws
    } catch (e) {
      failType(where, `"${full(name)}" cannot be read: ${(e as Error).message}`);
    }
    if (!t.shape && data.length !== size) {
      fail(where, `"${full(name)}" must have ${size} elements (shape ${fmtShape(shape)}), got ${data.length}`);
    }
    return data;
  };

  const out = new Map<string, Float32Array>();
  const missing: string[] = [];
  const known = new Set<string>();
  for (const p of params) {
    known.add(p.name);
    const sep = separateQKV(p);
    const given = sep ? sep.names.filter((n) => raw.has(n)) : [];
    if (sep && given.length) {
      given.forEach((n) => known.add(n));
      if (raw.has(p.name)) {
        fail(where, `both "${full(p.name)}" and ${given.map((n) => `"${full(n)}"`).join(', ')} given: use one layout, the packed in_proj_weight or the separate q_proj_weight, k_proj_weight, v_proj_weight`);
      }
      const parts: Float32Array[] = [];
      for (const n of sep.names) {
        if (raw.has(n)) parts.push(read(n, sep.shape)); else missing.push(full(n));
      }
      if (parts.length === 3) {
        const packed = new Float32Array(3 * parts[0].length);
        parts.forEach((d, i) => packed.set(d, i * d.length));
        out.set(p.name, packed);
      }
      continue;
    }
    if (!raw.has(p.name)) { missing.push(full(p.name)); continue; }
    out.set(p.name, read(p.name, p.shape));
  }
  const unexpected = strict ? [...raw.keys()].filter((k) => !known.has(k)).map(full) : [];
  if (missing.length || unexpected.length) {
    const parts: string[] = [];
    if (missing.length) {
      let hint = '';
      if (prefix && raw.size === 0) {
        hint = ` (no key starts with prefix ${JSON.stringify(prefix)})`;
      } else if (prefix && !prefix.endsWith('.') && [...raw.keys()].some((k) => k.startsWith('.'))) {
        hint = ` (prefix ${JSON.stringify(prefix)} leaves keys starting with "."; did you mean ${JSON.stringify(`${prefix}.`)}?)`;
      } else if (!strict) {
        hint = ' (strict: false ignores unexpected keys only: every parameter is required)';
      }
      parts.push(`missing keys: ${missing.join(', ')}${hint}`);
    }
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    fail(where, parts.join('; '));
  }
  return out;
}

// '...in_proj_weight' [3E, E] may come as '...q_proj_weight', '...k_proj_weight', '...v_proj_weight' [E, E].
function separateQKV(p: ParamSpec): { names: string[]; shape: number[] } | null {
  if (!/(^|\.)in_proj_weight$/.test(p.name) || p.shape.length !== 2 || p.shape[0] !== 3 * p.shape[1]) return null;
  const base = p.name.slice(0, -'in_proj_weight'.length);
  return { names: ['q', 'k', 'v'].map((x) => `${base}${x}_proj_weight`), shape: [p.shape[1], p.shape[1]] };
}

/** The entries of `input` under `prefix` (prefix stripped), as a plain record for readStateDict. */
export function subStateDict(input: StateDictInput, prefix: string): Map<string, Float32Array | { data: Float32Array; shape: number[] }> {
  const out = new Map<string, Float32Array | { data: Float32Array; shape: number[] }>();
  for (const [k, v] of toStateDict(input)) {
    if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v.shape ? { data: v.data, shape: v.shape } : v.data);
  }
  return out;
}
