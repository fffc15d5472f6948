// Symbol.dispose (`using`) on Tensor, Attention, MultiHead, Transformer, KVCache, TransformerCache and Runtime;
// Runtime.dispose(); the Symbol.for('Symbol.dispose') fallback for engines without Symbol.dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { init, Attention, MultiHead, Transformer, KVCache, TransformerCache, Runtime, Tensor } from '../../bindings/index.ts';
import { DISPOSE } from '../../bindings/runtime/dispose.ts';
import { rng, uniform } from '../support/util.ts';
import { randomParams, expectError } from '../support/module_helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const shapesOf = (m: { parameterShapes(): { name: string; shape: readonly number[] }[] }) =>
  Object.fromEntries(m.parameterShapes().map((p) => [p.name, p.shape]));

test('every disposable class has [Symbol.dispose]() (Node 20 has Symbol.dispose)', () => {
  assert.equal(typeof Symbol.dispose, 'symbol');
  assert.equal(DISPOSE, Symbol.dispose);
  for (const C of [Tensor, Attention, MultiHead, Transformer, KVCache, TransformerCache, Runtime]) {
    assert.equal(typeof (C.prototype as unknown as Disposable)[Symbol.dispose], 'function', `${C.name}.prototype[Symbol.dispose]`);
  }
});

test('`using` disposes tensors, modules and caches at the end of the scope; memory returns to where it was', async () => {
  const rt = await init({ variant: 'simd' });
  const r = rng(1);
  const before = rt.memoryStats();
  let t: Tensor, mha: MultiHead, enc: Transformer, att: Attention, kv: KVCache, tc: TransformerCache, out: Tensor;
  {
    using x = rt.tensor(uniform(r, 2 * 8), [2, 8]);
    using m = new MultiHead(rt, { embedDim: 8, numHeads: 2 }).loadStateDict(randomParams(r, shapesOf(new MultiHead(rt, { embedDim: 8, numHeads: 2 }))));
    using e = new Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 12 });
    e.loadStateDict(randomParams(r, shapesOf(e)));
    using a = new Attention(rt, { score: 'dot' });
    using c = m.createCache({ batch: 1, maxLength: 4 });
    using cc = e.createCache({ batch: 1, maxLength: 4 });
    out = e.forward(x, { cache: cc, isCausal: true });
    m.forward(x, x, x, { cache: c });
    a.forward({ data: uniform(r, 6), shape: [1, 2, 3] }, { data: uniform(r, 6), shape: [1, 2, 3] }, { data: uniform(r, 4), shape: [1, 2, 2] });
    [t, mha, enc, att, kv, tc] = [x, m, e, a, c, cc];
    assert.equal(out.disposed, false);
  }
  assert.equal(t.disposed, true, 'tensor disposed');
  assert.equal(kv.disposed, true, 'KVCache disposed');
  assert.equal(tc.disposed, true, 'TransformerCache disposed');
  assert.equal(out.disposed, true, "the Transformer's output died with it");
  expectError(() => mha.forward(t, t, t), [/MultiHead\.forward/, /dispose/], 'MultiHead disposed');
  expectError(() => enc.forward({ data: new Float32Array(8), shape: [1, 8] }), [/Transformer\.forward/, /dispose/], 'Transformer disposed');
  expectError(() => att.forward({ data: new Float32Array(6), shape: [1, 2, 3] }, { data: new Float32Array(6), shape: [1, 2, 3] }, { data: new Float32Array(4), shape: [1, 2, 2] }),
    [/Attention\.forward/, /dispose/], 'Attention disposed');
  const after = rt.memoryStats();
  assert.equal(after.liveBlocks, before.liveBlocks, 'no live blocks left');
  assert.equal(after.bytesInUse, before.bytesInUse, 'bytesInUse back');
  // disposing again (explicitly or through the symbol) is a no-op
  t.dispose(); t[Symbol.dispose](); mha[Symbol.dispose](); kv[Symbol.dispose](); tc.dispose();
  rt.dispose();
});

test('`using` disposes on a throw too, and types: every class is assignable to Disposable', async () => {
  const rt = await init({ variant: 'simd' });
  let t: Tensor | null = null;
  assert.throws(() => {
    using x = rt.tensor([1, 2, 3], [3]);
    t = x;
    throw new Error('boom');
  }, /boom/);
  assert.equal(t!.disposed, true);
  const ds: Disposable[] = [rt.tensor([1], [1]), new MultiHead(rt, { embedDim: 4, numHeads: 1 }), new Attention(rt, { score: 'dot' }),
    new Transformer(rt, { dModel: 4, nhead: 1, dimFeedforward: 4 }), rt];
  for (const d of ds) d[Symbol.dispose]();
  assert.equal(rt.disposed, true);
});

test('Runtime.dispose(): frees its tensors, refuses every later call, leaves dispose() of the rest allowed', async () => {
  const r = rng(2);
  let rt2: Runtime;
  let t: Tensor, mha: MultiHead, cache: KVCache;
  const x = { data: uniform(r, 3 * 8), shape: [3, 8] };
  {
    using rt = await init({ variant: 'simd' });
    rt2 = rt;
    t = rt.tensor(uniform(r, 4), [2, 2]);
    rt.empty([3]); rt.zeros([5]);        // never disposed by the caller: rt.dispose() frees them
    const gone = rt.tensor([1], [1]);
    gone.dispose();                      // disposed before: untouched by rt.dispose()
    mha = new MultiHead(rt, { embedDim: 8, numHeads: 2 });
    mha.loadStateDict(randomParams(r, shapesOf(mha)));
    mha.forward(x, x, x);
    cache = mha.createCache({ batch: 1, maxLength: 4 });
    assert.equal(rt.disposed, false);
  }
  const rt = rt2!;
  assert.equal(rt.disposed, true);
  assert.equal(t.disposed, true);
  expectError(() => t.data, [/Tensor\.data/, /runtime's dispose\(\)/], 'tensor of a disposed runtime');
  assert.equal(rt.memoryStats().liveBlocks > 0, true, 'modules keep their blocks until they are disposed or collected');
  expectError(() => rt.tensor([1], [1]), [/^tensor: runtime used after dispose\(\)/], 'rt.tensor');
  expectError(() => rt.empty([1]), [/^empty: runtime used after dispose\(\)/], 'rt.empty');
  expectError(() => rt.zeros([1]), [/^zeros: runtime used after dispose\(\)/], 'rt.zeros');
  expectError(() => rt.ops.relu(new Float32Array(4)), [/^relu: runtime used after dispose\(\)/], 'rt.ops.relu');
  expectError(() => rt.ops.matmul(new Float32Array(1), new Float32Array(1), { m: 1, k: 1, n: 1 }), [/^matmul: runtime used after dispose/], 'rt.ops.matmul');
  expectError(() => mha.forward(x, x, x), [/^MultiHead\.forward: runtime used after dispose\(\)/], 'module forward');
  expectError(() => mha.loadStateDict(randomParams(r, shapesOf(mha))), [/^MultiHead\.loadStateDict: runtime used after dispose\(\)/], 'module load');
  expectError(() => mha.createCache({ batch: 1, maxLength: 2 }), [/MultiHead\.createCache: runtime used after dispose\(\)/], 'createCache');
  expectError(() => mha.forward(x, x, x, { cache, needWeights: false }), [/runtime used after dispose\(\)/], 'forward with a cache');
  expectError(() => new MultiHead(rt, { embedDim: 8, numHeads: 2 }), [/^MultiHead: rt was disposed/], 'new module');
  expectError(() => new Transformer(rt, { dModel: 8, nhead: 2 }), [/^Transformer: rt was disposed/], 'new Transformer');
  expectError(() => new Attention(rt, { score: 'dot' }), [/^Attention: rt was disposed/], 'new Attention');
  cache.dispose();
  mha.dispose();
  rt.dispose();                                   // idempotent
  rt[Symbol.dispose]();
  assert.equal(rt.memoryStats().liveBlocks, 0, 'everything freed once the modules are disposed too');
  // other runtimes are unaffected
  const other = await init({ variant: 'simd' });
  assert.deepEqual(Array.from(other.tensor([1, 2], [2]).data), [1, 2]);
});

test('a fresh realm: the method is keyed Symbol.dispose where the engine has it, else Symbol.for("Symbol.dispose"), which lowered `using` finds', () => {
  // A fresh realm of this V8 (Node 20 polyfills Symbol.dispose only in the main realm) has no Symbol.dispose.
  const entry = [
    "export { Runtime } from './bindings/runtime/runtime.ts';",
    "export { Tensor as T } from './bindings/runtime/tensor.ts';",
    "export { Attention } from './bindings/nn/attention.ts';",
    "export { MultiHead } from './bindings/nn/multihead.ts';",
    "export { Transformer } from './bindings/nn/transformer.ts';",
    "export { KVCache, TransformerCache } from './bindings/nn/cache.ts';",
    "import { Tensor } from './bindings/runtime/tensor.ts';",
    'export function usingTensor() {',
    '  let seen;',
    '  { using t = new Tensor({ memory: { buffer: new ArrayBuffer(16) }, free() {} }, 0, [2]); seen = t; }',
    '  return seen.disposed;',
    '}',
  ].join('\n');
  const out = buildSync({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' }, bundle: true, format: 'iife', globalName: 'lib',
    write: false, platform: 'neutral', target: 'es2022', logLevel: 'silent', define: { 'import.meta.url': '"file:///pkg/dist/index.js"' },
  });
  const ctx = vm.createContext({});
  vm.runInContext(out.outputFiles[0].text, ctx);
  // Node 20's realms have no Symbol.dispose (the fallback key is tested); Node >= 24 has it natively (and it cannot
  // be deleted), so there the methods must sit under the native symbol
  const native = vm.runInContext('typeof Symbol.dispose', ctx) === 'symbol';
  const key = native ? 'Symbol.dispose' : "Symbol.for('Symbol.dispose')";
  const kinds = vm.runInContext(
    `['T', 'Runtime', 'Attention', 'MultiHead', 'Transformer', 'KVCache', 'TransformerCache'].map((n) => typeof lib[n].prototype[${key}])`, ctx);
  assert.deepEqual([...kinds], Array(7).fill('function'));
  assert.equal(vm.runInContext('lib.usingTensor()', ctx), true, `\`using\` lowered by esbuild disposes through ${key}`);
});
