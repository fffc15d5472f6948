// init({ threads }) in Deno through the BUILT package entry (dist/index.js): every split path of
// tests/support/threads_fixtures.ts on 1 and 2 threads, per variant. Prints one JSON line with what it saw (the
// checks are made by tests/package/deno_threads.test.ts, which also times how the process ends), then returns:
//   deno run --allow-read tests/package/deno/threads.ts dispose   rt.dispose() on every runtime
//   deno run --allow-read tests/package/deno/threads.ts keep      the threads: 2 runtimes left alive with an idle pool
// Either way Deno must then exit by itself. Not named *_test.ts: `deno test tests/package/deno/` must not run it.
import * as dist from '../../../dist/index.js';
import { diffThreadsResults, runThreadsChecks, type ThreadsJobs, type ThreadsLib } from '../../support/threads_fixtures.ts';

type Rt = Awaited<ReturnType<ThreadsLib['init']>> & { memory: WebAssembly.Memory; pool: { stats(): { jobs: number; workerTasks: number } } | null };
const lib = dist as unknown as ThreadsLib;
const mode = Deno.args[0];
if (mode !== 'dispose' && mode !== 'keep') throw new Error(`usage: threads.ts dispose|keep, got ${mode}`);

const runs = [];
for (const variant of ['simd', 'relaxed'] as const) {
  const one = (await lib.init({ variant, threads: 1 })) as Rt;
  const two = (await lib.init({ variant, threads: 2 })) as Rt;
  const jobs: ThreadsJobs = {};   // parallel jobs per output: 0 = computed without the pool
  const want = runThreadsChecks(lib, one), got = runThreadsChecks(lib, two, jobs);
  runs.push({
    variant: two.variant, one: one.threads, two: two.threads, outputs: Object.keys(want).length,
    diff: diffThreadsResults(want, got), unsplit: Object.keys(jobs).filter((k) => jobs[k] === 0),
    stats: two.pool?.stats() ?? null, sharedMemory: two.memory.buffer instanceof SharedArrayBuffer,
  });
  one.dispose();
  if (mode === 'dispose') two.dispose();
}
console.log(JSON.stringify({ deno: Deno.version.deno, runs }));
