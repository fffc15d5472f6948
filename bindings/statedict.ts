// Reading a state dict against the parameter list a module expects: every shape checked, missing and
// unexpected names reported together, so a wrong checkpoint fails with one complete message.
import { fail, fmtShape } from './errors.ts';
import { toStateDict, type StateDictInput } from './safetensors.ts';

export interface ParamSpec {
  name: string;
  shape: readonly number[];
}

/** Returns name -> data for every expected parameter; throws on a wrong shape, a missing or an unexpected name. */
export function readStateDict(where: string, input: StateDictInput, params: readonly ParamSpec[]): Map<string, Float32Array> {
  let sd: ReturnType<typeof toStateDict>;
  try {
    sd = toStateDict(input);
  } catch (e) {
    fail(where, (e as Error).message);
  }
  const out = new Map<string, Float32Array>();
  const missing: string[] = [];
  for (const p of params) {
    const t = sd.get(p.name);
    if (!t) { missing.push(p.name); continue; }
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (t.shape) {
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        fail(where, `"${p.name}" must have shape ${fmtShape(p.shape)}, got ${fmtShape(t.shape)}`);
      }
    } else if (t.data.length !== size) {
      fail(where, `"${p.name}" must have ${size} elements (shape ${fmtShape(p.shape)}), got ${t.data.length}`);
    }
    out.set(p.name, t.data);
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
