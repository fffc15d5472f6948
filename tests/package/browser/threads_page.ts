// init({ threads }) in a browser, for tests/package/threads_browser.test.ts. The same bundle runs as the page script
// (the checks on the main thread, where Atomics.wait is refused and the pool's caller spins) and, with ?worker=1, as
// a module worker the page starts (where the caller may wait). Each context runs every split path on 1 and 2 threads
// per variant and reports what it saw; the test decides what is right for a cross-origin isolated page and for one
// that is not.
import { diffThreadsResults, runThreadsChecks, type ThreadsJobs, type ThreadsLib } from '../../support/threads_fixtures.ts';

type Info = { count: number; requested: number; reason: string | null };
type Rt = Awaited<ReturnType<ThreadsLib['init']>> & { memory: WebAssembly.Memory; pool?: { stats(): { jobs: number; workerTasks: number } } | null };

export interface VariantRun {
  variant: string;
  one: Info;
  two: Info;
  outputs: number;               // outputs compared
  diff: string[];                // outputs whose bits differ between 1 and 2 threads
  unsplit: string[];             // outputs the threads: 2 runtime computed without a parallel job
  stats: { jobs: number; workerTasks: number } | null;
  sharedMemory: boolean;         // the threads: 2 runtime runs a shared-memory build
}
export interface ContextResult {
  where: 'main' | 'worker';
  isolated: boolean;
  hardwareConcurrency: number;
  runs: VariantRun[];
  auto: Info;
}
export type ThreadsPageResult = { ok: true; main: ContextResult; worker: ContextResult | null } | { ok: false; error: string };

const ENTRY = '/dist/index.js'; // a plain string, so the bundler leaves the import to the browser
const inWorker = typeof document === 'undefined';
const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e));
// The step under way, in window.__progress (the worker posts its steps to the page): the test names it when the page
// never finishes.
const step = (m: string) => {
  if (inWorker) postMessage({ progress: m }); else (globalThis as { __progress?: string }).__progress = m;
};

async function check(where: 'main' | 'worker'): Promise<ContextResult> {
  const lib = (await import(ENTRY)) as ThreadsLib & { relaxedSimdSupported(): boolean };
  const runs: VariantRun[] = [];
  for (const variant of lib.relaxedSimdSupported() ? ['simd', 'relaxed'] as const : ['simd'] as const) {
    step(`${where} ${variant}: init`);
    const one = (await lib.init({ variant, threads: 1 })) as Rt;
    const two = (await lib.init({ variant, threads: 2 })) as Rt;
    const jobs: ThreadsJobs = {};
    step(`${where} ${variant}: checks on 1 thread`);
    const want = runThreadsChecks(lib, one);
    step(`${where} ${variant}: checks on ${two.threads.count} threads`);
    const got = runThreadsChecks(lib, two, jobs);
    runs.push({
      variant: two.variant, one: { ...one.threads }, two: { ...two.threads }, outputs: Object.keys(want).length,
      diff: diffThreadsResults(want, got), unsplit: Object.keys(jobs).filter((k) => jobs[k] === 0), stats: two.pool?.stats() ?? null,
      sharedMemory: typeof SharedArrayBuffer === 'function' && two.memory.buffer instanceof SharedArrayBuffer,
    });
    one.dispose();
    two.dispose();
  }
  step(`${where}: threads 'auto'`);
  const auto = await lib.init({ threads: 'auto' });
  const autoInfo = { ...auto.threads };
  auto.dispose();
  return { where, isolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency, runs, auto: autoInfo };
}

// The same checks in a module worker started from this very script.
function inModuleWorker(): Promise<ContextResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(import.meta.url, { type: 'module' });
    step('worker: starting');
    w.onmessage = (e: MessageEvent<{ result?: ContextResult; error?: string; progress?: string }>) => {
      if (e.data.progress) { step(e.data.progress); return; }
      w.terminate();
      if (e.data.result) resolve(e.data.result); else reject(new Error(`in the worker: ${e.data.error}`));
    };
    w.onerror = (e) => { e.preventDefault(); reject(new Error(`the worker failed: ${e.message}`)); };
  });
}

if (inWorker) {
  check('worker').then((result) => postMessage({ result }), (e: unknown) => postMessage({ error: describe(e) }));
} else {
  const w = globalThis as unknown as { __result?: ThreadsPageResult };
  (async () => {
    try {
      const main = await check('main');
      const worker = new URLSearchParams(location.search).get('worker') === '1' ? await inModuleWorker() : null;
      w.__result = { ok: true, main, worker };
    } catch (e) {
      w.__result = { ok: false, error: describe(e) };
    }
    document.getElementById('status')!.textContent = w.__result.ok ? 'done' : `failed: ${w.__result.error}`;
  })();
}
