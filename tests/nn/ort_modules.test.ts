// MultiHead and the Transformer encoder layer against onnxruntime-web on the same random weights: the ONNX graphs of
// bench/peers/ort_graphs.ts (standard ops, and the com.microsoft Attention contrib op) carry the state dict as
// initializers. Both of our builds, several shapes (L = 1, odd L, N = 2), masks. Tolerance: 1e-5 abs + 1e-4 rel.
//   node --experimental-wasm-relaxed-simd --import tsx --test tests/nn/ort_modules.test.ts
import { test } from 'node:test';
import { MultiHead, Transformer } from '../../bindings/index.ts';
import { ortPeer } from '../../bench/peers/peers.ts';
import { encoderLayerGraph, encoderParamShapes, mhaGraph, mhaParamShapes, type AttentionBuild } from '../../bench/peers/ort_graphs.ts';
import { randomParams } from '../support/module_helpers.ts';
import { VARIANTS, assertClose, uniform, rng, runtime } from '../support/util.ts';

const ATOL = 1e-5, RTOL = 1e-4;
const BUILDS: AttentionBuild[] = ['standard', 'contrib'];
// [N, L] per case: a decode step, odd and prime lengths, a batch of 2, a longer sequence
const SHAPES: [number, number][] = [[1, 1], [1, 7], [2, 5], [2, 16], [1, 33]];

/** max |a - b| over the elements, for messages. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const [E, H] of [[16, 4], [64, 8], [48, 3]] as const) {
  test(`MultiHead self-attention E=${E} H=${H} vs onnxruntime-web (standard ops, com.microsoft Attention)`, async () => {
    const { session, run } = await ortPeer();
    const r = rng(100 + E + H);
    const sd = randomParams(r, mhaParamShapes(E));
    const sessions = await Promise.all(BUILDS.map((build) => session(mhaGraph(sd, { E, H, build }))));
    for (const variant of VARIANTS) {
      const rt = await runtime(variant);
      const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true }).loadStateDict(sd);
      for (const [N, L] of SHAPES) {
        const x = uniform(r, N * L * E, -2, 2);
        const t = rt.tensor(x, [N, L, E]);
        const ours = mha.forward(t, t, t, { needWeights: false }).output.toArray();
        // needWeights true takes the other path (weights materialised): same output
        const ours2 = mha.forward(t, t, t).output.toArray();
        t.dispose();
        for (const [i, build] of BUILDS.entries()) {
          const { y } = await run(sessions[i], { x: { data: x, dims: [N, L, E] } });
          const what = `${variant} ${build} N=${N} L=${L} (max diff ${maxDiff(ours, y).toExponential(2)})`;
          assertClose(ours, y, ATOL, RTOL, what);
          assertClose(ours2, y, ATOL, RTOL, `${what} needWeights`);
        }
      }
      mha.dispose();
    }
    await Promise.all(sessions.map((s) => s.release()));
  });
}

test('MultiHead with an additive float attn mask ([L, L] and [N·H, L, L]) vs onnxruntime-web', async () => {
  const { session, run } = await ortPeer();
  const E = 32, H = 4;
  const r = rng(7);
  const sd = randomParams(r, mhaParamShapes(E));
  const sessions = await Promise.all(BUILDS.map((build) => session(mhaGraph(sd, { E, H, build, mask: true }))));
  for (const variant of VARIANTS) {
    const rt = await runtime(variant);
    const mha = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true }).loadStateDict(sd);
    for (const [N, L] of [[1, 1], [2, 5], [1, 9], [2, 12]] as const) {
      const x = uniform(r, N * L * E, -2, 2);
      // scores offsets in [-3, 3), some keys pushed far away (-1e4; never a whole row: the diagonal stays finite)
      const mask2d = uniform(r, L * L, -3, 3).map((v, i) => (Math.floor(i / L) !== i % L && v > 2 ? -1e4 : v));
      const mask3d = uniform(r, N * H * L * L, -3, 3).map((v, i) => (Math.floor(i / L) % L !== i % L && v > 2 ? -1e4 : v));
      for (const [mask, dims] of [[mask2d, [L, L]], [mask3d, [N * H, L, L]]] as const) {
        const ours = mha.forward({ data: x, shape: [N, L, E] }, { data: x, shape: [N, L, E] }, { data: x, shape: [N, L, E] },
          { attnMask: { data: mask, shape: [...dims] }, needWeights: false }).output.toArray();
        for (const [i, build] of BUILDS.entries()) {
          // ONNX: [N, H, L, L] is the [N·H, L, L] mask's memory layout; the contrib op wants 4-D attention_bias
          const ortDims = dims.length === 3 ? [N, H, L, L] : build === 'contrib' ? [1, 1, L, L] : [L, L];
          const { y } = await run(sessions[i], { x: { data: x, dims: [N, L, E] }, mask: { data: mask, dims: ortDims } });
          assertClose(ours, y, ATOL, RTOL, `${variant} ${build} mask [${dims}] N=${N} L=${L} (max diff ${maxDiff(ours, y).toExponential(2)})`);
        }
      }
    }
    mha.dispose();
  }
  await Promise.all(sessions.map((s) => s.release()));
});

const ENCODERS: { E: number; H: number; F: number; normFirst: boolean; activation: 'relu' | 'gelu' }[] = [
  { E: 32, H: 4, F: 128, normFirst: false, activation: 'relu' },   // nn.TransformerEncoderLayer defaults (F = 4E here)
  { E: 64, H: 8, F: 256, normFirst: false, activation: 'relu' },
  { E: 48, H: 6, F: 192, normFirst: true, activation: 'gelu' },    // pre-norm, exact GELU
];

for (const c of ENCODERS) {
  test(`TransformerEncoderLayer E=${c.E} H=${c.H} F=${c.F} ${c.normFirst ? 'normFirst' : 'post-norm'} ${c.activation} vs onnxruntime-web`, async () => {
    const { session, run } = await ortPeer();
    const r = rng(200 + c.E + (c.normFirst ? 1 : 0));
    const sd = randomParams(r, encoderParamShapes(c.E, c.F));
    const sessions = await Promise.all(BUILDS.map((build) =>
      session(encoderLayerGraph(sd, { E: c.E, H: c.H, F: c.F, build, normFirst: c.normFirst, activation: c.activation }))));
    for (const variant of VARIANTS) {
      const rt = await runtime(variant);
      const enc = new Transformer(rt, { dModel: c.E, nhead: c.H, dimFeedforward: c.F, normFirst: c.normFirst,
        activation: c.activation, batchFirst: true }).loadStateDict(sd);
      for (const [N, L] of SHAPES) {
        const x = uniform(r, N * L * c.E, -2, 2);
        const t = rt.tensor(x, [N, L, c.E]);
        const ours = enc.forward(t).toArray();
        t.dispose();
        for (const [i, build] of BUILDS.entries()) {
          const { y } = await run(sessions[i], { x: { data: x, dims: [N, L, c.E] } });
          assertClose(ours, y, ATOL, RTOL, `${variant} ${build} N=${N} L=${L} (max diff ${maxDiff(ours, y).toExponential(2)})`);
        }
      }
      enc.dispose();
    }
    await Promise.all(sessions.map((s) => s.release()));
  });
}

test('TransformerEncoderLayer with a float src mask vs onnxruntime-web', async () => {
  const { session, run } = await ortPeer();
  const E = 32, H = 4, F = 128;
  const r = rng(31);
  const sd = randomParams(r, encoderParamShapes(E, F));
  const sessions = await Promise.all(BUILDS.map((build) => session(encoderLayerGraph(sd, { E, H, F, build, mask: true }))));
  for (const variant of VARIANTS) {
    const rt = await runtime(variant);
    const enc = new Transformer(rt, { dModel: E, nhead: H, dimFeedforward: F, batchFirst: true }).loadStateDict(sd);
    for (const [N, L] of [[1, 6], [2, 11]] as const) {
      const x = uniform(r, N * L * E, -2, 2);
      // a causal float mask (0 on/below the diagonal, -inf above), as generate_square_subsequent_mask makes
      const mask = new Float32Array(L * L).map((_, i) => (i % L > Math.floor(i / L) ? -Infinity : 0));
      const ours = enc.forward({ data: x, shape: [N, L, E] }, { mask: { data: mask, shape: [L, L] } }).toArray();
      for (const [i, build] of BUILDS.entries()) {
        const dims = build === 'contrib' ? [1, 1, L, L] : [L, L];
        const { y } = await run(sessions[i], { x: { data: x, dims: [N, L, E] }, mask: { data: mask, dims } });
        assertClose(ours, y, ATOL, RTOL, `${variant} ${build} causal mask N=${N} L=${L} (max diff ${maxDiff(ours, y).toExponential(2)})`);
      }
    }
    enc.dispose();
  }
  await Promise.all(sessions.map((s) => s.release()));
});
