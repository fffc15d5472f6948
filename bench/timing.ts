// Shared timing for the benchmarks: warm-up, then interleaved rounds of timed samples, median per call.
//
// Why interleaved: this runs on shared, noisy machines. Every round times one sample of each contestant in turn, so
// a burst of load from another process hits all contestants alike and the ratios between them stay meaningful.
//
// Per contestant:
//   1. warm-up: call it until `warmupMs` have passed (and at least `minWarmupCalls` times). This matters for wasm:
//      V8 first runs a function as Liftoff (baseline) code and swaps in optimised code only after it has run for a
//      while, and a running call never switches tier, so the first calls of a kernel can be several times slower.
//   2. calibration: calls per sample = enough calls that one sample lasts about `sampleMs` (timer resolution).
//   3. rounds: one sample per contestant per round until each has used `budgetMs` of samples and has
//      `minSamples` samples (or `maxSamples` is reached).
// Result per contestant: median and minimum time per call over the samples. GFLOP/s is computed from the median.
//
// A contestant's function may return a promise (onnxruntime-web's session.run); it is then awaited inside the timed
// region, one call at a time, because a user of that API pays for it too. Synchronous functions are not awaited.
//
// Used by the suites (bench/run.ts) and by the tuning probes (bench/probes/): the probes fix the calls per sample
// (`callsPerSample: 1` times single calls) and may run untimed work before every sample (`beforeSample`, e.g. a
// sweep that evicts the caches for cold-weight timings).

export interface TimingOptions {
  warmupMs: number;
  minWarmupCalls: number;
  sampleMs: number;
  budgetMs: number;
  minSamples: number;
  maxSamples: number;
}

export const DEFAULT_TIMING: TimingOptions = {
  warmupMs: 150,
  minWarmupCalls: 3,
  sampleMs: 5,
  budgetMs: 500,
  minSamples: 9,
  maxSamples: 400,
};

/** The protocol's knobs plus, for the probes, hooks that are not part of a results file's `timing` record. */
export interface MeasureOptions extends Partial<TimingOptions> {
  /** Fixed calls per sample instead of calibrating to `sampleMs`. */
  callsPerSample?: number;
  /** Untimed work before every timed sample (of every contestant). */
  beforeSample?: () => void;
}

export interface Timing {
  /** Median time of one call, ms. */
  medianMs: number;
  /** Fastest sample's time per call, ms. */
  minMs: number;
  /** Timed samples and calls per sample. */
  samples: number;
  callsPerSample: number;
}

export type BenchFn = () => unknown;

const now = () => performance.now();
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** Runs `fn` `calls` times and returns the elapsed ms. `async` says whether it returns promises. */
async function sample(fn: BenchFn, calls: number, async: boolean, before?: () => void): Promise<number> {
  before?.();
  if (async) {
    const t0 = now();
    for (let i = 0; i < calls; i++) await fn();
    return now() - t0;
  }
  const t0 = now();
  for (let i = 0; i < calls; i++) fn();
  return now() - t0;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Times each function with the same protocol, interleaved (see the header). */
export async function measure(fns: BenchFn[], options: MeasureOptions = {}): Promise<Timing[]> {
  const o = { ...DEFAULT_TIMING, ...options };
  const async: boolean[] = [];
  const calls: number[] = [];
  // warm-up and calibration, one contestant after another
  for (const fn of fns) {
    const first = fn();
    const isAsync = isThenable(first);
    if (isAsync) await first;
    async.push(isAsync);
    let n = 1;
    const t0 = now();
    while (n < o.minWarmupCalls || now() - t0 < o.warmupMs) { isAsync ? await fn() : fn(); n++; }
    if (o.callsPerSample) { calls.push(o.callsPerSample); continue; }
    // calibrate on the warmed-up function: grow the sample until it lasts sampleMs / 2, then scale
    let c = 1, t = await sample(fn, c, isAsync);
    while (t < o.sampleMs / 2 && c < 1 << 20) { c *= 4; t = await sample(fn, c, isAsync); }
    calls.push(Math.max(1, Math.round(c * o.sampleMs / Math.max(t, 1e-3))));
  }
  const times: number[][] = fns.map(() => []);
  const spent = fns.map(() => 0);
  for (;;) {
    let more = false;
    for (let i = 0; i < fns.length; i++) {
      const done = times[i].length >= o.maxSamples || (spent[i] >= o.budgetMs && times[i].length >= o.minSamples);
      if (done) continue;
      more = true;
      const t = await sample(fns[i], calls[i], async[i], o.beforeSample);
      spent[i] += t;
      times[i].push(t / calls[i]);
    }
    if (!more) break;
  }
  return times.map((ts, i) => ({
    medianMs: median(ts),
    minMs: Math.min(...ts),
    samples: ts.length,
    callsPerSample: calls[i],
  }));
}

/** GFLOP/s for `flops` per call done in `ms`. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
