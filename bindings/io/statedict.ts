// Reading a state dict against the parameter list a module expects: every shape checked, missing and
// unexpected names reported together, so a wrong checkpoint fails with one complete message.
import { describeValue, fail, failType, fmtShape } from '../errors.ts';
import { toStateDict, type StateDictInput } from './safetensors.ts';
import { Tensor } from '../runtime/tensor.ts';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
}

/** Returns name -> data for every expected parameter; throws on a wrong shape, a missing or an unexpected name. */
export function readStateDict(where: string, input: StateDictInput, params: readonly ParamSpec[]): Map<string, Float32Array> {
  if (input === null || typeof input !== 'object') {
    failType(where, `state dict must be an object, a Map or a loaded safetensors file, got ${describeValue(input)}`);
  }
  // A disposed Tensor given as a value would otherwise throw from inside toStateDict without the key's name.
  for (const [name, v] of input instanceof Map ? input.entries() : Object.entries(input)) {
    if (v instanceof Tensor && v.disposed) failType(where, `"${String(name)}" is a Tensor that is no longer valid: used after ${v.deadReason()}`);
  }
  let sd: ReturnType<typeof toStateDict>;
  try {
    sd = toStateDict(input);
  } catch (e) {
    // toStateDict's messages name the entry; keep the error's type (TypeError for a wrong value type)
    const msg = (e as Error).message.replace(/^toStateDict: /, '');
    if (e instanceof TypeError) failType(where, msg);
    fail(where, msg);
  }
  const out = new Map<string, Float32Array>();
  const missing: string[] = [];
  for (const p of params) {
    const t = sd.get(p.name);
    if (!t) { missing.push(p.name); continue; }
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (t.shape && (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]))) {
      fail(where, `"${p.name}" must have shape ${fmtShape(p.shape)}, got ${fmtShape(t.shape)}`);
    }
    let data: Float32Array;
    try {
      data = t.data; // a loaded file converts here: an unreadable dtype (F8, C64) throws
    } catch (e) {
      failType(where, `"${p.name}" cannot be read: ${(e as Error).message}`);
    }
    if (!t.shape && data.length !== size) {
      fail(where, `"${p.name}" must have ${size} elements (shape ${fmtShape(p.shape)}), got ${data.length}`);
    }
    out.set(p.name, data);
  }
  const known = new Set(params.map((p) => p.name));
  const unexpected = [...sd.keys()].filter((k) => !known.has(k));
  if (missing.length || unexpected.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    fail(where, parts.join('; '));
  }
  return out;
}

/** The entries of `input` under `prefix` (prefix stripped), as a plain record for readStateDict. */
export function subStateDict(input: StateDictInput, prefix: string): Map<string, Float32Array | { data: Float32Array; shape: number[] }> {
  const out = new Map<string, Float32Array | { data: Float32Array; shape: number[] }>();
  for (const [k, v] of toStateDict(input)) {
    if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v.shape ? { data: v.data, shape: v.shape } : v.data);
  }
  return out;
}
