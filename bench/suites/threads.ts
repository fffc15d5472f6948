// Threads: ours with init({ threads: 2 }) against ours with init({ threads: 1 }), and against onnxruntime-web with
// env.wasm.numThreads = 2 (and = 1), on the same shapes, side by side in one process.
//
// Two cases per shape:
//   '2t vs 1t': ours on 2 threads against ours on 1 thread (a baseline, listed as the peer): speedup = t1 / t2, and
//               the cross-check tolerance is 0, i.e. the 2-thread output must equal the 1-thread one value for value;
//   'vs ort 2t': ours on 2 threads against ORT on 2 and on 1 thread (and tfjs on 1 thread where the gemm suite has it).
// ORT runs in workers of its own (bench/peers/peer_worker.ts): its thread count is fixed per JS realm when the realm's
// first session is created, and bench/run.ts's ORT is pinned to 1 thread, so a second realm is the only way to have
// 1- and 2-thread ORT in one process. Each ORT call is then a message round trip, timed on its own in the last case.
//
// Between timed samples the main thread sleeps SETTLE_MS (untimed, bench/timing.ts beforeSample): after a run ORT's
// thread pool keeps spinning for ~20 ms (measured: ~1 core busy for 20 ms after the last call, 0 after), which would
// otherwise take a core from whichever contestant is timed next. Ours on 2 threads spins far shorter (pool.ts).
import { readFileSync } from 'node:fs';
import { init, type Runtime } from '../../bindings/index.ts';
import { compileWasm, defaultWasmURL, type BuildName } from '../../bindings/runtime/loader.ts';
import { GraphBuilder } from '../peers/onnx_model.ts';
import { encoderLayerGraph, encoderParamShapes, mhaGraph, mhaParamShapes } from '../peers/ort_graphs.ts';
import { parallelCapacity, PeerWorker } from '../peers/peer_worker.ts';
import { join, tfContestant, type Contestants, type Feeds, type OrtGraph } from '../contestants.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { MeasureOptions } from '../timing.ts';
import type { BenchContext, Case, Contestant, Suite, Variant } from '../suite.ts';
import { bothBuilds, mhaCall, mhaFlops } from './mha.ts';
import { encoderCall } from './encoder.ts';
import { cachedStep, decoderStateDict, E as DEC_E, S as DEC_S } from './decode.ts';
import { ortReason } from './long.ts';

const SETTLE_MS = 30;
/** Issue goals: 2 threads over 1 for products, attention, encoder layers; for decode steps; ours 2t over ORT 2t. */
const GOAL = { big: 1.8, step: 1.3, ort: 1.6 };

const settle = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
/**
 * Default timing of this suite: samples of ~100 ms, each after a settle. Why long samples: the first call of a sample
 * pays for caches the previous contestant evicted and for waking our sleeping worker, and ORT's heap evicts more than
 * ours. Measured (mha 1x128x512x8, ours on 2 threads, Node and Deno): 20 ms samples gave 9.3-11.2 ms interleaved with
 * the four ORT contestants against 6.1-6.6 ms interleaved with ours on 1 thread; 100 ms samples gave 6.8-6.9 against
 * 6.5-6.7 (ORT's own times unchanged or lower).
 */
const TIMING: MeasureOptions = { sampleMs: 100, minSamples: 11, beforeSample: settle };
/** Exact sample counts, one call per sample (calls of seconds). */
const few = (samples: number, warmupCalls = 1): MeasureOptions => ({
  ...TIMING, warmupMs: 0, minWarmupCalls: warmupCalls, callsPerSample: 1, budgetMs: 0, minSamples: samples, maxSamples: samples,
});

/** What one runtime's contestant does; made per runtime. */
interface Ours { run: () => void; output: () => Float32Array; dispose: () => void }

interface Shape {
  /** e.g. 'enc 1x128x512x8' */
  label: string;
  flops: number;
  /** Goal of 2 threads over 1. */
  goal: number;
  make: (rt: Runtime, rollbacks: (() => void)[]) => Ours;
  /** ORT graphs (input 'x', output 'y') and their feeds; absent: no ORT case. */
  ort?: () => { graphs: OrtGraph[]; feeds: Feeds };
  /** tfjs on 1 thread in the ORT case (where the gemm suite has tfjs). */
  tfjs?: (ctx: BenchContext) => Contestants;
  timing?: MeasureOptions;
  /** Timing of the ORT case when it differs (ORT's calls are slower). */
  ortTiming?: MeasureOptions;
}

// ---------------------------------------------------------------------------------------------------------------
// shapes

function gemmShape(m: number, k: number, n: number): Shape {
  const a = randomF32(m * k, 1 + m + k), b = randomF32(k * n, 2 + k + n);   // as the gemm suite
  return {
    label: `gemm ${m}x${k}x${n}`, flops: 2 * m * k * n, goal: GOAL.big,
    // rt.ops.matmul on Tensors (zero copy): the public product that splits over the pool (the gemm suite's raw
    // kernel calls run on the calling thread only)
    make: (rt) => {
      const A = rt.tensor(a, [m, k]), B = rt.tensor(b, [k, n]), C = rt.zeros([m, n]);
      return {
        run: () => { rt.ops.matmul(A, B, { m, k, n, out: C }); },
        output: () => C.toArray(),
        dispose: () => [A, B, C].forEach((t) => t.dispose()),
      };
    },
    ort: () => {
      const g = new GraphBuilder('gemm');
      g.input('x', [m, k]);
      g.initializer('B', b, [k, n]);
      g.node('MatMul', ['x', 'B'], ['y']);
      g.output('y', [m, n]);
      return { graphs: [{ name: 'ort standard', model: () => g.model({ opset: 17 }) }], feeds: { x: { data: a, dims: [m, k] } } };
    },
    tfjs: (ctx) => tfContestant(ctx, (tf) => [tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])], (tf, [ta, tb]) => tf.matMul(ta, tb), 'tfjs 1 thread'),
  };
}

function mhaShape(N: number, L: number, E: number, H: number, goal: number, ort = true): Shape {
  const sd = randomStateDict(mhaParamShapes(E), 11 + E + H), x = randomF32(N * L * E, 3 + N + L + E);   // as the mha suite
  return {
    label: `mha ${N}x${L}x${E}x${H}`, flops: mhaFlops(N, L, E, H), goal,
    make: (rt) => mhaCall(rt, sd, x, N, L, E, H),
    ort: ort ? () => ({ graphs: bothBuilds((build) => mhaGraph(sd, { E, H, build })), feeds: { x: { data: x, dims: [N, L, E] } } }) : undefined,
  };
}

function encShape(L: number, goal: number, timing?: MeasureOptions, ortTiming?: MeasureOptions): Shape {
  const N = 1, E = 512, H = 8, F = 2048;
  const sd = randomStateDict(encoderParamShapes(E, F), 21 + E + H), x = randomF32(N * L * E, 5 + N + L + E);   // as encoder/long
  return {
    label: `enc ${N}x${L}x${E}x${H}`, flops: mhaFlops(N, L, E, H) + 2 * 2 * N * L * E * F, goal, timing, ortTiming,
    make: (rt) => encoderCall(rt, sd, x, N, L, E, H, F),
    ort: () => ({ graphs: bothBuilds((build) => encoderLayerGraph(sd, { E, H, F, build })), feeds: { x: { data: x, dims: [N, L, E] } } }),
  };
}

/** One step of the decode suite's 6-layer decoder with a KV cache at `len` (cachedStep: every timed sample starts
 *  with len - 1 cached positions). No ORT graph for it. */
function decoderShape(ctx: BenchContext, len: number): Shape {
  const tgt = randomF32(len * DEC_E, 7 + len), mem = randomF32(DEC_S * DEC_E, 3 + DEC_S);   // as the decode suite
  return {
    label: `dec6 step, cache ${len}`, flops: 0, goal: GOAL.step,
    make: (rt, rollbacks) => cachedStep(rt, decoderStateDict(ctx), tgt, mem, len, rollbacks),
    timing: few(15, 3),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// contestants

// One compiled Module per build for the whole suite: every case's runtimes share its code, which tiers up once.
const modules = new Map<BuildName, Promise<WebAssembly.Module>>();
const moduleOf = (b: BuildName) => {
  let m = modules.get(b);
  if (!m) modules.set(b, m = compileWasm(defaultWasmURL(b)));
  return m;
};

/** A runtime of our primary build on `threads` threads, as init({ threads }) makes it (the threads build for 2). */
async function runtime(v: Variant, threads: number): Promise<Runtime> {
  return init({ variant: v, threads, wasm: await moduleOf(threads > 1 ? `${v}-threads` : v) });
}

/** The suite's notes measured in this run (runtime-prefixed: the README shows the first runtime's notes). */
function note(ctx: BenchContext, text: string): void {
  const line = `${ctx.runtime}, this run: ${text}`;
  if (!suite.notes.includes(line)) suite.notes.push(line);
  console.log(`  - ${line}`);
}

/**
 * CPU time other processes used from now until the returned function is called, in cores (Linux /proc; null
 * elsewhere): all CPUs' busy time (/proc/stat) minus this process's (/proc/self/stat, every thread: our pool, ORT's
 * workers and pthreads). On this shared 2-core machine it tells whether a 2-thread time had its second core.
 */
function othersCpu(): () => number | null {
  const read = () => {
    try {
      const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];   // user nice system irq softirq steal
      const self = readFileSync('/proc/self/stat', 'utf8');
      const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);   // fields from 3 on: utime = 14 -> [11]
      return { busy, own: f[11] + f[12], t: performance.now() };
    } catch {
      return null;
    }
  };
  const a = read();
  return () => {
    const b = read();
    return a && b ? Math.max(0, (b.busy - a.busy - (b.own - a.own)) / 100 / ((b.t - a.t) / 1000)) : null;   // USER_HZ 100
  };
}

/** Waits (at most QUIET_WAIT_MS) until other processes use less than QUIET_CORES over a second, so that a case starts
 *  with both cores free; says how long it waited (nothing when /proc is not readable). */
const QUIET_CORES = 0.2, QUIET_WAIT_MS = 60_000;
async function quiet(): Promise<string> {
  const t0 = performance.now();
  for (;;) {
    const others = othersCpu();
    await new Promise((r) => setTimeout(r, 1000));
    const c = others();
    if (c === null) return '';
    const waited = (performance.now() - t0) / 1000;
    if (c < QUIET_CORES) return waited > 1.5 ? `waited ${waited.toFixed(0)} s for other processes to quiet down; ` : '';
    if (waited * 1000 > QUIET_WAIT_MS) return `started after ${waited.toFixed(0)} s with other processes still at ${c.toFixed(2)} cores; `;
  }
}

/** This process's CPU time per wall time, in cores, over `ms` of doing nothing here (null without /proc). */
async function ownCpu(ms: number): Promise<number | null> {
  const own = () => {
    try {
      const st = readFileSync('/proc/self/stat', 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
      return f[11] + f[12];
    } catch {
      return null;
    }
  };
  const a = own(), t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = own();
  return a === null || b === null ? null : (b - a) / 100 / ((performance.now() - t0) / 1000);
}

/**
 * Waits (at most 15 s) until this process is idle before timing: under Node 20, V8 compiles onnxruntime-web's wasm in
 * the background after its first runs (measured: one core busy for ~1.3 s after an mha case's sessions first ran;
 * none under Deno), which would take a core from the first timed rounds. Says how long it waited.
 */
async function ownIdle(): Promise<string> {
  const t0 = performance.now();
  for (;;) {
    const c = await ownCpu(200);
    const waited = (performance.now() - t0) / 1000;
    if (c === null || c < 0.1) return waited > 0.5 ? `waited ${waited.toFixed(1)} s for this process's background work to end; ` : '';
    if (waited > 15) return `this process still used ${c.toFixed(2)} cores after ${waited.toFixed(0)} s; `;
  }
}

/** parallelCapacity (peer_worker.ts) in a worker made for it: '1.97', or why not. */
async function capacity(): Promise<string> {
  try {
    const w = await PeerWorker.start(0);
    settle();   // after an ORT run, its pool's spinning first
    try { return (await parallelCapacity(w)).toFixed(2); } finally { w.terminate(); }
  } catch (e) {
    return `n/a (${(e as Error).message})`;
  }
}

const fmtCores = (c: number | null) => (c === null ? 'n/a' : `${c.toFixed(2)} cores`);

const sameBits = (a: Float32Array, b: Float32Array) => {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** Ours on `threads` threads for `s`, one runtime each (made for the case), each run once here. */
async function oursOn(ctx: BenchContext, s: Shape, threads: number[], rollbacks: (() => void)[]) {
  const v = (ctx.builds.find((b) => b.primary) ?? ctx.builds[0])?.variant ?? 'simd';
  const rts: Runtime[] = [];
  for (const n of threads) rts.push(await runtime(v, n));
  const ours = rts.map((rt) => s.make(rt, rollbacks));
  const outs = ours.map((o) => { o.run(); return o.output(); });
  const contestant = (i: number, kind: Contestant['kind']): Contestant => {
    const rt = rts[i], n = threads[i];
    return {
      name: `ours ${v} ${n} thread${n > 1 ? 's' : ''}`, kind, variant: v, primary: kind === 'ours', run: ours[i].run, output: ours[i].output,
      // a 2-thread contestant only counts when its pool really has 2 threads
      unavailable: rt.threads.count < n ? `init({ threads: ${n} }) runs ${rt.threads.count} thread(s): ${rt.threads.reason}` : undefined,
    };
  };
  return { rts, ours, outs, contestant, dispose: () => { ours.forEach((o) => o.dispose()); rts.forEach((rt) => rt.dispose()); } };
}

/** What the 2-thread runtime did over back-to-back calls (~50 ms of them, as in a timed sample): pool jobs and tasks
 *  the worker (not the caller) ran, per call. */
function splitOf(rt: Runtime, o: Ours, rollbacks: (() => void)[]): string {
  for (const r of rollbacks) r();
  const t0 = performance.now();
  o.run();
  const calls = Math.max(1, Math.min(20, Math.round(50 / (performance.now() - t0))));
  const before = rt.pool?.stats() ?? { jobs: 0, workerTasks: 0 };
  for (let i = 0; i < calls; i++) o.run();
  const after = rt.pool?.stats() ?? { jobs: 0, workerTasks: 0 };
  for (const r of rollbacks) r();
  const per = (x: number) => +(x / calls).toFixed(1);
  return `${per(after.jobs - before.jobs)} pool jobs and ${per(after.workerTasks - before.workerTasks)} worker tasks per call (over ${calls} back-to-back calls)`;
}

/**
 * ORT on 2 and on 1 thread, each in a worker of its own (ORT contestants of a case first, so the cross-check reference
 * is ORT on 2 threads). Each graph runs once here: a graph that fails, or a worker whose ORT fell back to fewer
 * threads, is n/a with the reason. The output of that first run is the cross-check (ORT's output does not change).
 */
async function ortWorkers(s: Shape): Promise<Contestants> {
  const { graphs, feeds } = s.ort!();
  const contestants: Contestant[] = [];
  const workers: PeerWorker[] = [];
  for (const threads of [2, 1]) {
    const name = (g: OrtGraph) => `${g.name} ${threads} thread${threads > 1 ? 's' : ''}`;
    let w: PeerWorker;
    try {
      w = await PeerWorker.start(threads);
      workers.push(w);
    } catch (e) {
      for (const g of graphs) contestants.push({ name: name(g), kind: 'peer', unavailable: `ORT worker failed: ${ortReason(e)}` });
      continue;
    }
    for (const g of graphs) {
      try {
        const session = await w.session(g.model(), feeds, 'y');
        if (session.numThreads !== threads) {
          contestants.push({ name: name(g), kind: 'peer', unavailable: `ORT runs ${session.numThreads} thread(s) here, not ${threads}` });
          continue;
        }
        await w.run(session.id);
        const out = await w.output(session.id);
        contestants.push({ name: name(g), kind: 'peer', run: () => w.run(session.id), output: () => out });
      } catch (e) {
        contestants.push({ name: name(g), kind: 'peer', unavailable: `ORT failed: ${ortReason(e)}` });
      }
    }
  }
  return { contestants, dispose: () => workers.forEach((w) => w.terminate()) };
}

// ---------------------------------------------------------------------------------------------------------------

export const suite: Suite = {
  name: 'threads',
  title: 'Threads: ours on 2 threads against ours on 1 thread and against onnxruntime-web on 2 (and 1) threads (case = module shape, then what is compared and the goal)',
  notes: [
    'ours N threads: a runtime of the primary build made for the case with init({ threads: N }) (N = 2 loads the shared-memory build and starts a worker pool; N = 1 the plain build), same calls as the single-thread suites: gemm = rt.ops.matmul(A, B, { out: C }) on Tensors (B unpacked, as a user calls it; the gemm suite times the raw kernel on packed B), mha = mha.forward(x, x, x, { needWeights: false }), enc = enc.forward(x) (TransformerEncoderLayer E 512, 8 heads, F 2048), dec6 step = one cached step of the decode suite\'s 6-layer decoder at cache length 128.',
    '"2t vs 1t" cases: the peer is ours on 1 thread; "vs best peer" = 1-thread time / 2-thread time (goal >= 1.8x for products, attention and encoder layers, >= 1.3x for decode steps: enc L = 1, dec6 step); the output check has tolerance 0: the 2-thread output must equal the 1-thread output (also compared bit for bit before timing, and the pool\'s jobs / worker tasks per call counted: the lines below). "mha 1x1x64x4" is the overhead case: a tiny call, goal about 1.0x.',
    '"vs ort 2t" cases: ORT (same graphs as the gemm / mha / encoder suites, weights as initializers, new input tensors per call as there) with env.wasm.numThreads = 2 and = 1, each in its own worker: ORT reads numThreads once per JS realm, at its first session, and bench/run.ts\'s ORT is pinned to 1 thread. Each ORT time includes a message round trip to its worker (case "ort worker round trip"). ORT checks numThreads against the environment; a worker where ORT fell back to fewer threads is n/a. "vs best peer" = the fastest peer (usually ORT on 2 threads) / ours on 2 threads (goal >= 1.6x). ORT 1 vs 2 threads: compare its two rows.',
    'tfjs-backend-wasm runs on 1 thread only here (gemm cases, as in the gemm suite): its WASM_HAS_MULTITHREAD_SUPPORT flag is false whenever IS_NODE (Node, and Deno through its process global), so it loads its single-thread binary whatever setThreadsCount says; forcing the flag on, Node cannot start its pthread worker from a blob: URL (ERR_WORKER_PATH). The line "tfjs" below is that check, run in a fresh worker realm with setThreadsCount(2).',
    `timing: interleaved rounds as everywhere (bench/timing.ts), samples of ~100 ms (at least 11; shorter samples overstate the time of whoever runs after ORT's samples, whose heap evicts our caches), and before every sample the main thread sleeps ${SETTLE_MS} ms (untimed): ORT's thread pool spins ~20 ms after each run (measured) and would take a core from the contestant timed next. Before timing, a case also waits until this process is idle: under Node 20, V8 compiles ORT's wasm in the background after its first runs (~1.3 s of one core, measured). enc L = 4096: one call per sample, 3 samples after 1 warm-up call; dec6 step: 15 one-step samples (cache rolled back before each, as in the decode suite).`,
    `The machine may be shared: a 2-thread time needs both cores, so other load hurts it far more than a 1-thread time (a worker descheduled in the middle of a task makes the caller wait for it). So each case starts once other processes use < ${QUIET_CORES} cores over a second (waiting at most ${QUIET_WAIT_MS / 1000} s), and the lines below give, per case, the "parallel capacity" just before timing (two busy loops at once, on this thread and a worker, over one alone: ~2 when two cores are really there; it also sees a host that runs both vCPUs of this VM on one hardware thread, which /proc/stat inside the VM does not) and the CPU other processes used while the case ran (/proc/stat minus this process). A case with a capacity well below 2, or where others used a good part of a core, says little about 2 threads. Compare ratios within one case.`,
    '% peak is of the single-thread SIMD peak probe: up to 200% on 2 threads.',
  ],
  cases(ctx): Case[] {
    const shapes: Shape[] = [
      gemmShape(512, 512, 512),
      gemmShape(128, 768, 3072),
      mhaShape(1, 128, 512, 8, GOAL.big),
      encShape(128, GOAL.big),
      encShape(4096, GOAL.big, few(3), few(2)),
      encShape(1, GOAL.step),
      decoderShape(ctx, 128),
      mhaShape(1, 1, 64, 4, 1, false),
    ];
    const cases: Case[] = [];
    for (const s of shapes) {
      const rollbacks: (() => void)[] = [];
      const first = cases.length === 0;
      cases.push({
        label: `${s.label} 2t vs 1t ${s.goal === 1 ? '~1x' : `>=${s.goal}x`}`,
        flops: s.flops,
        tolerance: 0,
        timing: { ...(s.timing ?? TIMING), beforeSample: () => { for (const r of rollbacks) r(); settle(); } },
        async setup() {
          const waited = await quiet();
          const others = othersCpu();
          rollbacks.length = 0;
          const p = await oursOn(ctx, s, [1, 2], rollbacks);
          const info = (rt: Runtime) => JSON.stringify(rt.threads).replace(/"/g, '');
          if (first) note(ctx, `rt.threads: init({ threads: 1 }) ${info(p.rts[0])}, init({ threads: 2 }) ${info(p.rts[1])}`);
          const identical = sameBits(p.outs[0], p.outs[1]);
          if (!identical) console.warn(`  ! ${s.label}: the 2-thread output differs in bits from the 1-thread output`);
          const split = splitOf(p.rts[1], p.ours[1], rollbacks);
          const line = `${s.label}: ${waited}2-thread output bitwise identical to 1 thread: ${identical ? 'yes' : 'NO'}; ` +
            `2 threads ran ${split}; ${await ownIdle()}parallel capacity before timing ${await capacity()}`;
          return {
            contestants: [p.contestant(1, 'ours'), p.contestant(0, 'peer')],
            dispose: () => { p.dispose(); note(ctx, `${line}; other processes used ${fmtCores(others())} during the case`); },
          };
        },
      });
      if (!s.ort) continue;
      cases.push({
        label: `${s.label} vs ort 2t >=${GOAL.ort}x`,
        flops: s.flops,
        tolerance: 1e-4,
        timing: s.ortTiming ?? s.timing ?? TIMING,
        async setup() {
          const waited = await quiet();
          const others = othersCpu();
          const p = await oursOn(ctx, s, [2], []);
          const ours: Contestants = { contestants: [p.contestant(0, 'ours')], dispose: p.dispose };
          const all = join(ours, await ortWorkers(s), s.tfjs ? s.tfjs(ctx) : { contestants: [], dispose() {} });
          const line = `${s.label} vs ORT: ${waited}${await ownIdle()}parallel capacity before timing ${await capacity()}`;
          return {
            contestants: all.contestants,
            dispose: () => { all.dispose(); note(ctx, `${line}; other processes used ${fmtCores(others())} during the case`); },
          };
        },
      });
    }
    // what every ORT time above includes; and what tfjs-backend-wasm does when asked for 2 threads
    cases.push({
      label: 'ort worker round trip',
      flops: 0,
      timing: TIMING,
      async setup() {
        const w = await PeerWorker.start(2);
        try {
          const t = await w.tfjsThreads(2);
          note(ctx, `tfjs: setThreadsCount(2) in a fresh worker realm: IS_NODE ${t.isNode}, WASM_HAS_MULTITHREAD_SUPPORT ${t.multithreadFlag}, backend ready ${t.backend}, getThreadsCount() ${t.threads}`);
        } catch (e) {
          note(ctx, `tfjs: setThreadsCount(2) in a fresh worker realm failed: ${(e as Error).message}`);
        }
        return {
          contestants: [{ name: 'no-op message to the ORT worker', kind: 'peer', run: () => w.ping() }],
          dispose: () => w.terminate(),
        };
      },
    });
    return cases;
  },
};
