// softmax_rows_f32 (assembly/softmax/) through BOTH builds against its scalar reference softmax_rows_f32_ref (float64
// exp and sum, rounded once): every mask kind (float per row or broadcast, boolean, causal with offsets, d2l lens)
// alone and together, ld > cols with the gap between rows untouched, special values, in place; guard floats intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Runtime } from '../../bindings/index.ts';
import { GUARD, VARIANTS, runtime, rng, uniform, Guarded, assertClose } from '../support/util.ts';

const SIZES = [1, 3, 4, 5, 7, 13, 67, 131, 1024, 2048];
const ATOL = 4e-7, RTOL = 9.6e-7;

interface Masks { scale?: number; mask?: Float32Array; ldm?: number; bmask?: Uint8Array; causal?: boolean; offset?: number; lens?: Int32Array }

/** Runs `kernel` (softmax_rows_f32 or its reference) on x [rows, ld] into y with the masks copied into wasm memory. */
function run(rt: Runtime, kernel: 'softmax_rows_f32' | 'softmax_rows_f32_ref', rows: number, cols: number, ld: number,
             x: number, y: number, o: Masks): void {
  const held: number[] = [];
  const put = (bytes: number, fill: (p: number) => void) => { const p = rt.alloc(bytes); held.push(p); fill(p); return p; };
  const m = o.mask ? put(o.mask.length * 4, (p) => rt.f32(p, o.mask!.length).set(o.mask!)) : 0;
  const b = o.bmask ? put(o.bmask.length, (p) => new Uint8Array(rt.memory.buffer, p, o.bmask!.length).set(o.bmask!)) : 0;
  const l = o.lens ? put(rows * 4, (p) => new Int32Array(rt.memory.buffer, p, rows).set(o.lens!)) : 0;
  rt.exports[kernel](rows, cols, x, ld, y, ld, m, o.ldm ?? cols, b, cols, l, o.scale ?? 1, o.causal ? 1 : 0, o.offset ?? 0);
  for (const p of held) rt.free(p);
}

for (const variant of VARIANTS) {
  const rtP = runtime(variant);

  test(`${variant}: softmax_rows_f32 with every mask kind, causal offsets, lens, ld > cols`, async () => {
    const rt = await rtP;
    const r = rng(2);
    for (const cols of SIZES) {
      const rows = 5, ld = cols + 3;
      const cases: Masks[] = [
        {}, { scale: 0.125 }, { scale: -3 },
        { mask: uniform(r, rows * cols, -4, 4) }, { mask: uniform(r, cols, -4, 4), ldm: 0 },
        { bmask: Uint8Array.from({ length: rows * cols }, () => (r() < 0.3 ? 1 : 0)) },
        { causal: true }, { causal: true, offset: 2 }, { causal: true, offset: -2 }, { causal: true, offset: -10 },
        { lens: Int32Array.from([0, 1, cols - 1, cols, cols + 5]) },
        { scale: 0.5, mask: uniform(r, rows * cols, -2, 2), bmask: Uint8Array.from({ length: rows * cols }, (_, i) => i % 5 === 0 ? 1 : 0),
          causal: true, offset: 1, lens: Int32Array.from([3, 0, 7, 2, 100]) },
      ];
      for (const o of cases) {
        const x = new Guarded(rt, rows * ld, uniform(r, rows * ld, -8, 8)), y = new Guarded(rt, rows * ld), want = new Guarded(rt, rows * ld);
        run(rt, 'softmax_rows_f32_ref', rows, cols, ld, x.ptr, want.ptr, o);
        run(rt, 'softmax_rows_f32', rows, cols, ld, x.ptr, y.ptr, o);
        const got = new Float32Array(rows * cols), ref = new Float32Array(rows * cols);
        const yd = y.data, wd = want.data;
        for (let i = 0; i < rows; i++) {
          got.set(yd.subarray(i * ld, i * ld + cols), i * cols);
          ref.set(wd.subarray(i * ld, i * ld + cols), i * cols);
          for (let j = cols; j < ld; j++) assert.equal(yd[i * ld + j], Math.fround(GUARD), `guard between rows, cols=${cols}`);
        }
        assertClose(got, ref, ATOL, RTOL, `${variant} softmax cols=${cols} ${JSON.stringify(Object.keys(o))}`);
        y.checkGuards(`softmax cols=${cols}`);
        x.free(); y.free(); want.free();
      }
    }
  });

  test(`${variant}: softmax special values (all -inf -> zeros, NaN propagates, +-100, +-0)`, async () => {
    const rt = await rtP;
    const rowsData = [
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [1, 2, NaN, 3, 4],
      [0, -Infinity, 1, -Infinity, 2],
      [100, -100, 100, -100, 100],
      [0, -0, 0, -0, 0],
    ];
    const x = new Guarded(rt, 25, rowsData.flat()), y = new Guarded(rt, 25), want = new Guarded(rt, 25);
    run(rt, 'softmax_rows_f32_ref', 5, 5, 5, x.ptr, want.ptr, {});
    run(rt, 'softmax_rows_f32', 5, 5, 5, x.ptr, y.ptr, {});
    assertClose(y.data, want.data, ATOL, RTOL, `${variant} softmax specials`);
    assert.deepEqual(Array.from(y.data.slice(0, 5)), [0, 0, 0, 0, 0]);
    assert.ok(y.data.slice(5, 10).every(Number.isNaN), 'a NaN score makes its row NaN');
    y.checkGuards('softmax specials');
    x.free(); y.free(); want.free();
  });

  test(`${variant}: softmax in place keeps NaN rows NaN and zeros all -inf rows, with and without causal`, async () => {
    const rt = await rtP;
    const cols = 9;
    const rowsData = [new Array(cols).fill(NaN), new Array(cols).fill(-Infinity), [NaN, 1, 2, 3, 4, 5, 6, 7, 8]];
    for (const causal of [false, true]) {
      const x = new Guarded(rt, 3 * cols, rowsData.flat());
      run(rt, 'softmax_rows_f32', 3, cols, cols, x.ptr, x.ptr, { causal, offset: cols }); // offset: nothing cut
      const y = x.data;
      for (let j = 0; j < cols; j++) {
        assert.ok(Number.isNaN(y[j]), `causal=${causal}: all-NaN row in place must stay NaN at ${j}, got ${y[j]}`);
        assert.equal(y[cols + j], 0, `causal=${causal}: all -inf row gives zeros at ${j}`);
        assert.ok(Number.isNaN(y[2 * cols + j]), `causal=${causal}: a NaN score makes its row NaN at ${j}, got ${y[2 * cols + j]}`);
      }
      x.checkGuards('softmax in place');
      x.free();
    }
  });
}
