// The ONNX encoder (bench/peers/onnx_model.ts) against onnxruntime-web: graphs built with it must load and compute
// what the float64 reference of tests/reference computes. Also checks the peers set up by bench/peers/peers.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, attr } from '../../bench/peers/onnx_model.ts';
import { ortPeer, tfPeer } from '../../bench/peers/peers.ts';
import { assertClose, uniform, rng } from '../support/util.ts';
import { geluExact, geluTanh, layerNorm, linear, map, matmul, softmaxRows } from '../reference/index.ts';

test('MatMul with a constant B (initializer) and a symbolic batch dim', async () => {
  const { session, run } = await ortPeer();
  const r = rng(1);
  const [m, k, n] = [5, 7, 3];
  const a = uniform(r, m * k), b = uniform(r, k * n);
  const g = new GraphBuilder('matmul');
  g.input('A', ['m', k]);
  g.initializer('B', b, [k, n]);
  g.node('MatMul', ['A', 'B'], ['Y']);
  g.output('Y', ['m', n]);
  const s = await session(g.model({ opset: 17 }));
  const { Y } = await run(s, { A: { data: a, dims: [m, k] } });
  assertClose(Y, matmul(a, b, m, k, n), 1e-5, 1e-5, 'MatMul');
  // the symbolic dim takes another size in the same session
  const a2 = uniform(r, 2 * k);
  assertClose((await run(s, { A: { data: a2, dims: [2, k] } })).Y, matmul(a2, b, 2, k, n), 1e-5, 1e-5, 'MatMul m=2');
});

test('Gemm transB=1 with bias and FLOAT attributes that are whole numbers (alpha, beta via attr.float)', async () => {
  const { session, run } = await ortPeer();
  const r = rng(2);
  const [m, k, n] = [4, 9, 6];
  const a = uniform(r, m * k), w = uniform(r, n * k), bias = uniform(r, n);
  const g = new GraphBuilder('linear');
  g.input('x', [m, k]);
  g.initializer('weight', w, [n, k]);          // nn.Linear layout [out, in]
  g.initializer('bias', bias, [n]);
  g.node('Gemm', ['x', 'weight', 'bias'], ['y'], { transB: 1, alpha: attr.float(1), beta: attr.float(1) });
  g.output('y', [m, n]);
  const s = await session(g.model());
  const { y } = await run(s, { x: { data: a, dims: [m, k] } });
  assertClose(y, linear(a, m, k, w, bias), 1e-5, 1e-5, 'Gemm');
  // alpha = 0.5 (a non-integer number becomes FLOAT by itself)
  const g2 = new GraphBuilder('half');
  g2.input('x', [m, k]);
  g2.initializer('weight', w, [n, k]);
  g2.node('Gemm', ['x', 'weight'], ['y'], { transB: 1, alpha: 0.5 });
  g2.output('y', [m, n]);
  const y2 = (await run(await session(g2.model()), { x: { data: a, dims: [m, k] } })).y;
  assertClose(y2, linear(a, m, k, w, null).map((v) => v * 0.5), 1e-5, 1e-5, 'Gemm alpha 0.5');
});

test('Softmax over the last axis (negative INT attribute)', async () => {
  const { session, run } = await ortPeer();
  const r = rng(3);
  const [rows, cols] = [3, 11];
  const x = uniform(r, rows * cols, -5, 5);
  const g = new GraphBuilder('softmax');
  g.input('x', [rows, cols]);
  g.node('Softmax', ['x'], ['y'], { axis: -1 });
  g.output('y', [rows, cols]);
  const { y } = await run(await session(g.model({ opset: 13 })), { x: { data: x, dims: [rows, cols] } });
  assertClose(y, softmaxRows(x, rows, cols), 1e-6, 1e-5, 'Softmax');
});

test('LayerNormalization (opset 17) with weight and bias, FLOAT epsilon', async () => {
  const { session, run } = await ortPeer();
  const r = rng(4);
  const [rows, cols] = [4, 10];
  const x = uniform(r, rows * cols, -3, 3), gamma = uniform(r, cols), beta = uniform(r, cols);
  const eps = 1e-5;
  const g = new GraphBuilder('layernorm');
  g.input('x', ['batch', cols]);
  g.initializer('gamma', gamma, [cols]);
  g.initializer('beta', beta, [cols]);
  g.node('LayerNormalization', ['x', 'gamma', 'beta'], ['y'], { axis: -1, epsilon: attr.float(eps) });
  g.output('y', ['batch', cols]);
  const { y } = await run(await session(g.model({ opset: 17 })), { x: { data: x, dims: [rows, cols] } });
  assertClose(y, layerNorm(x, rows, cols, gamma, beta, eps), 1e-5, 1e-5, 'LayerNormalization');
});

test('INT64 initializers, INTS attributes, multi-node graphs: Reshape + Transpose + Reshape', async () => {
  const { session, run } = await ortPeer();
  const r = rng(5);
  const x = uniform(r, 2 * 3 * 4);
  const g = new GraphBuilder('chain');
  g.input('x', [2, 12]);
  g.initializer('shape', new BigInt64Array([2n, 3n, 4n]), [3]);
  g.initializer('shape2', [6, -1], [2], 'INT64');        // number[] with an explicit type, negative values
  g.node('Reshape', ['x', 'shape'], ['r']);
  g.node('Transpose', ['r'], ['t'], { perm: [0, 2, 1] });  // [2, 4, 3]
  g.node('Reshape', ['t', 'shape2'], ['y']);             // [6, 4]
  g.output('y', [6, 4]);
  const { y } = await run(await session(g.model()), { x: { data: x, dims: [2, 12] } });
  const ref = new Float32Array(24);
  for (let b = 0; b < 2; b++) for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) ref[b * 12 + i * 3 + j] = x[b * 12 + j * 4 + i];
  assert.deepEqual(Array.from(y), Array.from(ref));
});

test('FLOATS and STRING attributes, and a com.microsoft op', async () => {
  const { session, run } = await ortPeer();
  // Constant with value_floats (FLOATS) feeding an Add; Gelu from com.microsoft; STRING via Gelu's approximate (opset 20).
  const x = new Float32Array([-2, -0.5, 0, 0.5, 2, 3]);
  const g = new GraphBuilder('attrs');
  g.input('x', [6]);
  g.node('Constant', [], ['c'], { value_floats: attr.floats([1, 1, 1, 1, 1, 1]) });
  g.node('Add', ['x', 'c'], ['xc']);
  g.node('Gelu', ['xc'], ['y'], {}, { domain: 'com.microsoft' });
  g.node('Gelu', ['xc'], ['y2'], { approximate: 'tanh' });
  g.output('y', [6]);
  g.output('y2', [6]);
  const out = await run(await session(g.model({ opset: 20 })), { x: { data: x, dims: [6] } });
  const xc = Array.from(x, (v) => v + 1);
  assertClose(out.y, map(xc, geluExact), 1e-5, 1e-5, 'com.microsoft Gelu');
  assertClose(out.y2, map(xc, geluTanh), 1e-5, 1e-5, 'Gelu tanh');
});

test('tfjs wasm backend is active, single-threaded, and computes a matmul', async () => {
  const { tf, description } = await tfPeer();
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(description, /1 thread, simd binary/);
  const r = rng(6);
  const a = uniform(r, 3 * 5), b = uniform(r, 5 * 2);
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(a, [3, 5]), tf.tensor2d(b, [5, 2])).dataSync() as Float32Array);
  assertClose(y, matmul(a, b, 3, 5, 2), 1e-5, 1e-5, 'tf.matMul');
});
