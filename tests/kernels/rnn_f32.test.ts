// The rnn family (assembly/rnn/: gru_step_f32, lstm_step_f32, rnn_step_scratch_size_f32, sigmoid_f32) through BOTH
// builds: each step kernel against its float64 scalar reference (gru_step_f32_ref, lstm_step_f32_ref, which take the
// UNPACKED W_hh) at awkward sizes (H = 1, 7, 8, 9, 13, 31, 64, 100; batch 1 = the GEMV path, 2..11 = the tile path),
// strided rows, no bias, hidden-unit sub-ranges (same bits as the whole call), a batch row alone = the same bits as
// in a batch, cout in place, guards intact; sigmoid_f32 against sigmoid_f32_ref and its max error measured by dense
// sweeps against float64 (the bound documented in assembly/simd/math.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VARIANTS, runtime, rng, uniform, Guarded, assertClose } from '../support/util.ts';
import { ulp32 } from '../reference/math.ts';
import type { Runtime } from '../../bindings/index.ts';

/** W_hh [G·H, H] packed as the kernels want it (bindings/ops/rnn.ts PackedRecurrent does the same). */
function packRecurrent(rt: Runtime, w: Float32Array, G: number, H: number): number {
  const H8 = Math.ceil(H / 8) * 8;
  const wr = new Float32Array(G * H8 * H);
  for (let g = 0; g < H8 / 8; g++) for (let q = 0; q < G; q++) for (let u = 0; u < 8 && 8 * g + u < H; u++) {
    wr.set(w.subarray((q * H + 8 * g + u) * H, (q * H + 8 * g + u + 1) * H), ((g * G + q) * 8 + u) * H);
  }
  const tmp = rt.alloc(wr.length * 4);
  rt.f32(tmp, wr.length).set(wr);
  const packed = rt.alloc(rt.exports.packed_b_size_f32(H, G * H8) * 4);
  rt.exports.pack_b_f32(H, G * H8, tmp, H, packed, 1);
  rt.free(tmp);
  return packed;
}

const HS = [1, 7, 8, 9, 13, 31, 64, 100];
const BATCHES = [1, 2, 3, 4, 5, 8, 11];
// f32 dot products of H terms of size ~1 against float64, plus a few ulp of sigmoid/tanh
const atolFor = (H: number) => 2e-6 + 2e-7 * Math.sqrt(H);

for (const variant of VARIANTS) {
  const rtP = runtime(variant);

  for (const mode of ['gru', 'lstm'] as const) {
    test(`${variant}: ${mode}_step_f32 matches ${mode}_step_f32_ref (awkward sizes, strides, no bias, ranges), guards intact`, async () => {
      const rt = await rtP;
      const r = rng(mode === 'gru' ? 3 : 4);
      const G = mode === 'gru' ? 3 : 4;
      const x = rt.exports;
      for (const H of HS) {
        for (const batch of BATCHES) {
          for (const withBias of [true, false]) {
            const a = Math.sqrt(3 / H);
            const w = uniform(r, G * H * H, -a, a);
            const packed = packRecurrent(rt, w, G, H);
            const ldgi = G * H + 3, ldh = H + 1, ldc = H + 2, ldo = H + 5;   // strided rows
            const W = new Guarded(rt, G * H * H, w);
            const gi = new Guarded(rt, batch * ldgi, uniform(r, batch * ldgi, -2, 2));
            const h = new Guarded(rt, batch * ldh, uniform(r, batch * ldh, -1, 1));
            const c = new Guarded(rt, batch * ldc, uniform(r, batch * ldc, -2, 2));
            const bhh = new Guarded(rt, G * H, uniform(r, G * H, -0.5, 0.5));
            const out = new Guarded(rt, batch * ldo), want = new Guarded(rt, batch * ldo);
            const cout = new Guarded(rt, batch * ldo), cwant = new Guarded(rt, batch * ldo);
            // untouched gaps between rows must stay as they were
            out.data.fill(7); want.data.fill(7); cout.data.fill(7); cwant.data.fill(7);
            const sc = new Guarded(rt, x.rnn_step_scratch_size_f32(batch, H, G));
            const scratch = sc.ptr;
            const b = withBias ? bhh.ptr : 0;
            const run = (c0: number, c1: number) => mode === 'gru'
              ? x.gru_step_f32(batch, H, c0, c1, gi.ptr, ldgi, h.ptr, ldh, packed, out.ptr, ldo, b, scratch)
              : x.lstm_step_f32(batch, H, c0, c1, gi.ptr, ldgi, h.ptr, ldh, c.ptr, ldc, packed, out.ptr, ldo, cout.ptr, ldo, b, scratch);
            if (mode === 'gru') x.gru_step_f32_ref(batch, H, gi.ptr, ldgi, h.ptr, ldh, W.ptr, H, want.ptr, ldo, b);
            else x.lstm_step_f32_ref(batch, H, gi.ptr, ldgi, h.ptr, ldh, c.ptr, ldc, W.ptr, H, want.ptr, ldo, cwant.ptr, ldo, b);
            run(0, H);
            const what = `${variant} ${mode} H=${H} batch=${batch} bias=${withBias}`;
            assertClose(out.data, want.data, atolFor(H), 0, `${what} h'`);
            if (mode === 'lstm') assertClose(cout.data, cwant.data, atolFor(H), 0, `${what} c'`);
            out.checkGuards(what); cout.checkGuards(what);
            // sub-ranges of hidden units: the same bits
            const whole = out.data.slice(), cwhole = cout.data.slice();
            out.data.fill(7); cout.data.fill(7);
            for (let j = 0; j < H; j += 16) run(j, Math.min(H, j + 16));
            assert.deepEqual(out.data, whole, `${what}: ranges of 16 units = whole`);
            if (mode === 'lstm') assert.deepEqual(cout.data, cwhole, `${what}: ranges, c'`);
            // the last row alone (batch 1: the GEMV path) = the same bits as in the batch
            if (batch > 1) {
              const i = batch - 1;
              const o1 = new Guarded(rt, H), c1 = new Guarded(rt, H), s1 = new Guarded(rt, x.rnn_step_scratch_size_f32(1, H, G));
              if (mode === 'gru') x.gru_step_f32(1, H, 0, H, gi.ptr + i * ldgi * 4, ldgi, h.ptr + i * ldh * 4, ldh, packed, o1.ptr, H, b, s1.ptr);
              else x.lstm_step_f32(1, H, 0, H, gi.ptr + i * ldgi * 4, ldgi, h.ptr + i * ldh * 4, ldh, c.ptr + i * ldc * 4, ldc, packed, o1.ptr, H, c1.ptr, H, b, s1.ptr);
              s1.checkGuards(`${what}: scratch of one row`); s1.free();
              assert.deepEqual(o1.data, whole.subarray(i * ldo, i * ldo + H), `${what}: one row alone = in the batch`);
              if (mode === 'lstm') assert.deepEqual(c1.data, cwhole.subarray(i * ldo, i * ldo + H), `${what}: one row alone, c'`);
              o1.free(); c1.free();
            }
            // LSTM: cout = c (in place)
            if (mode === 'lstm' && ldc === ldc) {
              const cc = new Guarded(rt, batch * ldc, c.data);
              x.lstm_step_f32(batch, H, 0, H, gi.ptr, ldgi, h.ptr, ldh, cc.ptr, ldc, packed, out.ptr, ldo, cc.ptr, ldc, b, scratch);
              for (let i = 0; i < batch; i++) {
                assert.deepEqual(cc.data.subarray(i * ldc, i * ldc + H), cwhole.subarray(i * ldo, i * ldo + H), `${what}: c in place`);
              }
              cc.checkGuards(`${what} c in place`); cc.free();
            }
            for (const g of [W, gi, h, c, bhh, out, want, cout, cwant]) g.free();
            sc.checkGuards(`${what}: scratch`); sc.free();
            rt.free(packed);
          }
        }
      }
      assert.equal(x.rnn_step_scratch_size_f32(1, 64, 3), 24, 'batch 1: one row of hidden products per group');
    });
  }

  test(`${variant}: sigmoid_f32 matches sigmoid_f32_ref at awkward sizes and special values, in place, guards intact`, async () => {
    const rt = await rtP;
    const r = rng(5);
    const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 100, -100, 1e-30, -1e-30, 20, -20, 87, -87, -88, -104];
    for (const n of [1, 3, 4, 5, 7, 13, 67, 131, 1024, SPECIAL.length]) {
      const data = n === SPECIAL.length ? Float32Array.from(SPECIAL) : uniform(r, n, -30, 30);
      const x = new Guarded(rt, n, data), y = new Guarded(rt, n), want = new Guarded(rt, n);
      rt.exports.sigmoid_f32_ref(n, x.ptr, want.ptr);
      rt.exports.sigmoid_f32(n, x.ptr, y.ptr);
      // 2.5 ulp relative (measured 2.4), plus the flush to 0 below x = -87.3 (|sigmoid| < 1.2e-38 there)
      assertClose(y.data, want.data, 1.2e-38, 3e-7, `${variant} sigmoid n=${n}`);
      y.checkGuards(`sigmoid n=${n}`);
      rt.exports.sigmoid_f32(n, x.ptr, x.ptr);
      assertClose(x.data, want.data, 1.2e-38, 3e-7, `${variant} sigmoid in place n=${n}`);
      x.free(); y.free(); want.free();
    }
    const s = new Guarded(rt, 4, [Infinity, -Infinity, 0, NaN]), o = new Guarded(rt, 4);
    rt.exports.sigmoid_f32(4, s.ptr, o.ptr);
    assert.equal(o.data[0], 1); assert.equal(o.data[1], 0); assert.equal(o.data[2], 0.5); assert.ok(Number.isNaN(o.data[3]));
    s.free(); o.free();
  });

  test(`${variant}: sigmoid approximation stays within its documented max error (dense sweeps)`, async (t) => {
    const rt = await rtP;
    const N = 1 << 20;
    const x = new Guarded(rt, N), y = new Guarded(rt, N);
    const exact = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    // lo, hi, max ulp documented in assembly/simd/math.ts, and max abs error
    for (const [lo, hi, bound] of [[-10, 10, 2.5], [-80, 80, 2.5]] as const) {
      let worst = 0, at = 0, worstAbs = 0;
      for (let s = 0; s < 4; s++) {
        const xd = x.data;
        for (let i = 0; i < N; i++) xd[i] = lo + (hi - lo) * ((s * N + i) / (4 * N));
        rt.exports.sigmoid_f32(N, x.ptr, y.ptr);
        const xv = x.data, yv = y.data;
        for (let i = 0; i < N; i++) {
          const want = exact(xv[i]);
          const d = Math.abs(yv[i] - want);
          const e = d / ulp32(want);
          if (e > worst) { worst = e; at = xv[i]; }
          if (d > worstAbs) worstAbs = d;
        }
      }
      t.diagnostic(`sigmoid [${lo}, ${hi}]: max ${worst.toFixed(2)} ulp at x = ${at}, max abs ${worstAbs.toExponential(2)}`);
      assert.ok(worst <= bound, `${variant} sigmoid on [${lo}, ${hi}]: ${worst.toFixed(2)} ulp at x = ${at} > ${bound}`);
    }
    x.free(); y.free();
  });
}
