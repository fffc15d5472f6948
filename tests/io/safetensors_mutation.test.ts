// Seeded mutation test for the safetensors reader: every mutant of a few valid files must either load as a file that
// re-validates (each tensor's byte length == prod(shape) * dtype bits / 8, tensors contiguous in file order, inside
// the input, ending at its end) or throw a SafetensorsError; never another error type, never hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSafetensors, saveSafetensors, SafetensorsError, type SafetensorsFile } from '../../bindings/io/safetensors.ts';
import { rng as seededRng } from '../support/util.ts';

const SEED = 0x5afe7e45;
const MUTANTS = 4000;

/** Written out again here (not imported) so the check does not trust the reader's own table. */
const BITS: Record<string, number> = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32,
  C64: 64, F64: 64, I64: 64, U64: 64,
};
const CONVERTIBLE = new Set(['F32', 'F16', 'BF16', 'F64', 'BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'I32', 'U64', 'I64']);

/** The tests' seeded RNG with integer and pick helpers. */
function rng(seed: number) {
  const next = seededRng(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { ignoreBOM: true }); // lossy: mutators only need a text to edit

function build(header: string, data: Uint8Array, pad = 0): Uint8Array {
  const h = enc.encode(header + ' '.repeat(pad));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Splits a file into header text and data bytes (bases and text-mutated files have an honest length field). */
function split(file: Uint8Array): { header: string; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { header: dec.decode(file.subarray(8, 8 + n)), data: file.subarray(8 + n) };
}

/** Hand-built file with any dtypes: [name, dtype, shape, byte count] in storage order. */
function handBuilt(specs: [string, string, number[], number][], metadata?: Record<string, string>, r = rng(1)): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const [name, dtype, shape, bytes] of specs) {
    header[name] = { dtype, shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  const data = new Uint8Array(off).map(() => r.int(256));
  return build(JSON.stringify(header), data, 3);
}

function bases(): Uint8Array[] {
  return [
    saveSafetensors({
      'linear.weight': { data: Float32Array.from({ length: 6 }, (_, i) => i - 2.5), shape: [2, 3] },
      'linear.bias': new Float32Array([0.5, -1, 2]),
      empty: { data: new Float32Array(0), shape: [0, 4] },
      scalar: { data: new Float32Array([42]), shape: [] },
    }, { format: 'pt', note: 'x"y\u00e9' }),
    saveSafetensors({ w: new Float32Array([1, 2]) }),
    saveSafetensors({}),
    handBuilt([
      ['h', 'F16', [3], 6], ['b', 'BF16', [2], 4], ['i', 'I64', [1], 8], ['u', 'U8', [5], 5], ['m', 'BOOL', [2], 2],
      ['q', 'F4', [4], 2], ['e', 'F8_E4M3', [2], 2], ['k', 'I32', [2, 2], 16], ['d', 'F64', [1], 8], ['c', 'C64', [1], 8],
      ['z', 'I16', [3, 0], 0], ['s', 'U16', [], 2], ['x', 'F6_E2M3', [4], 3],
    ], { format: 'np' }),
    // Dialect the reference accepts: leading whitespace, struct-as-array, {"Dtype": null}, null metadata, huge dims
    // in a zero-size tensor, deep (127-level) nesting in an ignored field, an escaped surrogate pair.
    handBuilt([['q', 'F4', [4], 2], ['x', 'F6_E3M2', [4], 3], ['y', 'F6_E2M3', [8], 6], ['u', 'U8', [1], 1]]),
    build(' \n{"__metadata__":null,"a":["I8",[2],[0,2]],"b":{"dtype":{"U8":null},"shape":[1],"data_offsets":[2,3]},' +
      '"z":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[3,3],' +
      `"x":${'['.repeat(125)}${']'.repeat(125)}},"\\ud83d\\ude00":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}`,
    new Uint8Array([1, 2, 3, 4])),
  ];
}

// ---- Mutators. Text mutators rewrite the header (and fix the length field); byte mutators corrupt anything.

const NUMBER_LIES = ['0', '1', '2', '3', '4', '5', '8', '16', '4.0', '0e0', '-0', '-1', '1e0', '0.5', '00', '01',
  '18446744073709551615', '18446744073709551616', '9007199254740993', '4294967296', '1e400', '99999999999999999999999'];
const DTYPE_LIES = [...Object.keys(BITS), 'F17', 'f32', '', ' F32', 'F32\\u0000'];
const SHAPE_LIES = ['[]', '[0]', '[1]', '[2]', '[3]', '[4]', '[5]', '[6]', '[8]', '[9]', '[2,0]', '[2,2]', '[1,1,1]', '[0,18446744073709551615]',
  '[18446744073709551615,0]', '[18446744073709551615,2,0]', '[4294967296,4294967296,0]', '[1.0]', '[-0]', '[1e0]', '"4"', 'null'];
const INSERTS = [' ', '\t', '\n', ',', ':', '}', ']', '{', '[', '"', '\\', '\\ud800', '\\udc00', '\\u0041', 'null', '0',
  '-', '\u0000', '\u00e9', '\ufeff', '{"a":1}', '"x":1,'];

type TextMutator = (h: string, r: Rng) => string;

function replaceNth(h: string, re: RegExp, r: Rng, f: (m: RegExpExecArray) => string): string {
  const ms = [...h.matchAll(re)];
  if (ms.length === 0) return h;
  const m = r.pick(ms);
  return h.slice(0, m.index) + f(m as RegExpExecArray) + h.slice(m.index! + m[0].length);
}

const textMutators: Record<string, TextMutator> = {
  numberLie: (h, r) => replaceNth(h, /\d+/g, r, (m) => (r.next() < 0.5 ? r.pick(NUMBER_LIES) : String(Number(m[0]) + r.pick([-2, -1, 1, 2, 4])))),
  dtypeLie: (h, r) => replaceNth(h, /"dtype":("[^"]*"|\{[^}]*\})/g, r, () => `"dtype":${r.next() < 0.8 ? `"${r.pick(DTYPE_LIES)}"` : `{"${r.pick(DTYPE_LIES)}":${r.pick(['null', '{}', '0'])}}`}`),
  shapeLie: (h, r) => replaceNth(h, /"shape":\[([^\]]*)\]/g, r, (m) => {
    if (r.next() < 0.5 || m[1] === '') return `"shape":${r.pick(SHAPE_LIES)}`;
    const dims = m[1].split(',').map(Number); // nudge one dim: sizes that round to the same byte count, etc.
    dims[r.int(dims.length)] += r.pick([-1, 1, 2]);
    return `"shape":[${dims.join(',')}]`;
  }),
  offsetsLie: (h, r) => replaceNth(h, /"data_offsets":\[(\d+),(\d+)\]/g, r, (m) => {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const lies = [[b, a], [a, b + 1], [a + 1, b], [a, b - 1], [0, 0], [0, b], [a, b + 8], [a + 1, b + 1], [a - 1, b - 1], [a + 4, b + 4]]
      .map((x) => x.join(','));
    return `"data_offsets":[${r.pick([...lies, `${a}`, `${a},${b},${b}`, `${a}.0,${b}`, `${a},${b}e0`, `-0,${b}`, ''])}]`;
  }),
  swapOffsets: (h, r) => {
    const ms = [...h.matchAll(/"data_offsets":\[\d+,\d+\]/g)];
    if (ms.length < 2) return h;
    const [x, y] = [r.pick(ms), r.pick(ms)];
    if (x.index === y.index) return h;
    const [p, q] = x.index! < y.index! ? [x, y] : [y, x];
    return h.slice(0, p.index) + q[0] + h.slice(p.index! + p[0].length, q.index) + p[0] + h.slice(q.index! + q[0].length);
  },
  metadata: (h, r) => {
    const md = r.pick(['null', '[]', '{}', '{"a":1}', '{"a":"b","a":"c"}', '"x"', '{"k":"\\ud800"}', '{"k":"v"}']);
    return h.includes('"__metadata__"') ? replaceNth(h, /"__metadata__":(null|\{[^}]*\})/g, r, () => `"__metadata__":${md}`)
      : h.replace('{', `{"__metadata__":${md}${h.includes('"dtype"') ? ',' : ''}`);
  },
  dialectField: (h, r) => {
    const k = r.pick([124, 125, 126, 127]);
    const v = r.pick([`${'['.repeat(k)}${']'.repeat(k)}`, '"\\ud800"', '"\\ud83d\\ude00"', '1e400', '4.0', '-0', '18446744073709551616', '{"a":1,"a":2}']);
    return replaceNth(h, /"dtype":/g, r, () => `"x":${v},"dtype":`);
  },
  renameKey: (h, r) => replaceNth(h, /"([^"\\]*)":\{"dtype"/g, r, () => `"${r.pick(['\\ud800', '\\udfff', 'a\\u0000', '__metadata__', 'dtype', '', 'linear.bias', 'w', 'h'])}":{"dtype"`),
  seqForm: (h, r) => replaceNth(h, /\{"dtype":("[^"]*"),"shape":(\[[^\]]*\]),"data_offsets":(\[[^\]]*\])\}/g, r,
    (m) => `[${m[1]},${m[2]},${m[3]}${r.next() < 0.3 ? ',0' : ''}]`),
  duplicateEntry: (h, r) => replaceNth(h, /"[^"\\]*":\{"dtype":"[^"]*","shape":\[[^\]]*\],"data_offsets":\[[^\]]*\]\}/g, r, (m) => `${m[0]},${m[0]}`),
  pad: (h, r) => r.pick([` ${h}`, `\t\n${h}`, `${h}\r\n `, `\ufeff${h}`, `\u0000${h}`, `${h}\u0000`, `${h}}`, `${h},`, `\v${h}`]),
  insert: (h, r) => { const i = r.int(h.length + 1); return h.slice(0, i) + r.pick(INSERTS) + h.slice(i); },
  remove: (h, r) => { const i = r.int(h.length); return h.slice(0, i) + h.slice(i + 1 + r.int(3)); },
  swapChars: (h, r) => { const i = r.int(h.length), j = r.int(h.length); const a = [...h]; [a[i], a[j]] = [a[j], a[i]]; return a.join(''); },
};

/**
 * Makes the byte buffer as long as the (mutated) header claims, so offset and shape lies get past the file-length
 * check and reach the layout rules (holes, overlaps, sizes). Uses JSON.parse, which is lenient: it is only a guess.
 */
function fitData(h: string, data: Uint8Array, r: Rng): Uint8Array {
  let end = 0;
  try {
    for (const v of Object.values(JSON.parse(h) as Record<string, unknown>)) {
      const o = Array.isArray(v) ? v[2] : (v as { data_offsets?: unknown })?.data_offsets;
      if (Array.isArray(o) && typeof o[1] === 'number' && o[1] < 1e6) end = Math.max(end, o[1]);
    }
  } catch {
    return data;
  }
  const out = new Uint8Array(end);
  out.set(data.subarray(0, end));
  for (let i = data.length; i < end; i++) out[i] = r.int(256);
  return out;
}

type ByteMutator = (f: Uint8Array, r: Rng) => Uint8Array;

const headerLen = (f: Uint8Array) => (f.length >= 8 ? Number(new DataView(f.buffer, f.byteOffset).getBigUint64(0, true)) : 0);

function flip(f: Uint8Array, lo: number, hi: number, r: Rng): Uint8Array {
  const g = f.slice();
  if (hi > lo) g[lo + r.int(hi - lo)] ^= 1 << r.int(8);
  return g;
}

const byteMutators: Record<string, ByteMutator> = {
  flipHeader: (f, r) => flip(f, 8, Math.min(f.length, 8 + headerLen(f)), r),
  flipData: (f, r) => flip(f, Math.min(f.length, 8 + headerLen(f)), f.length, r),
  flipLength: (f, r) => flip(f, 0, Math.min(8, f.length), r),
  truncate: (f, r) => f.slice(0, r.next() < 0.5 ? f.length - 1 - r.int(8) : r.int(f.length)),
  extend: (f, r) => { const g = new Uint8Array(f.length + 1 + r.int(16)); g.set(f); for (let i = f.length; i < g.length; i++) g[i] = r.pick([0, 0x20, r.int(256)]); return g; },
  lengthLie: (f, r) => {
    if (f.length < 8) return f;
    const g = f.slice();
    const n = headerLen(f);
    const lie = r.pick([n + 1, n - 1, n + 8, n - 8, 0, 1, f.length - 8, f.length - 7, 100_000_000, 100_000_001, 2 ** 32 + n, 2 ** 53, Number.MAX_SAFE_INTEGER]);
    new DataView(g.buffer).setBigUint64(0, r.next() < 0.1 ? 2n ** 64n - 1n : BigInt(Math.max(0, lie)), true);
    return g;
  },
};

/** An accepted file must describe its own bytes consistently. */
function checkConsistent(f: SafetensorsFile, m: Uint8Array, what: string): void {
  // Whatever the strict reader accepts, the lenient JSON.parse accepts too.
  assert.doesNotThrow(() => JSON.parse(new TextDecoder().decode(m.subarray(8, 8 + headerLen(m)))), what);
  assert.deepEqual(Object.keys(f.tensors).sort(), [...f.names].sort(), what);
  assert.equal(new Set(f.names).size, f.names.length, what);
  for (const v of Object.values(f.metadata)) assert.equal(typeof v, 'string', what);
  let pos = 8 + headerLen(m);
  for (const name of f.names) {
    const t = f.tensors[name];
    assert.equal(t.name, name, what);
    assert.ok(Object.prototype.hasOwnProperty.call(BITS, t.dtype), what);
    const count = t.exactShape.reduce((a, d) => a * d, 1n);
    assert.ok(t.exactShape.every((d) => d >= 0n && d < 2n ** 64n), what);
    const bits = count * BigInt(BITS[t.dtype]);
    assert.equal(bits % 8n, 0n, what);
    assert.equal(BigInt(t.bytes.length), bits / 8n, `${what}: ${name} bytes vs shape`);
    assert.deepEqual(t.shape, t.exactShape.map(Number), what);
    assert.equal(t.bytes.buffer, m.buffer, what);
    assert.equal(t.bytes.byteOffset - m.byteOffset, pos, `${what}: ${name} not contiguous`);
    pos += t.bytes.length;
    if (CONVERTIBLE.has(t.dtype)) assert.equal(t.data.length, Number(count), what);
    else assert.throws(() => t.data, SafetensorsError, what);
  }
  assert.equal(pos, m.length, `${what}: tensors do not end at the end of the file`);
}

test('seeded mutants: a consistent file or a SafetensorsError, nothing else', { timeout: 30_000 }, (t) => {
  const r = rng(SEED);
  const originals = bases();
  for (const b of originals) checkConsistent(loadSafetensors(b), b, 'base');
  const textNames = Object.keys(textMutators);
  const byteNames = Object.keys(byteMutators);
  let accepted = 0;
  const rejectedBy = new Map<string, number>();
  for (let i = 0; i < MUTANTS; i++) {
    const base = r.pick(originals);
    const applied: string[] = [];
    let m = base;
    const nText = r.pick([0, 1, 1, 1, 2, 3]);
    if (nText > 0) {
      const { header, data } = split(base);
      let h = header;
      for (let k = 0; k < nText; k++) {
        const name = r.pick(textNames);
        applied.push(name);
        h = textMutators[name](h, r);
      }
      m = build(h, r.next() < 0.5 ? fitData(h, data, r) : data);
    }
    const nBytes = nText === 0 ? 1 + r.int(3) : r.pick([0, 0, 0, 1]);
    for (let k = 0; k < nBytes; k++) {
      const name = r.pick(byteNames);
      applied.push(name);
      m = byteMutators[name](m, r);
    }
    const what = `mutant ${i} (${applied.join(' + ')})`;
    let f: SafetensorsFile;
    try {
      f = loadSafetensors(m);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) assert.fail(`${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
      assert.match(e.message, /^loadSafetensors: /);
      rejectedBy.set(applied[0], (rejectedBy.get(applied[0]) ?? 0) + 1);
      continue;
    }
    checkConsistent(f, m, what);
    accepted++;
  }
  t.diagnostic(`${accepted} of ${MUTANTS} mutants accepted; rejections by first mutation: ${[...rejectedBy].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  // The mix must exercise both outcomes, and every kind of mutation must be able to produce a rejection.
  assert.ok(accepted > MUTANTS * 0.05, `only ${accepted} mutants accepted`);
  assert.ok(accepted < MUTANTS * 0.6, `${accepted} mutants accepted`);
  for (const name of [...textNames, ...byteNames]) assert.ok((rejectedBy.get(name) ?? 0) > 0, `${name} never rejected`);
});

test('dialect cases keep their verdicts when mixed into valid files', () => {
  const [withMeta] = bases();
  const { header, data } = split(withMeta);
  const variants: [string, boolean][] = [
    [header.replace(/"__metadata__":\{[^}]*\}/, '"__metadata__":null'), true],
    [` \t${header}`, true],
    [header.replace('"shape":[0,4]', '"shape":[0,18446744073709551615]'), true],
    [header.replace('"shape":[0,4]', '"shape":[18446744073709551615,2,0]'), false],
    [header.replace('"shape":[0,4]', '"shape":[0,18446744073709551616]'), false],
    [header.replace('"shape":[0,4]', '"shape":[0,4.0]'), false],
    [header.replace(/"data_offsets":\[0,(\d+)\]/, '"data_offsets":[-0,$1]'), false],
    [header.replace(/"data_offsets":\[0,(\d+)\]/, '"data_offsets":[0e0,$1]'), false],
    [header.replace('"empty"', '"\\ud800"'), false],
    [header.replace('"empty"', '"\\ud800\\udc00"'), true],
    [header.replace('"shape":[0,4]', `"shape":[0,4],"x":${'['.repeat(125)}${']'.repeat(125)}`), true],
    [header.replace('"shape":[0,4]', `"shape":[0,4],"x":${'['.repeat(126)}${']'.repeat(126)}`), false],
  ];
  for (const [h, ok] of variants) {
    const m = build(h, data);
    if (ok) checkConsistent(loadSafetensors(m), m, h.slice(0, 80));
    else assert.throws(() => loadSafetensors(m), SafetensorsError, h.slice(0, 80));
  }
});
