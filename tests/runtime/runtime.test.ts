import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Tensor, relaxedSimdSupported } from '../../bindings/index.ts';
import { Allocator } from '../../bindings/runtime/allocator.ts';
import { rng } from '../support/util.ts';

test('init picks relaxed when the engine accepts it, and can be forced', async () => {
  const auto = await init();
  assert.equal(auto.variant, relaxedSimdSupported() ? 'relaxed' : 'simd');
  assert.equal((await init({ variant: 'simd' })).variant, 'simd');
  assert.equal((await init({ variant: 'relaxed' })).variant, 'relaxed'); // the tests run Node with the relaxed flag
});

test('init accepts bytes, a Module and per-variant sources, and reports the variant of what it got', async () => {
  const fs = await import('node:fs/promises');
  const bytes = await fs.readFile(new URL('../../build/simd.wasm', import.meta.url));
  assert.equal((await init({ wasm: bytes })).variant, 'simd');
  const mod = await WebAssembly.compile(await fs.readFile(new URL('../../build/relaxed.wasm', import.meta.url)));
  assert.equal((await init({ wasm: mod })).variant, 'relaxed');
  assert.equal((await init({ variant: 'simd', wasm: { simd: bytes } })).variant, 'simd');
  assert.equal((await init({ wasm: new URL('../../build/simd.wasm', import.meta.url) })).variant, 'simd');
});

test('init rejects bad options clearly', async () => {
  await assert.rejects(init({ variant: 'fast' as never }), /init: variant must be 'auto', 'relaxed' or 'simd', got string fast/);
  await assert.rejects(init({ wasmUrl: 'x' } as never), /init: unknown option "wasmUrl"/);
  await assert.rejects(init({ wasm: 42 as never }), /init: wasm must be bytes/);
  await assert.rejects(init({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }), /^TypeError: init: wasm is not a valid WebAssembly module/);
  // a valid module that is not ours
  await assert.rejects(init({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }), /^TypeError: init: wasm is not a wasm-attention build/);
});

test('tensor copies data in, exposes a live view, and dies on dispose', async () => {
  const rt = await init();
  const before = rt.memoryStats();
  const t = rt.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.ok(t instanceof Tensor);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.size, 6);
  assert.equal(t.ptr % 16, 0);
  assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
  t.data[0] = 9;
  assert.equal(t.toArray()[0], 9);
  t.dispose();
  t.dispose(); // idempotent
  assert.ok(t.disposed);
  assert.throws(() => t.data, /Tensor\.data: tensor used after dispose\(\) \(shape \[2, 3\]\)/);
  assert.deepEqual(rt.memoryStats(), before);
  assert.throws(() => rt.tensor([1, 2, 3], [2, 2]), /tensor: data has 3 elements but shape \[2, 2\] needs 4/);
  assert.throws(() => rt.tensor([1], [1.5]), /tensor: shape \[1.5\] must hold non-negative integers/);
  assert.throws(() => rt.tensor('abc' as never, [3]), /tensor: data must be a Float32Array/);
  assert.deepEqual(Array.from(rt.zeros([3]).data), [0, 0, 0]);
});

test('views stay correct after the memory grows', async () => {
  const rt = await init();
  const t = rt.tensor([7, 8], [2]);
  const size0 = rt.memoryStats().memoryBytes;
  const big = rt.empty([4 * 1024 * 1024]); // 16 MiB forces growth
  assert.ok(rt.memoryStats().memoryBytes > size0);
  assert.deepEqual(Array.from(t.data), [7, 8]);
  big.dispose();
  t.dispose();
});

test('allocator: aligned, spare bytes, no overlap, reuse without growth, full coalescing', () => {
  const mem = new WebAssembly.Memory({ initial: 1 });
  const a = new Allocator(mem, 1000);
  const r = rng(7);
  const live = new Map<number, number>();
  for (let step = 0; step < 5000; step++) {
    if (live.size && r() < 0.45) {
      const keys = [...live.keys()];
      const p = keys[Math.floor(r() * keys.length)];
      a.free(p);
      live.delete(p);
    } else {
      const bytes = Math.floor(r() * 3000);
      const p = a.alloc(bytes);
      assert.equal(p % 16, 0);
      assert.ok(p >= 1000);
      for (const [q, n] of live) assert.ok(p + bytes + 16 <= q || q + n + 16 <= p, `block ${p}+${bytes} overlaps ${q}+${n}`);
      live.set(p, bytes);
    }
  }
  for (const p of live.keys()) a.free(p);
  assert.equal(a.bytesInUse, 0);
  assert.equal(a.liveBlocks, 0);
  const grown = mem.buffer.byteLength;
  for (let i = 0; i < 1000; i++) a.free(a.alloc(grown / 2)); // everything merged back: fits again, no growth
  assert.equal(mem.buffer.byteLength, grown);
  assert.throws(() => a.free(12345), /free: 12345 is not a live block/);
});
