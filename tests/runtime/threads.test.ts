// init({ threads }): the worker pool on one shared memory. Results must be bit-identical for every thread count
// (every split is over outputs), the pool must really run work (worker task counts), errors inside a worker must
// surface as an Error from the call and leave the runtime usable, and an idle or disposed pool must not keep the
// process alive. Browser pages and Deno: tests/package/threads_browser.test.ts, tests/package/deno_threads.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as lib from '../../bindings/index.ts';
import { init, MultiHead, type Runtime } from '../../bindings/index.ts';
import { diffThreadsResults, runThreadsChecks, type ThreadsJobs, type ThreadsLib, type ThreadsResults } from '../support/threads_fixtures.ts';
import { fixed, fixedStateDict } from '../support/runtime_fixtures.ts';
import { makeCase, runCase } from '../support/fuzz_cases.ts';
import { SPLIT_MIN } from '../../bindings/ops/parallel.ts';

const L = lib as unknown as ThreadsLib;
const run = (rt: Runtime, jobs?: ThreadsJobs): ThreadsResults => runThreadsChecks(L, rt as never, jobs);
const build = (name: string) => readFileSync(new URL(`../../build/${name}.wasm`, import.meta.url));

for (const variant of ['simd', 'relaxed'] as const) {
  test(`${variant}: every split path gives the same bits on 1, 2, 3 and 4 threads, and the workers did run tasks`, async () => {
    const one = await init({ variant, threads: 1 });
    assert.deepEqual(one.threads, { count: 1, requested: 1, reason: null });
    assert.equal(one.pool, null);
    assert.ok(!(one.memory.buffer instanceof SharedArrayBuffer), 'threads: 1 runs the single-thread build');
    const want = run(one);
    assert.ok(Object.keys(want).length >= 25);
    for (const n of [2, 3, 4]) {
      const rt = await init({ variant, threads: n });
      assert.deepEqual(rt.threads, { count: n, requested: n, reason: null });
      assert.ok(rt.memory.buffer instanceof SharedArrayBuffer);
      const jobs: ThreadsJobs = {};
      const got = run(rt, jobs);
      assert.deepEqual(diffThreadsResults(want, got), [], `${n} threads: outputs with other bits`);
      // every output came from at least one split call (else the comparison proves nothing for it)
      assert.deepEqual(Object.entries(jobs).filter(([, j]) => j === 0).map(([k]) => k), [], `${n} threads: outputs computed without the pool`);
      const st = rt.pool!.stats();
      assert.ok(st.workerTasks > 0, `${n} threads: the workers ran ${st.workerTasks} tasks`);
      // a second run on the same runtime (reused workspaces, warm workers) gives the same bits again
      assert.deepEqual(diffThreadsResults(want, run(rt)), []);
      rt.dispose();
    }
  });
}

test('the tfjs adapter on a threaded runtime: same bits as on one thread (batched, transposed, fused bias + relu)', async () => {
  await import('@tensorflow/tfjs-backend-cpu');
  const { tfPeer } = await import('../../bench/peers/peers.ts');
  const { installTfjsKernels } = await import('../../bindings/adapters/tfjs.ts');
  const { tf } = await tfPeer();
  if (tf.getBackend() !== 'cpu') assert.ok(await tf.setBackend('cpu'));
  const a = tf.tensor3d(fixed(3 * 70 * 90, 1), [3, 70, 90]), b = tf.tensor3d(fixed(3 * 110 * 90, 2), [3, 110, 90]);
  const bias = tf.tensor1d(fixed(110, 3));
  const results: number[][] = [];
  for (const threads of [1, 2]) {
    const rt = await init({ threads });
    const inst = await installTfjsKernels(tf as never, { backends: ['cpu'], runtime: rt });
    try {
      const before = rt.pool?.stats().jobs ?? 0;
      const y = tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' });
      results.push(Array.from(new Uint32Array((await y.data() as Float32Array).slice().buffer)));
      y.dispose();
      if (threads > 1) assert.ok(rt.pool!.stats().jobs > before, 'the product ran on the pool');
    } finally {
      inst.uninstall();
      rt.dispose();
    }
  }
  assert.deepEqual(results[1], results[0]);
  a.dispose(); b.dispose(); bias.dispose();
});

test('a job larger than the shared buffers runs in rounds, multi-call tasks included, with the single-thread bits', async () => {
  const rt = await init({ threads: 2 }), one = await init({ threads: 1 });
  // 700 tasks of 40 relu calls each (about 168,000 slots, 2.6 rounds of the job buffer): every task moves whole
  const n = 700 * 40 * 16, x = rt.alloc(n * 4), y = rt.alloc(n * 4);
  rt.f32(x, n).set(fixed(n, 7, 3));
  const jobsBefore = rt.pool!.stats().jobs;
  const job = rt.pool!.job(0, 'roundsTest');
  for (let t = 0; t < 700; t++) {
    job.task();
    for (let c = 0; c < 40; c++) job.call('relu_f32', [16, x + 4 * 16 * (t * 40 + c), y + 4 * 16 * (t * 40 + c)]);
  }
  job.run();
  assert.ok(rt.pool!.stats().jobs - jobsBefore >= 3, 'ran in several rounds');
  assert.deepEqual(rt.f32(y, n), rt.f32(x, n).map((v) => Math.max(v, 0)));
  // a module job of that kind: attention weights averaged over heads, a task per batch item holding every head
  const sd = fixedStateDict(new MultiHead(one, { embedDim: 16, numHeads: 4 }), 9);
  const q = { data: fixed(8 * 700 * 16, 4), shape: [8, 700, 16] };
  const outs = [rt, one].map((r) => {
    const m = new MultiHead(r, { embedDim: 16, numHeads: 4 });
    m.loadStateDict(sd);
    const res = m.forward(q, q, q);
    return [res.output.toArray(), res.weights!.toArray()];
  });
  assert.deepEqual(outs[0], outs[1]);
  rt.dispose();
});

test('fuzz cases on 3 threads with every call split however small: within the float64 references\' tolerances', async () => {
  const saved = { ...SPLIT_MIN };
  Object.assign(SPLIT_MIN, { gemmMacs: 0, rowElements: 0, mathElements: 0, cheapElements: 0 });
  try {
    for (const variant of ['simd', 'relaxed'] as const) {
      const rt = await init({ variant, threads: 3 });
      const before = rt.pool!.stats().jobs;
      for (let i = 0; i < 400; i++) runCase(rt, makeCase(2026, i));   // throws a FuzzFailure naming the case
      assert.ok(rt.pool!.stats().jobs - before > 400, 'the cases ran on the pool');
      rt.dispose();
    }
  } finally {
    Object.assign(SPLIT_MIN, saved);
  }
});

test('threads: option checks name the call and the value', async () => {
  for (const bad of [0, -1, 1.5, 257, '2', 'all', null, NaN]) {
    await assert.rejects(init({ threads: bad as never }), /^RangeError: init: threads must be an integer from 1 to 256 or 'auto', got /, String(bad));
  }
  const auto = await init({ threads: 'auto' });
  assert.ok(auto.threads.requested >= 1 && auto.threads.requested <= 4, `auto asks ${auto.threads.requested}`);
  assert.equal(auto.threads.count, auto.threads.requested, auto.threads.reason ?? '');
  auto.dispose();
});

test('threads with init({ wasm }): a single-thread build runs on one thread and says why; a threads build runs the pool', async () => {
  const single = await init({ threads: 2, variant: 'simd', wasm: build('simd') });
  assert.equal(single.threads.count, 1);
  assert.equal(single.threads.requested, 2);
  assert.match(single.threads.reason ?? '', /without shared memory/);
  const perVariant = await init({ threads: 2, variant: 'simd', wasm: { simd: build('simd') } });
  assert.equal(perVariant.threads.count, 1);
  assert.match(perVariant.threads.reason ?? '', /no 'simd-threads' build/);
  const shared = await init({ threads: 2, variant: 'simd', wasm: { 'simd-threads': build('simd-threads') } });
  assert.equal(shared.threads.count, 2, shared.threads.reason ?? '');
  const one = await init({ threads: 1, variant: 'simd' });
  assert.deepEqual(diffThreadsResults(run(one), run(shared)), []);
  // a threads build with threads: 1 runs on its shared memory without workers
  const sharedOne = await init({ threads: 1, variant: 'simd', wasm: build('simd-threads') });
  assert.equal(sharedOne.pool, null);
  assert.ok(sharedOne.memory.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(diffThreadsResults(run(one), run(sharedOne)), []);
  shared.dispose();
});

test('an engine that cannot reserve 4 GiB of shared memory: a smaller maximum, or one thread with the reason', async () => {
  const Real = WebAssembly.Memory;
  const refuse = (above: number) => {
    const Fake = function (d: WebAssembly.MemoryDescriptor & { shared?: boolean }) {
      if (d.shared && (d.maximum ?? 0) > above) throw new RangeError(`cannot reserve ${d.maximum} pages`);
      return new Real(d);
    };
    Fake.prototype = Real.prototype;   // instanceof WebAssembly.Memory still holds
    (WebAssembly as { Memory: unknown }).Memory = Fake;
  };
  try {
    refuse(4096);   // 256 MiB at most
    const small = await init({ threads: 2 });
    assert.equal(small.threads.count, 2, small.threads.reason ?? '');
    const one = await init({ threads: 1 });
    assert.deepEqual(diffThreadsResults(run(one), run(small)), []);
    // growth stops at the reserved maximum with the usual out-of-memory error, and the runtime keeps working
    assert.throws(() => small.empty([80 << 20]), /^RangeError: empty: out of memory: .*refused to grow/);
    assert.deepEqual(diffThreadsResults(run(one), run(small)), []);
    small.dispose();
    refuse(0);      // no shared memory at all
    const none = await init({ threads: 2 });
    assert.deepEqual([none.threads.count, none.threads.requested], [1, 2]);
    assert.match(none.threads.reason ?? '', /could not create the shared memory of the \w+-threads build: cannot reserve 4096 pages/);
    assert.ok(!(none.memory.buffer instanceof SharedArrayBuffer), 'the single-thread build runs');
    assert.deepEqual(diffThreadsResults(run(one), run(none)), []);
  } finally {
    (WebAssembly as { Memory: unknown }).Memory = Real;
  }
});

test('an error inside a worker is an Error from the call; the runtime stays usable and correct', async () => {
  const rt = await init({ threads: 2 });
  const pool = rt.pool!;
  const y = rt.alloc(64 * 4);
  // relu over a pointer past the end of memory: a wasm trap, run by the worker (the caller takes no task)
  pool.callerSkipsNextJob = true;
  const job = pool.job();
  job.task().call('relu_f32', [16, rt.memory.buffer.byteLength + 4096, y]);
  assert.throws(() => job.run('threadsTest'), /^Error: threadsTest: worker 1 failed: .*(out of bounds|outside)/i);
  // the same trap on the calling thread is rethrown as is
  const job2 = pool.job();
  for (let i = 0; i < 4; i++) job2.task().call('relu_f32', [16, rt.memory.buffer.byteLength + 4096, y]);
  assert.throws(() => job2.run('threadsTest'), /RuntimeError|failed/);
  // a fault in a worker during an op names the op
  rt.pool!.injectFault(1);
  const big = new Float32Array(256 * 256).fill(1);
  assert.throws(() => rt.ops.matmul(big, big, { m: 256, k: 256, n: 256 }), /^Error: matmul: worker 1 failed: injected fault$/);
  // afterwards: the pool runs jobs again, the workers take part, results are unchanged
  const before = pool.stats().workerTasks;
  const one = await init({ threads: 1 });
  assert.deepEqual(diffThreadsResults(run(one), run(rt)), []);
  assert.ok(pool.stats().workerTasks > before);
  rt.dispose();
});

test('a module call that fails on a threaded runtime leaves modules, outputs and the allocator as they were', async () => {
  const rt = await init({ threads: 2 });
  const mha = new MultiHead(rt, { embedDim: 64, numHeads: 4 });
  mha.loadStateDict(fixedStateDict(mha, 3));
  const x = { data: fixed(40 * 2 * 64, 1), shape: [40, 2, 64] };
  const first = mha.forward(x, x, x);
  const out = first.output.toArray(), w = first.weights!.toArray();
  const stats = rt.memoryStats();
  // a bad mask shape fails after the call started
  assert.throws(() => mha.forward(x, x, x, { attnMask: { data: new Float32Array(7), shape: [7] } }), /MultiHead/);
  assert.deepEqual(rt.memoryStats(), stats);
  assert.deepEqual(first.output.toArray(), out, 'the last outputs are still readable and unchanged');
  assert.deepEqual(first.weights!.toArray(), w);
  const again = mha.forward(x, x, x);
  assert.deepEqual(again.output.toArray(), out);
  mha.dispose();
  rt.dispose();
});

test('a worker that fails inside a module call: an Error naming the call and the worker; nothing changed', async () => {
  const rt = await init({ threads: 2 });
  const mha = new MultiHead(rt, { embedDim: 64, numHeads: 4 });
  mha.loadStateDict(fixedStateDict(mha, 5));
  const x = { data: fixed(40 * 2 * 64, 2), shape: [40, 2, 64] };
  const first = mha.forward(x, x, x, { needWeights: false });
  const out = first.output.toArray();
  const stats = rt.memoryStats();
  rt.pool!.injectFault(1);
  const y = { data: fixed(40 * 2 * 64, 3), shape: [40, 2, 64] };
  assert.throws(() => mha.forward(y, y, y, { needWeights: false }), /^Error: MultiHead\.forward: worker 1 failed: injected fault$/);
  assert.deepEqual(rt.memoryStats(), stats);
  assert.deepEqual(first.output.toArray(), out, 'the previous outputs are still valid and unchanged');
  // the same call again succeeds, with the bits of a single-thread runtime
  const again = mha.forward(y, y, y, { needWeights: false }).output.toArray();
  const one = await init({ threads: 1 });
  const ref = new MultiHead(one, { embedDim: 64, numHeads: 4 });
  ref.loadStateDict(fixedStateDict(ref, 5));
  assert.deepEqual(again, ref.forward(y, y, y, { needWeights: false }).output.toArray());
  mha.dispose();
  rt.dispose();
});

test('memory grown after the workers started is seen by them (results at high addresses are unchanged)', async () => {
  const rt = await init({ threads: 2 });
  const one = await init({ threads: 1 });
  const pad = rt.empty([48 << 20]);   // 192 MiB: the workers' instances must see the grown memory
  assert.ok(rt.memory.buffer.byteLength > 192 << 20);
  assert.deepEqual(diffThreadsResults(run(one), run(rt)), []);
  pad.dispose();
  rt.dispose();
});

test('rt.dispose() ends the pool; calls after it fail clearly', async () => {
  const rt = await init({ threads: 2 });
  const a = rt.tensor(fixed(64 * 64, 1), [64, 64]);
  rt.dispose();
  assert.throws(() => rt.ops.matmul(a, a, { m: 64, k: 64, n: 64 }), /matmul: runtime used after dispose\(\)/);
  assert.throws(() => new MultiHead(rt, { embedDim: 8, numHeads: 2 }), /dispose/);
});

test('a runtime dropped without dispose() ends its workers when it is garbage-collected', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const pools = await (async () => {
    const out = [];
    for (let i = 0; i < 3; i++) {
      const rt = await init({ threads: 2 });
      rt.ops.matmul(fixed(128 * 128, 1), fixed(128 * 128, 2), { m: 128, k: 128, n: 128 });
      out.push(rt.pool!);
    }
    return out;
  })();
  for (let i = 0; i < 20 && pools.some((p) => !p.stopped); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(pools.map((p) => p.stopped), [true, true, true]);
});

// The process must exit on its own with an idle pool (workers unref'd) and after rt.dispose().
for (const dispose of [false, true]) {
  test(`a Node process with a ${dispose ? 'disposed' : 'live, idle'} pool exits by itself`, () => {
    const script = `
      import { init } from ${JSON.stringify(new URL('../../bindings/index.ts', import.meta.url).href)};
      const rt = await init({ threads: 2 });
      const a = rt.tensor(new Float32Array(256 * 256).fill(0.5), [256, 256]);
      const c = rt.ops.matmul(a, a, { m: 256, k: 256, n: 256 });
      console.log(rt.threads.count, c[0], rt.pool.stats().jobs);
      ${dispose ? 'rt.dispose();' : ''}`;
    // the flags of this process (Node 20 runs the tests with --experimental-wasm-relaxed-simd; newer Nodes without it)
    const flags = process.execArgv.filter((a) => a.startsWith('--experimental-wasm'));
    const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.signal, null, `the process was killed after 30 s (it did not exit): ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '2 64 1');
  });
}
