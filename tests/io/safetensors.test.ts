import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadSafetensors, saveSafetensors, toStateDict, SafetensorsError, MAX_HEADER_SIZE,
} from '../../bindings/io/safetensors.ts';

/** header text + buffer bytes -> file bytes (length field = exact header byte length). */
function file(header: string, data: ArrayLike<number> = [], headerLen?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function u16le(...vals: number[]): Uint8Array {
  const out = new Uint8Array(2 * vals.length);
  vals.forEach((v, i) => { out[2 * i] = v & 0xff; out[2 * i + 1] = v >> 8; });
  return out;
}

function rejects(bytes: Uint8Array | ArrayBuffer, pattern: RegExp) {
  assert.throws(() => loadSafetensors(bytes), (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${e}`);
    assert.match(e.message, /^loadSafetensors: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('spec vector: I32 [2,2] with a 60-byte header', () => {
  const bytes = new Uint8Array([0x3c, 0, 0, 0, 0, 0, 0, 0,
    ...new TextEncoder().encode('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'), ...new Uint8Array(16)]);
  assert.equal(bytes.length, 8 + 60 + 16);
  const f = loadSafetensors(bytes);
  assert.deepEqual(f.names, ['test']);
  assert.equal(f.tensors.test.dtype, 'I32');
  assert.deepEqual(f.tensors.test.shape, [2, 2]);
  assert.equal(f.tensors.test.bytes.length, 16);
  assert.deepEqual([...f.tensors.test.data], [0, 0, 0, 0]);
  assert.deepEqual(Object.keys(f.metadata), []);
});

test('spec vector: zero-size tensor and rank-0 tensor', () => {
  const f = loadSafetensors(file('{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}'));
  assert.equal(f.tensors.test.data.length, 0);
  const g = loadSafetensors(file('{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', new Uint8Array(new Float32Array([2.5]).buffer)));
  assert.deepEqual(g.tensors.s.shape, []);
  assert.deepEqual([...g.tensors.s.data], [2.5]);
});

test('spec vector: empty header padded with \\r \\t \\n', () => {
  const bytes = new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 0x0d, 0x20, 0x09, 0x0a]);
  const f = loadSafetensors(bytes);
  assert.deepEqual(f.names, []);
  assert.deepEqual(Object.keys(f.stateDict()), []);
});

test('accepts an ArrayBuffer and an unaligned Uint8Array view', () => {
  const saved = saveSafetensors({ w: { data: new Float32Array([1, -2, 3.5]), shape: [3] } });
  assert.deepEqual([...loadSafetensors(saved.slice().buffer).tensors.w.data], [1, -2, 3.5]);
  const shifted = new Uint8Array(saved.length + 1);
  shifted.set(saved, 1);
  assert.deepEqual([...loadSafetensors(shifted.subarray(1)).tensors.w.data], [1, -2, 3.5]);
  // Odd header length: F32 data at an odd absolute offset (old files) must still read.
  const odd = file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} ', new Uint8Array(new Float32Array([7, 8]).buffer));
  assert.deepEqual([...loadSafetensors(odd).tensors.w.data], [7, 8]);
});

test('round trip save -> load with metadata, sorted names, 8-byte aligned buffer', () => {
  const tensors = {
    'linear1.weight': { data: Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1), shape: [2, 3] },
    'a.bias': new Float32Array([Infinity, -0, NaN]),
    empty: { data: new Float32Array(0), shape: [0, 4] },
    scalar: { data: new Float32Array([42]), shape: [] },
  };
  const bytes = saveSafetensors(tensors, { format: 'pt', note: 'x"y' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const f = loadSafetensors(bytes);
  assert.equal(f.metadata.format, 'pt');
  assert.equal(f.metadata.note, 'x"y');
  assert.deepEqual(Object.keys(f.tensors).sort(), ['a.bias', 'empty', 'linear1.weight', 'scalar']);
  // Zero-size tensors share offsets with their neighbour; file order is by offset then name.
  assert.deepEqual(f.names, ['a.bias', 'empty', 'linear1.weight', 'scalar']);
  assert.deepEqual(f.tensors['linear1.weight'].shape, [2, 3]);
  assert.deepEqual([...f.tensors['linear1.weight'].data], [...tensors['linear1.weight'].data]);
  const b = f.tensors['a.bias'].data;
  assert.equal(b[0], Infinity);
  assert.ok(Object.is(b[1], -0));
  assert.ok(Number.isNaN(b[2]));
  assert.deepEqual(f.tensors.empty.shape, [0, 4]);
  assert.deepEqual([...f.tensors.scalar.data], [42]);
  const sd = f.stateDict();
  assert.ok(sd['linear1.weight'] instanceof Float32Array);
  assert.equal(f.tensors.scalar.data, f.tensors.scalar.data, 'data is cached');
});

test('names that collide with Object.prototype stay plain keys', () => {
  const bytes = saveSafetensors({ ['__proto__']: new Float32Array([1]), constructor: new Float32Array([2]) } as never);
  const f = loadSafetensors(bytes);
  assert.deepEqual([...f.tensors['__proto__'].data], [1]);
  assert.deepEqual([...f.tensors['constructor' as string].data], [2]);
  assert.equal(f.tensors.toString, undefined);
  assert.equal(Object.getPrototypeOf(f.tensors), null);
});

test('F16 conversion against hand-computed values', () => {
  const raw = [0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0x3555, 0x0000, 0x8000, 0x7e00];
  const want = [1, -2, Infinity, -Infinity, 2 ** -24, -(2 ** -24), 1023 * 2 ** -24, 2 ** -14, 65504,
    (1 + 0x155 / 1024) / 4, 0, -0];
  const f = loadSafetensors(file(`{"h":{"dtype":"F16","shape":[${raw.length}],"data_offsets":[0,${2 * raw.length}]}}`, u16le(...raw)));
  const got = f.tensors.h.data;
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], Math.fround(want[i])), `f16 0x${raw[i].toString(16)}: ${got[i]} vs ${want[i]}`);
  assert.ok(Number.isNaN(got[12]));
  assert.equal(got[9], 0.333251953125); // 0x3555: exponent 13 - 15 = -2, mantissa 341
});

test('BF16 and F64 conversion', () => {
  const f = loadSafetensors(file('{"b":{"dtype":"BF16","shape":[5],"data_offsets":[0,10]}}', u16le(0x3f80, 0xc000, 0x7f80, 0x0001, 0x3ec0)));
  const b = f.tensors.b.data;
  assert.deepEqual([b[0], b[1], b[2], b[4]], [1, -2, Infinity, 0.375]);
  assert.equal(b[3], 2 ** -133); // smallest bf16 subnormal maps to an f32 subnormal exactly
  const d = new Uint8Array(new Float64Array([0.1, -1e300, 3]).buffer);
  const g = loadSafetensors(file('{"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}}', d));
  assert.deepEqual([...g.tensors.d.data], [Math.fround(0.1), -Infinity, 3]);
});

test('integer and BOOL dtypes convert to Float32Array', () => {
  const i64 = new Uint8Array(new BigInt64Array([-5n, 1n << 40n]).buffer);
  const i8 = new Uint8Array(new Int8Array([-128, 127]).buffer);
  const bytes = file('{"i":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
    '"j":{"dtype":"I8","shape":[2],"data_offsets":[16,18]},"k":{"dtype":"BOOL","shape":[2],"data_offsets":[18,20]}}',
  [...i64, ...i8, 0, 7]);
  const f = loadSafetensors(bytes);
  assert.deepEqual([...f.tensors.i.data], [-5, 2 ** 40]);
  assert.deepEqual([...f.tensors.j.data], [-128, 127]);
  assert.deepEqual([...f.tensors.k.data], [0, 1]);
});

test('unsupported dtypes are listed but reading them as floats throws naming tensor and dtype', () => {
  const f = loadSafetensors(file('{"q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}', [1, 2, 3, 4]));
  assert.equal(f.tensors.q.dtype, 'F8_E4M3');
  assert.equal(f.tensors.q.bytes.length, 4);
  assert.throws(() => f.tensors.q.data, /tensor "q" has dtype F8_E4M3, which cannot be read as Float32/);
  assert.throws(() => f.stateDict(), SafetensorsError);
  // F4 packs two values per byte; an odd count is not a whole number of bytes.
  rejects(file('{"x":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', [0, 0]), /F4 shape \[3\] is 12 bits, not a whole number of bytes/);
});

test('validation: header length and framing', () => {
  rejects(new Uint8Array(5), /5 bytes, too small/);
  const big = new Uint8Array(16);
  new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_SIZE + 1), true);
  rejects(big, /header length 100000001 exceeds the maximum 100000000/);
  new DataView(big.buffer).setBigUint64(0, 1n << 60n, true);
  rejects(big, /exceeds the maximum/);
  rejects(file('{}', [], 9), /header length 9 runs past the end of the file \(2 bytes/);
  // Truncated file: tensor claims bytes the file does not have.
  rejects(file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0, 0]),
    /file is \d+ bytes but the header \(8 \+ \d+\) and tensors \(8\) account for \d+/);
  // Trailing bytes after the last tensor.
  rejects(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0, 9]), /account for/);
  rejects(file('{}', [1]), /account for/);
});

test('validation: header text', () => {
  // A BOM is not JSON whitespace (serde_json rejects it), and the header must be an object.
  rejects(file('\ufeff{}'), /must be a JSON object \(optional whitespace, then "\{"\), got "\ufeff\{\}"/);
  rejects(file('[]'), /must be a JSON object/);
  rejects(file(''), /must be a JSON object/);
  rejects(file('   '), /must be a JSON object/);
  rejects(file('\0{}'), /must be a JSON object/);
  rejects(file('{"a":1,}'), /not valid JSON/);
  rejects(file('{}\0\0'), /not valid JSON/);
  const bad = file('{"\u00e9":1}');
  bad[10] = 0xff; // break the UTF-8 sequence
  rejects(bad, /not valid UTF-8/);
});

test('validation: duplicate keys at any level, including escaped spellings', () => {
  const e = '{"dtype":"F32","shape":[0],"data_offsets":[0,0]}';
  rejects(file(`{"a":${e},"a":${e}}`), /repeats the key "a"/);
  rejects(file(`{"a":${e}, "\\u0061" :${e}}`), /repeats the key "a"/);
  rejects(file('{"a":{"dtype":"F32","dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), /repeats the key "dtype"/);
  rejects(file('{"__metadata__":{"k":"1","k":"2"}}'), /repeats the key "k"/);
  const many = Array.from({ length: 20 }, (_, i) => `"k${i}":"v"`).join(',');
  rejects(file(`{"__metadata__":{${many},"k3":"again"}}`), /repeats the key "k3"/);
  // Same string as a value or in different objects is fine.
  const ok = loadSafetensors(file('{"__metadata__":{"a":"a"},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":{"a":["a"]}}}'));
  assert.deepEqual(ok.names, ['a']);
});

test('validation: entries', () => {
  rejects(file('{"w":[1]}'), /tensor "w": a header entry given as an array must be \[dtype, shape, data_offsets\] \(3 items\), got 1/);
  rejects(file('{"w":"F32"}'), /tensor "w": header entry must be an object \{dtype, shape, data_offsets\}, got "F32"/);
  rejects(file('{"w":null}'), /tensor "w": header entry must be an object/);
  rejects(file('{"w":{"shape":[1],"data_offsets":[0,4]}}'), /tensor "w": "dtype" must be a string/);
  rejects(file('{"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /unknown dtype "F17"/);
  rejects(file('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'), /"shape" must be an array of non-negative integers/);
  rejects(file('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}'), /"shape" must be/);
  rejects(file('{"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}'), /"shape" must be/);
  rejects(file('{"w":{"dtype":"F32","shape":[1]}}'), /"data_offsets" must be \[begin, end\]/);
  rejects(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}'), /"data_offsets" must be/);
  rejects(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}'), /data_offsets \[4, 0\] end before they begin/);
});

test('validation: layout (hole, overlap, size mismatch)', () => {
  const f32 = (name: string, shape: number[], b: number, e: number) =>
    `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${b},${e}]}`;
  rejects(file(`{${f32('linear1.weight', [5, 6], 0, 100)}}`, new Uint8Array(100)),
    /^loadSafetensors: tensor "linear1.weight" data_offsets \[0, 100\] hold 100 bytes but F32 shape \[5, 6\] needs 120$/);
  rejects(file(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, new Uint8Array(12)),
    /tensor "b" data_offsets \[8, 12\] leave a hole of 4 bytes after tensor "a" \(expected begin 4\)/);
  rejects(file(`{${f32('a', [1], 4, 8)}}`, new Uint8Array(8)), /hole of 4 bytes at the start of the byte buffer/);
  rejects(file(`{${f32('a', [2], 0, 8)},${f32('b', [1], 4, 8)}}`, new Uint8Array(8)),
    /tensor "b" data_offsets \[4, 8\] overlap tensor "a" data_offsets \[0, 8\]/);
  // Identical ranges are an overlap too.
  rejects(file(`{${f32('a', [1], 0, 4)},${f32('b', [1], 0, 4)}}`, new Uint8Array(4)), /overlap/);
  // A hostile shape whose element count exceeds 2^64 must not wrap around to a match (reference: ValidationOverflow).
  rejects(file(`{${f32('h', [2 ** 26, 2 ** 26, 2 ** 26, 0x100], 0, 4)}}`, new Uint8Array(4)),
    /tensor "h": element count of shape \[67108864, 67108864, 67108864, 256\] overflows 64 bits$/);
  // Above 2^53 but below 2^64: compared exactly, not through doubles.
  rejects(file('{"h":{"dtype":"U8","shape":[268435456,268435456,4],"data_offsets":[0,4]}}', new Uint8Array(4)),
    /hold 4 bytes but U8 shape \[268435456, 268435456, 4\] needs 288230376151711744$/);
});

test('validation: metadata must map strings to strings', () => {
  rejects(file('{"__metadata__":{"n":1}}'), /"__metadata__" value for "n" must be a string, got 1/);
  rejects(file('{"__metadata__":["a"]}'), /"__metadata__" must be an object/);
  rejects(file('{"__metadata__":"x"}'), /"__metadata__" must be an object mapping strings to strings \(or null\), got "x"/);
  rejects(file('{"__metadata__":{"a":null}}'), /"__metadata__" value for "a" must be a string, got null/);
  assert.throws(() => saveSafetensors({}, { n: 1 } as never), /must be a string/);
});

test('saveSafetensors argument errors', () => {
  assert.throws(() => saveSafetensors({ w: { data: new Float32Array(5), shape: [2, 3] } }), /tensor "w": shape \[2, 3\] needs 6 values, data has 5/);
  assert.throws(() => saveSafetensors({ w: [1, 2] as never }), /expected a Float32Array/);
  assert.throws(() => saveSafetensors({ __metadata__: new Float32Array(1) }), /reserved/);
});

test('toStateDict normalises files, plain objects, tensor-likes and Maps', () => {
  const f = loadSafetensors(saveSafetensors({ w: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] } }));
  const a = toStateDict(f);
  assert.deepEqual([...a.keys()], ['w']);
  assert.deepEqual(a.get('w')!.shape, [2, 2]);
  assert.deepEqual([...a.get('w')!.data], [1, 2, 3, 4]);

  // File entries convert lazily: an unreadable dtype only throws when that tensor is used.
  const mixed = toStateDict(loadSafetensors(file('{"q":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]},' +
    '"w":{"dtype":"BF16","shape":[1],"data_offsets":[1,3]}}', [0, 0x80, 0x3f])));
  assert.deepEqual([...mixed.get('w')!.data], [1]);
  assert.deepEqual(mixed.get('q')!.shape, [1]);
  assert.throws(() => mixed.get('q')!.data, /dtype F8_E5M2/);

  const plain = new Float32Array([5]);
  const b = toStateDict({ bias: plain, weight: { data: new Float32Array(6), shape: [2, 3] } });
  assert.equal(b.get('bias')!.data, plain, 'no copy');
  assert.equal(b.get('bias')!.shape, null);
  assert.deepEqual(b.get('weight')!.shape, [2, 3]);

  const c = toStateDict(new Map([['x', plain]]));
  assert.equal(c.get('x')!.shape, null);

  assert.throws(() => toStateDict({ w: [1, 2] } as never), /state dict entry "w" must be a Float32Array/);
  assert.throws(() => toStateDict({ w: { data: new Float32Array(5), shape: [2, 3] } }), /shape \[2, 3\] does not match 5 values/);
  assert.throws(() => toStateDict(null as never), /must be an object/);
});

// ---- Parity with the reference reader (Rust `safetensors`, header parsed by serde_json into
// HashMetadata { __metadata__: Option<HashMap<String, String>>, #[serde(flatten)] HashMap<String, TensorInfo> }).

/** A zero-size F32 entry with `shape` and `offsets` spliced in as raw JSON text. */
const entry = (shape: string, offsets = '0,0', extra = '') =>
  `{"dtype":"F32","shape":[${shape}],"data_offsets":[${offsets}]${extra}}`;

test('reference parity: offsets and dims are usize, so only plain non-negative integer literals', () => {
  const data = new Uint8Array(4);
  for (const lie of ['4.0', '0e0', '4e0', '4E0', '0.4e1', '-0', '-4', '4.5', '18446744073709551616', '1e400']) {
    const offs = lie === '0e0' || lie === '-0' ? `${lie},4` : `0,${lie}`;
    rejects(file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[${offs}]}}`, data),
      lie === '1e400' ? /number 1e400 out of range/ : /tensor "w": "data_offsets" must be \[begin, end\] non-negative integers \(plain digits/);
  }
  for (const dim of ['1.0', '1e0', '-0', '0.0', '-1', '18446744073709551616']) {
    rejects(file(`{"w":${entry(dim)}}`), /tensor "w": "shape" must be an array of non-negative integers/);
  }
  // Not JSON at all (serde_json and JSON.parse agree): leading zeros, plus sign, bare fraction.
  for (const bad of ['04', '+4', '.5', '4.', '0x4']) {
    rejects(file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,${bad}]}}`, data), /not valid JSON/);
  }
  // Non-usize numbers are fine where nothing reads them (unknown fields are ignored), unless out of f64 range.
  const ok = loadSafetensors(file(`{"w":${entry('0', '0,0', ',"x":[4.0,-0,1e300,-5,18446744073709551616]')}}`));
  assert.deepEqual(ok.names, ['w']);
  rejects(file(`{"w":${entry('0', '0,0', ',"x":-1e999')}}`), /number -1e999 out of range at character \d+ \(in the entry for "w"\)/);
});

test('reference parity: zero-size tensors with huge dims, and the left-to-right overflow rule', () => {
  const max = '18446744073709551615'; // 2^64 - 1
  const f = loadSafetensors(file(`{"z":${entry(`0,${max}`)}}`));
  // shape is number[]: dims above 2^53 are rounded there; exactShape keeps them exactly.
  assert.deepEqual(f.tensors.z.shape, [0, 2 ** 64]);
  assert.deepEqual(f.tensors.z.exactShape, [0n, 2n ** 64n - 1n]);
  assert.equal(f.tensors.z.bytes.length, 0);
  assert.equal(f.tensors.z.data.length, 0);
  // try_fold(1, checked_mul): 1 * max fits, then * 0 = 0.
  assert.deepEqual(loadSafetensors(file(`{"z":${entry(`${max},0`)}}`)).tensors.z.exactShape, [2n ** 64n - 1n, 0n]);
  assert.deepEqual(loadSafetensors(file(`{"z":${entry(`0,${max},${max}`)}}`)).tensors.z.shape.length, 3);
  assert.ok(loadSafetensors(file(`{"z":${entry('4294967296,4294967295,0')}}`)));
  // An overflow before the 0 is an error even though the tensor is empty.
  rejects(file(`{"z":${entry(`${max},2,0`)}}`), /tensor "z": element count of shape \[18446744073709551615, 2, 0\] overflows 64 bits/);
  rejects(file(`{"z":${entry('4294967296,4294967296,0')}}`), /overflows 64 bits/);
  // tensor.rs test_validation_overflow vectors: count overflow, then count * bits overflow.
  rejects(file('{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', new Uint8Array(16)),
    /element count of shape \[2, 18446744073709551614\] overflows 64 bits/);
  rejects(file('{"test":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}', new Uint8Array(16)),
    /bit size of I32 shape \[2, 9223372036854775807\] overflows 64 bits/);
  // Offsets are usize too: huge ones are compared exactly and reported as written.
  rejects(file(`{"z":{"dtype":"U8","shape":[0],"data_offsets":[${max},${max}]}}`),
    /data_offsets \[18446744073709551615, 18446744073709551615\] leave a hole of 18446744073709551615 bytes/);
  rejects(file('{"z":{"dtype":"U8","shape":[1],"data_offsets":[0,9007199254740993]}}', [0]), /hold 9007199254740993 bytes but U8 shape \[1\] needs 1/);
});

test('reference parity: JSON nesting limit is serde_json\'s (127 levels accepted, 128 rejected)', () => {
  // The header object is level 1 and the entry level 2, so k arrays in an ignored field reach level 2 + k.
  const nested = (k: number) => file(`{"w":${entry('0', '0,0', `,"x":${'['.repeat(k)}${']'.repeat(k)}`)}}`);
  assert.deepEqual(loadSafetensors(nested(125)).names, ['w']); // 127 levels
  rejects(nested(126), /arrays\/objects nested 128 deep \(serde_json, the reference parser, allows at most 127\) at character \d+ \(in the entry for "w"\)/);
  // Objects count the same as arrays.
  const objs = (k: number) => file(`{"w":${entry('0', '0,0', `,"x":${'{"a":'.repeat(k)}1${'}'.repeat(k)}`)}}`);
  assert.ok(loadSafetensors(objs(125)));
  rejects(objs(126), /nested 128 deep/);
  // Deep garbage is refused at the limit, without exhausting the stack.
  rejects(file('{"w":' + '['.repeat(200000)), /nested 128 deep/);
});

test('reference parity: strings — unpaired surrogate escapes and control characters are rejected', () => {
  for (const name of ['\\ud800', '\\udc00', '\\uDBFF', '\\ud800\\u0041', '\\ud800x', '\\ud800\\n', '\\ud800\\ud800', '\\udc00\\ud800']) {
    rejects(file(`{"${name}":${entry('0')}}`), /not valid JSON: unpaired surrogate escape/);
  }
  // Everywhere, not only in names: serde buffers every value of the header, so no string escapes validation.
  rejects(file(`{"w":${entry('0', '0,0', ',"x":"\\ud800"')}}`), /unpaired surrogate escape \\ud800 at character \d+ \(in the entry for "w"\)/);
  rejects(file('{"__metadata__":{"k":"\\udfff"}}'), /unpaired surrogate escape \\udfff/);
  // A proper pair decodes; escaped and raw spellings are the same name.
  const f = loadSafetensors(file(`{"\\ud83d\\ude00\\u0041":${entry('0')},"__metadata__":{"\\u00e9":"\\/\\b\\f\\n\\r\\t\\"\\\\"}}`));
  assert.deepEqual(f.names, ['\u{1F600}A']);
  assert.equal(f.metadata['\u00e9'], '/\b\f\n\r\t"\\');
  rejects(file(`{"a\tb":${entry('0')}}`), /control character U\+0009 inside a string/);
  rejects(file(`{"a\\x":${entry('0')}}`), /invalid escape "\\\\x"/);
  rejects(file(`{"a\\u12g4":${entry('0')}}`), /invalid \\u escape/);
  rejects(file('{"a'), /unterminated string/);
});

test('reference parity: "__metadata__": null means no metadata', () => {
  const f = loadSafetensors(file(`{"__metadata__":null,"w":${entry('0')}}`));
  assert.deepEqual(Object.keys(f.metadata), []);
  assert.deepEqual(f.names, ['w']);
  // Escaped spelling of the reserved key is the same key.
  assert.equal(loadSafetensors(file('{"\\u005f_metadata__":{"a":"b"}}')).metadata.a, 'b');
  rejects(file('{"__metadata__":null,"__metadata__":{}}'), /repeats the key "__metadata__"/);
});

test('reference parity: leading JSON whitespace before "{" is accepted (the reference tolerates it on purpose)', () => {
  // tensor.rs test_whitespace_leading_padded_header: writers may pad the header, e.g. to page-align the data.
  const vec = new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x0a, 0x7b, 0x7d, 0x0d, 0x20]);
  assert.deepEqual(loadSafetensors(vec).names, []);
  const f = loadSafetensors(file(' \r\n\t{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}  ', new Uint8Array(new Float32Array([1.5]).buffer)));
  assert.deepEqual([...f.tensors.s.data], [1.5]);
  // Only JSON whitespace: not a BOM, NUL, vertical tab or no-break space.
  for (const pad of ['\ufeff', '\0', '\v', '\u00a0']) rejects(file(`${pad}{}`), /must be a JSON object/);
  rejects(file('{}\v'), /not valid JSON/);
});

test('reference parity: serde derive forms — struct as a 3-item array, dtype as {"F32": null}', () => {
  // serde deserializes a struct from a sequence of its fields in order, and a unit enum variant from {"Name": null}.
  const f = loadSafetensors(file('{"a":["F32",[1],[0,4]],"b":{"dtype":{"BF16":null},"shape":[1],"data_offsets":[4,6]}}',
    [0, 0, 0x80, 0x3f, 0x80, 0x3f]));
  assert.deepEqual(f.names, ['a', 'b']);
  assert.deepEqual([...f.tensors.a.data, ...f.tensors.b.data], [1, 1]);
  assert.equal(f.tensors.b.dtype, 'BF16');
  rejects(file('{"a":["F32",[0]]}'), /\(3 items\), got 2/);
  rejects(file('{"a":["F32",[0],[0,0],0]}'), /\(3 items\), got 4/);
  rejects(file('{"a":{"dtype":{"F32":{}},"shape":[0],"data_offsets":[0,0]}}'), /"dtype" must be a string, got \{"F32": \{\}\}/);
  rejects(file('{"a":{"dtype":{"F32":null,"I8":null},"shape":[0],"data_offsets":[0,0]}}'), /"dtype" must be a string/);
  rejects(file('{"a":{"dtype":{"F33":null},"shape":[0],"data_offsets":[0,0]}}'), /unknown dtype "F33"/);
  rejects(file('{"a":{"dtype":"F32","shape":[0],"data_offsets":[0]}}'), /"data_offsets" must be \[begin, end\]/);
  rejects(file('{"a":{"dtype":"F32","shape":{},"data_offsets":[0,0]}}'), /"shape" must be an array/);
});

test('argument errors name the function and the argument', () => {
  for (const bad of [null, undefined, 'x', 5, [], new Map(), new Float32Array(2)]) {
    assert.throws(() => saveSafetensors(bad as never), (e: unknown) => e instanceof TypeError &&
      /^saveSafetensors: tensors must be an object \{name: Float32Array \| \{data: Float32Array, shape: number\[\]\}\}, got /.test(e.message));
    if (bad !== null && bad !== undefined) {
      assert.throws(() => saveSafetensors({}, bad as never), (e: unknown) => e instanceof TypeError &&
        /^saveSafetensors: metadata must be an object mapping strings to strings, got /.test(e.message));
    }
  }
  assert.throws(() => saveSafetensors(null as never), /got null$/);
  assert.throws(() => saveSafetensors([] as never), /got an array$/);
  for (const bad of [null, undefined, 'abc', 12, {}, [1, 2], new Map()]) {
    assert.throws(() => loadSafetensors(bad as never), (e: unknown) => e instanceof TypeError &&
      /^loadSafetensors: input must be a Uint8Array, ArrayBuffer or other ArrayBufferView, got /.test(e.message));
  }
  assert.throws(() => loadSafetensors('abc' as never), /got the string "abc"$/);
  // Other views read their bytes.
  const saved = saveSafetensors({ w: new Float32Array([3]) }, null);
  assert.deepEqual([...loadSafetensors(new DataView(saved.buffer)).tensors.w.data], [3]);
});
