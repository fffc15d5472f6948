// rt.ops.softmax (bindings/api/softmax.ts): results against the float64 softmax of tests/reference (float and boolean
// masks, causal, d2l valid lengths, Tensor operands in place, out), nothing left allocated; argument errors that
// name the argument, what was expected and what was received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax } from '../../bindings/api/softmax.ts';
import { VARIANTS, runtime, rng, uniform, assertClose } from '../support/util.ts';
import { softmaxRows } from '../reference/index.ts';

const ATOL = 4e-7, RTOL = 9.6e-7;

/** The scores the op forms in float32 (x·scale, + a float mask of rows·cols or cols elements, -inf where a boolean mask
 *  is set or causal cuts), for the float64 softmax of tests/reference (safe: an all -inf row gives zeros). */
function expected(x: Float32Array, rows: number, cols: number,
                  o: { scale?: number; mask?: Float32Array; bmask?: Uint8Array; causal?: boolean } = {}): Float64Array {
  const s = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let v = Math.fround(x[i * cols + j] * (o.scale ?? 1));
      if (o.mask) v = Math.fround(v + o.mask[o.mask.length === cols ? j : i * cols + j]);
      if (o.bmask?.[i * cols + j] || (o.causal && j > i)) v = -Infinity;
      s[i * cols + j] = v;
    }
  }
  return softmaxRows(s, rows, cols, true);
}

for (const variant of VARIANTS) {
  test(`${variant}: softmax op gives reference results for every mask kind, in place and into out, without leaking`, async () => {
    const rt = await runtime(variant);
    const r = rng(4);
    const before = rt.memoryStats().bytesInUse;
    const x = uniform(r, 4 * 8, -3, 3);
    assertClose(softmax(rt, x, { rows: 4, cols: 8 }) as Float32Array, expected(x, 4, 8), ATOL, RTOL, 'softmax');
    const fm = uniform(r, 8, -1, 1);
    assertClose(softmax(rt, x, { rows: 4, cols: 8, mask: fm, scale: 0.5 }) as Float32Array,
                expected(x, 4, 8, { mask: fm, scale: 0.5 }), ATOL, RTOL, 'softmax broadcast float mask');
    const bm = Uint8Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    assertClose(softmax(rt, x, { rows: 4, cols: 8, mask: bm, causal: true }) as Float32Array,
                expected(x, 4, 8, { bmask: bm, causal: true }), ATOL, RTOL, 'softmax bool mask + causal');
    const bm1 = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(softmax(rt, x, { rows: 4, cols: 8, mask: bm1 }) as Float32Array), new Array(32).fill(0), 'fully masked -> zeros');
    // d2l: X = zeros(2,2,4), valid_lens [2,3] (repeated per query row)
    const d2l = softmax(rt, new Float32Array(16), { rows: 4, cols: 4, validLens: [2, 2, 3, 3] }) as Float32Array;
    assertClose(d2l, [0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 1 / 3, 1 / 3, 1 / 3, 0], 1e-7, 0, 'd2l masked_softmax');
    assertClose(softmax(rt, x.slice(0, 8), { rows: 1, cols: 8, validLens: Int32Array.of(0) }) as Float32Array, new Array(8).fill(1 / 8), 1e-7, 0, 'len 0 uniform');
    // Tensor operands: zero copy, in place
    const t = rt.tensor(x, [4, 8]);
    const res = softmax(rt, t, { rows: 4, cols: 8, out: t });
    assert.equal(res, t);
    assertClose(t.data, expected(x, 4, 8), ATOL, RTOL, 'softmax in place on a Tensor');
    t.dispose();
    const out = new Float32Array(32);
    assert.equal(softmax(rt, x, { rows: 4, cols: 8, out }), out);
    assert.equal(rt.memoryStats().bytesInUse, before, 'softmax frees its scratch');
  });

  test(`${variant}: softmax op rejects bad arguments with messages naming argument, expected and received`, async () => {
    const rt = await runtime(variant);
    const x = new Float32Array(30);
    assert.throws(() => softmax(rt, x, { rows: 4, cols: 8 }), /^RangeError: softmax: x must have rows\*cols = 4\*8 = 32 elements, got 30$/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, mask: new Float32Array(5) }),
                  /softmax: mask must have rows\*cols = 4\*8 = 32 elements \(or cols = 8 to broadcast\), got 5/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, mask: [1, 2] as never }), /softmax: mask must be a Float32Array or Tensor \(added\) or a Uint8Array \(boolean\), got an Array of length 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, validLens: [1, 2] }), /softmax: validLens must have rows = 4 elements, got 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, validLens: [1, 2, -1, 3] }), /softmax: validLens\[2\] must be a non-negative integer, got number -1/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, scale: NaN }), /softmax: scale must be a finite number, got number NaN/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, causal: 1 as never }), /softmax: causal must be a boolean, got number 1/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, dim: -1 } as never), /softmax: unknown option "dim" \(expected one of: rows, cols, scale, mask, causal, validLens, out\)/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 0, cols: 8 }), /softmax: rows must be a positive integer, got number 0/);
    assert.throws(() => softmax(rt, new Float32Array(32), undefined as never), /softmax: options \{ rows, cols \} are required/);
    assert.throws(() => softmax(rt, [1, 2] as never, { rows: 1, cols: 2 }), /softmax: x must be a Float32Array or a Tensor, got an Array of length 2/);
    assert.throws(() => softmax(rt, new Float32Array(32), { rows: 4, cols: 8, out: new Float32Array(31) }), /softmax: out must have rows\*cols = 4\*8 = 32 elements, got 31/);
    const big = rt.tensor(new Float32Array(40), [40]);
    const part = rt.empty([32]);
    assert.throws(() => softmax(rt, big, { rows: 4, cols: 8, out: part }), /softmax: x must have rows\*cols = 4\*8 = 32 elements, got 40/);
    big.dispose(); part.dispose();
    const t = rt.tensor(new Float32Array(8), [8]);
    const view = rt.empty([8]);
    assert.throws(() => softmax(rt, t, { rows: 1, cols: 4, out: t }), /softmax: x must have rows\*cols = 1\*4 = 4 elements, got 8/);
    t.dispose(); view.dispose();
  });
}
