// sdpa_f32 (fused attention, online softmax) through both builds (simd, relaxed), compared with
//   (a) sdpa_f32_ref (float64 scores, softmax and sums), and
//   (b) the materialised path made of the existing kernels: gemm_f32_trans_b (Q·Kᵀ) + softmax_rows_f32 (scale,
//       masks, causal) + gemm_f32 (P·V),
// at awkward sizes (around the 64-key block, primes, L != S, head dims 1..65), with float / bool masks (per row
// and broadcast), causal offsets, fully masked rows, special values, guard floats around out (and between its
// rows) and scratch, and row sub-ranges that must give the whole call's bits. Tolerance 1e-5 abs + 1e-4 rel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Runtime } from '../../bindings/index.ts';
import { Guarded, VARIANTS, assertClose, rng, runtime, uniform } from '../support/util.ts';

/** n values uniform in [lo, hi). */

const ATOL = 1e-5, RTOL = 1e-4;

interface Opts {
  scale: number;
  mask: 'none' | 'rows' | 'broadcast';
  bmask: 'none' | 'rows' | 'broadcast';
  causal: boolean;
  offset: number;
}

interface Inputs {
  L: number; S: number; E: number; Ev: number;
  ldq: number; ldk: number; ldv: number; ldo: number; ldm: number; ldbm: number;
  Q: Float32Array; K: Float32Array; V: Float32Array; M: Float32Array | null; B: Uint8Array | null;
}

function makeInputs(r: () => number, L: number, S: number, E: number, Ev: number, o: Opts): Inputs {
  const pad = () => Math.floor(r() * 3);
  const ldq = E + pad(), ldk = E + pad(), ldv = Ev + pad(), ldo = Ev + 1 + pad();
  const ldm = o.mask === 'rows' ? S + pad() : 0, ldbm = o.bmask === 'rows' ? S + pad() : 0;
  const M = o.mask === 'none' ? null : uniform(r, o.mask === 'rows' ? L * ldm : S, -2, 2);
  let B: Uint8Array | null = null;
  if (o.bmask !== 'none') {
    const rows = o.bmask === 'rows' ? L : 1, ld = o.bmask === 'rows' ? ldbm : S;
    B = new Uint8Array(rows * ld);
    for (let i = 0; i < B.length; i++) B[i] = r() < 0.3 ? 1 : 0;
    if (o.bmask === 'rows' && L > 2) B.fill(1, ld, ld + S);            // row 1 fully masked
  }
  return { L, S, E, Ev, ldq, ldk, ldv, ldo, ldm, ldbm, Q: uniform(r, L * ldq), K: uniform(r, S * ldk), V: uniform(r, S * ldv), M, B };
}

/** Device copies of the inputs; run(fn) calls one entry (kernel or reference) into a fresh guarded out. */
class Device {
  q: Guarded; k: Guarded; v: Guarded; m: Guarded | null; b: number; bLen: number;
  constructor(readonly rt: Runtime, readonly x: Inputs) {
    this.q = new Guarded(rt, x.Q.length, x.Q); this.k = new Guarded(rt, x.K.length, x.K); this.v = new Guarded(rt, x.V.length, x.V);
    this.m = x.M ? new Guarded(rt, x.M.length, x.M) : null;
    this.bLen = x.B ? x.B.length : 0;
    this.b = x.B ? rt.alloc(this.bLen + 16) : 0;
    if (x.B) new Uint8Array(rt.exports.memory.buffer, this.b, this.bLen).set(x.B);
  }
  free(): void {
    for (const g of [this.q, this.k, this.v, this.m]) g?.free();
    if (this.b) this.rt.free(this.b);
  }
}

type Entry = 'sdpa_f32' | 'sdpa_f32_ref';

/** Runs an entry on rows [r0, r1) into `out` (row r at out.ptr + r·ldo), scratch guarded. */
function call(d: Device, entry: Entry, o: Opts, out: Guarded, r0: number, r1: number, what: string): void {
  const { rt, x } = d;
  const ex = rt.exports;
  const size = entry === 'sdpa_f32' ? ex.sdpa_scratch_size_f32(x.L, x.S, x.E, x.Ev) : 2 * x.Ev;
  const s = new Guarded(rt, Math.max(1, size));
  const fn = ex[entry];
  fn(r1 - r0, x.S, x.E, x.Ev, d.q.ptr + 4 * r0 * x.ldq, x.ldq, d.k.ptr, x.ldk, d.v.ptr, x.ldv,
     out.ptr + 4 * r0 * x.ldo, x.ldo, d.m ? d.m.ptr + 4 * r0 * x.ldm : 0, x.ldm, d.b ? d.b + r0 * x.ldbm : 0, x.ldbm,
     o.scale, o.causal ? 1 : 0, o.offset + r0, size > 0 || entry === 'sdpa_f32_ref' ? s.ptr : 0);
  s.checkGuards(`${what} ${entry} scratch`);
  s.free();
}

/** The out rows (Ev columns of each) and a check that the gaps between rows were not written. */
function rowsOf(out: Guarded, x: Inputs, what: string): Float32Array {
  const res = new Float32Array(x.L * x.Ev), data = out.data;
  for (let i = 0; i < x.L; i++) {
    for (let j = 0; j < x.ldo; j++) {
      const vv = data[i * x.ldo + j];
      if (j < x.Ev) res[i * x.Ev + j] = vv;
      else assert.equal(vv, Math.fround(1234.5678), `${what}: wrote into the gap of row ${i}`);
    }
  }
  out.checkGuards(what);
  return res;
}

function runEntry(d: Device, entry: Entry, o: Opts, what: string): Float32Array {
  const out = new Guarded(d.rt, d.x.L * d.x.ldo);
  call(d, entry, o, out, 0, d.x.L, what);
  const res = rowsOf(out, d.x, `${what} ${entry}`);
  out.free();
  return res;
}

/** The materialised path: scores = Q·Kᵀ (gemm_f32_trans_b), P = softmax_rows_f32(scores), out = P·V (gemm_f32). */
function composed(d: Device, o: Opts): Float32Array {
  const { rt, x } = d;
  const ex = rt.exports;
  const { L, S, E, Ev } = x;
  const sc = rt.alloc(4 * L * S + 16), p = rt.alloc(4 * L * S + 16), out = rt.alloc(4 * L * Ev + 16);
  const g1 = ex.gemm_scratch_size_f32(L, S, E), g2 = ex.gemm_scratch_size_f32(L, Ev, S);
  const s = rt.alloc(4 * Math.max(1, g1, g2));
  ex.gemm_f32_trans_b(L, S, E, 0, L, 0, S, d.q.ptr, x.ldq, d.k.ptr, x.ldk, sc, S, 0, 0, s);
  ex.softmax_rows_f32(L, S, sc, S, p, S, d.m ? d.m.ptr : 0, x.ldm, d.b, x.ldbm, 0, o.scale, o.causal ? 1 : 0, o.offset);
  ex.gemm_f32(L, Ev, S, 0, L, 0, Ev, p, S, d.v.ptr, x.ldv, out, Ev, 0, 0, s);
  const res = rt.f32(out, L * Ev).slice();
  for (const ptr of [sc, p, out, s]) rt.free(ptr);
  return res;
}

function randomOpts(r: () => number, S: number): Opts {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const causal = r() < 0.4;
  return {
    scale: pick([0.125, 1 / Math.sqrt(17), 1, 0.5, -0.7, 0]),
    mask: pick(['none', 'none', 'rows', 'broadcast'] as const),
    bmask: pick(['none', 'none', 'rows', 'broadcast'] as const),
    causal,
    offset: causal ? pick([-3, 0, 5, S + 2, 1]) : 0,
  };
}

const SEQ = [1, 2, 7, 63, 64, 65, 67, 97, 128, 131];
const DIMS = [1, 3, 4, 5, 8, 17, 64, 65];

for (const variant of VARIANTS) {
  test(`${variant}: sdpa_f32 matches sdpa_f32_ref and gemm + softmax + gemm at awkward sizes, masks, causal`, async () => {
    const rt = await runtime(variant);
    const r = rng(variant === 'simd' ? 31 : 32);
    const pick = (xs: number[]) => xs[Math.floor(r() * xs.length)];
    const cases: [number, number, number, number, Opts][] = [];
    for (let t = 0; t < 60; t++) {
      const S = pick(SEQ);
      cases.push([pick(SEQ), S, pick(DIMS), pick(DIMS), randomOpts(r, S)]);
    }
    // every causal offset and mask kind at the block edges
    for (const S of [63, 64, 65, 130]) {
      for (const offset of [-3, 0, 5, S + 2]) cases.push([67, S, 17, 5, { scale: 0.25, mask: 'none', bmask: 'none', causal: true, offset }]);
      cases.push([70, S, 8, 65, { scale: 0.3, mask: 'rows', bmask: 'rows', causal: true, offset: 0 }]);
      cases.push([9, S, 64, 64, { scale: 0.125, mask: 'broadcast', bmask: 'broadcast', causal: false, offset: 0 }]);
    }
    cases.push([200, 150, 64, 64, { scale: 0.125, mask: 'none', bmask: 'none', causal: false, offset: 0 }]);
    cases.push([150, 300, 128, 32, { scale: 0.088, mask: 'none', bmask: 'none', causal: true, offset: 150 }]);
    for (const [L, S, E, Ev, o] of cases) {
      const x = makeInputs(r, L, S, E, Ev, o);
      const d = new Device(rt, x);
      const what = `${variant} L=${L} S=${S} E=${E} Ev=${Ev} ${JSON.stringify(o)}`;
      const got = runEntry(d, 'sdpa_f32', o, what);
      assertClose(got, runEntry(d, 'sdpa_f32_ref', o, what), ATOL, RTOL, `${what} vs ref`);
      assertClose(got, composed(d, o), ATOL, RTOL, `${what} vs gemm+softmax+gemm`);
      d.free();
    }
  });

  test(`${variant}: sdpa_f32 row sub-ranges give the whole call's bits`, async () => {
    const rt = await runtime(variant);
    const r = rng(41);
    const shapes: [number, number, number, number, Opts][] = [
      [131, 97, 17, 65, { scale: 0.2, mask: 'rows', bmask: 'rows', causal: true, offset: -3 }],
      [200, 130, 64, 64, { scale: 0.125, mask: 'none', bmask: 'none', causal: true, offset: 0 }],
      [150, 67, 5, 3, { scale: 0.7, mask: 'broadcast', bmask: 'none', causal: false, offset: 0 }],
      [77, 140, 64, 8, { scale: 0.125, mask: 'none', bmask: 'none', causal: true, offset: 70 }],
    ];
    for (const [L, S, E, Ev, o] of shapes) {
      const x = makeInputs(r, L, S, E, Ev, o);
      const d = new Device(rt, x);
      const what = `${variant} sub-ranges L=${L} S=${S} E=${E} Ev=${Ev}`;
      const whole = runEntry(d, 'sdpa_f32', o, what);
      for (const cuts of [[0, 1, 3, 37, 64, 65, L], [0, Math.floor(L / 2), L - 1, L], [0, 8, 72, L]]) {
        const out = new Guarded(rt, L * x.ldo);
        for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i] < cuts[i + 1]) call(d, 'sdpa_f32', o, out, cuts[i], cuts[i + 1], what);
        const parts = rowsOf(out, x, what);
        out.free();
        for (let e = 0; e < whole.length; e++) {
          if (!Object.is(whole[e], parts[e])) assert.fail(`${what} cuts ${cuts}: element ${e} is ${parts[e]} in pieces, ${whole[e]} whole`);
        }
      }
      d.free();
    }
  });

  test(`${variant}: sdpa_f32 special values: ±Inf in the mask, NaN in q, fully masked rows, no keys`, async () => {
    const rt = await runtime(variant);
    const r = rng(51);
    const L = 12, S = 70, E = 16, Ev = 9;
    for (const causal of [false, true]) {
      const o: Opts = { scale: 0.25, mask: 'rows', bmask: 'none', causal, offset: causal ? -2 : 0 };
      const x = makeInputs(r, L, S, E, Ev, o);
      const M = x.M!;
      for (let j = 0; j < S; j++) M[0 * x.ldm + j] = -Infinity;          // row 0: all -inf -> zeros
      M[2 * x.ldm + 0] = Infinity;                                        // row 2: +inf -> NaN (inf - inf)
      for (let j = 0; j < S; j += 2) M[3 * x.ldm + j] = -Infinity;        // row 3: half -inf
      M[4 * x.ldm + 66] = -Infinity;                                      // row 4: -inf in the second block
      x.Q[6 * x.ldq + 3] = NaN;                                           // row 6: NaN -> NaN row
      for (let j = 0; j < S; j++) M[7 * x.ldm + j] = j === 69 ? 0 : -Infinity;   // row 7: only the last key
      const d = new Device(rt, x);
      const what = `${variant} specials causal=${causal}`;
      const got = runEntry(d, 'sdpa_f32', o, what);
      assertClose(got, runEntry(d, 'sdpa_f32_ref', o, what), ATOL, RTOL, `${what} vs ref`);
      assertClose(got, composed(d, o), ATOL, RTOL, `${what} vs gemm+softmax+gemm`);
      for (let c = 0; c < Ev; c++) {
        assert.equal(got[0 * Ev + c], 0, `${what}: all -inf row gives zeros`);
        assert.ok(Number.isNaN(got[2 * Ev + c]), `${what}: +inf in the mask gives NaN`);
        assert.ok(Number.isNaN(got[6 * Ev + c]), `${what}: NaN in q gives NaN`);
      }
      if (causal) for (let c = 0; c < Ev; c++) assert.equal(got[1 * Ev + c], 0, `${what}: causal end 0 gives zeros`);
      d.free();
    }
    // S = 0: zeros; L = 0 / Ev = 0: nothing written
    const x = makeInputs(r, 3, 1, 4, 5, { scale: 1, mask: 'none', bmask: 'none', causal: false, offset: 0 });
    const d = new Device(rt, x);
    const out = new Guarded(rt, 3 * x.ldo);
    rt.exports.sdpa_f32(3, 0, 4, 5, d.q.ptr, x.ldq, d.k.ptr, x.ldk, d.v.ptr, x.ldv, out.ptr, x.ldo, 0, 0, 0, 0, 1, 0, 0, 0);
    assert.deepEqual([...rowsOf(out, x, 'S = 0')], new Array(15).fill(0));
    out.data.fill(1234.5678);
    rt.exports.sdpa_f32(0, 1, 4, 5, d.q.ptr, x.ldq, d.k.ptr, x.ldk, d.v.ptr, x.ldv, out.ptr, x.ldo, 0, 0, 0, 0, 1, 0, 0, 0);
    rt.exports.sdpa_f32(3, 1, 4, 0, d.q.ptr, x.ldq, d.k.ptr, x.ldk, d.v.ptr, x.ldv, out.ptr, x.ldo, 0, 0, 0, 0, 1, 0, 0, 0);
    assert.ok(out.data.every((v) => v === Math.fround(1234.5678)), 'L = 0, Ev = 0 write nothing');
    assert.equal(rt.exports.sdpa_scratch_size_f32(0, 5, 4, 4), 0);
    assert.equal(rt.exports.sdpa_scratch_size_f32(5, 0, 4, 4), 0);
    out.free(); d.free();
  });
}
