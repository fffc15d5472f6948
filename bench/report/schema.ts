// The one results schema: bench/results/<runtime>.json as bench/run.ts writes it and bench/report.ts reads it.
//
// A file holds the rows of every suite run in one runtime. A full run replaces the file; a run of some suites
// (`npm run bench -- gelu`) merges into it: those suites' rows and metadata are replaced, the other suites stay, and
// each merged suite carries a `measured` stamp (date, runtime version, peaks, timing of its own run) because the
// file's top-level fields describe the run that wrote the file first.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimingOptions } from '../timing.ts';

/** 2 = rows with minMs/samples/maxRelErr, suites with `measured` stamps. Files without the field are read as 1.
 *  Rows may also carry the optional memory fields (memoryBytes, bytesInUse, modelBytes): readers treat them as absent
 *  in files that lack them, so the version stays 2. */
export const SCHEMA_VERSION = 2;

/** One contestant on one case (shape) of one suite. */
export interface ResultRow {
  suite: string;
  case: string;
  /** Floating-point operations of one call; 0 when the suite reports milliseconds only. */
  flops: number;
  contestant: string;
  kind: 'ours' | 'peer';
  /** Which build of ours ('simd', 'relaxed'); null for peers. */
  variant: string | null;
  /** Ours only: the build users of this runtime get by default (Node: simd, Deno: relaxed). */
  primary: boolean;
  /** Median / fastest sample, ms per call, and the number of samples (bench/timing.ts); null when it did not run. */
  medianMs: number | null;
  minMs: number | null;
  samples: number | null;
  gflops: number | null;
  /** Ours only: (median ms of the faster peer) / (our median ms); > 1 means we are faster. */
  speedupVsBestPeer: number | null;
  bestPeer: string | null;
  /** GFLOP/s as a fraction of the probed SIMD peak (bench/suites/peak.ts), 0..1. */
  fractionOfPeak: number | null;
  /** max |out - reference| / max |reference|, the reference being the first peer that ran (else the first contestant). */
  maxRelErr: number | null;
  /** maxRelErr within the case's tolerance; null when not checked. */
  checkOk: boolean | null;
  /** Why it could not run (shown as n/a), else null. */
  na: string | null;
  /** Optional (suites that measure memory, e.g. long; absent in older files): size of the contestant's wasm memory
   *  after the case's calls, bytes; for ours a runtime made for the case, so this is the case's peak. */
  memoryBytes?: number | null;
  /** Optional, ours: bytes handed out by our allocator after the calls. */
  bytesInUse?: number | null;
  /** Optional: the bytes memoryBytes is compared with (weights + activations of the case, see the suite's notes). */
  modelBytes?: number | null;
}

/** When and how a suite merged into a file by a later run was measured. */
export interface RunStamp {
  date: string;
  version: string;
  v8: string;
  peaks: Record<string, number>;
  timing: Partial<TimingOptions>;
}

export interface SuiteMeta {
  name: string;
  title: string;
  /** What the timings include and how flops are counted. */
  notes?: string[];
  /** Present when this suite came from a later run than the file's own (see the header). */
  measured?: RunStamp;
}

/** One bench/results/<name>.json. */
export interface ResultsFile {
  /** File name, e.g. 'node.json' (set by the loader, not stored in the JSON). */
  file: string;
  schema?: number;
  runtime: string;
  version: string;
  v8: string;
  date: string;
  cpu: string;
  /** Logical cores. */
  cores?: number;
  builds?: { variant: string; primary: boolean }[];
  buildNotes?: string[];
  /** Peer name -> description (version, backend, threads). */
  peers?: Record<string, string>;
  /** Probed SIMD peak per build (GFLOP/s, fastest sample), and 'best' of all. */
  peaks?: Record<string, number>;
  timing?: Partial<TimingOptions>;
  suites?: SuiteMeta[];
  rows: ResultRow[];
}

/** The JSON text of a results file (without the loader's `file` field). */
export function serialize(f: ResultsFile): string {
  const { file: _file, ...json } = f;
  return JSON.stringify({ schema: SCHEMA_VERSION, ...json }, null, 1) + '\n';
}

function isResultsFile(x: unknown): x is Omit<ResultsFile, 'file'> {
  const o = x as Partial<ResultsFile> | null;
  return !!o && typeof o === 'object' && typeof o.runtime === 'string' && Array.isArray(o.rows);
}

/** One results file, or null (with a warning) when it is not readable as one. */
export function readResults(path: string, name = path.split(/[\\/]/).pop()!): ResultsFile | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.warn(`bench report: skipping ${name}: ${(e as Error).message}`);
    return null;
  }
  if (!isResultsFile(parsed)) {
    console.warn(`bench report: skipping ${name}: not a bench/run.ts results file`);
    return null;
  }
  return { ...parsed, file: name };
}

/** Every *.json in `dir` (sorted by name) that is a results file; others are skipped with a warning. */
export function loadResults(dir: string): ResultsFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((name) => readResults(join(dir, name), name))
    .filter((f): f is ResultsFile => f !== null);
}

/** The suite names of a file in its order (metadata first, then any suite that only has rows). */
export function suiteNames(f: ResultsFile): string[] {
  return [...new Set([...(f.suites ?? []).map((s) => s.name), ...f.rows.map((r) => r.suite)])];
}

/**
 * `run` (a run of some suites) merged into `old` (the runtime's file): the suites of `run` replace old's, stamped
 * with run's date, version, peaks and timing; old's other suites stay. Suites are ordered as in `order` (the run
 * order of bench/run.ts), unknown ones last. Without `old` (or for another runtime) the result is `run`.
 */
export function mergeResults(old: ResultsFile | null, run: ResultsFile, order: string[]): ResultsFile {
  if (!old || old.runtime !== run.runtime) return run;
  const fresh = new Set(suiteNames(run));
  const stamp: RunStamp = { date: run.date, version: run.version, v8: run.v8, peaks: run.peaks ?? {}, timing: run.timing ?? {} };
  const meta = new Map<string, SuiteMeta>();
  for (const s of old.suites ?? []) if (!fresh.has(s.name)) meta.set(s.name, s);
  for (const s of run.suites ?? []) meta.set(s.name, { ...s, measured: stamp });
  const rank = (name: string) => { const i = order.indexOf(name); return i < 0 ? order.length : i; };
  const names = [...new Set([...suiteNames(old), ...fresh])].sort((a, b) => rank(a) - rank(b));
  const rows = names.flatMap((n) => (fresh.has(n) ? run : old).rows.filter((r) => r.suite === n));
  return {
    ...old,
    schema: SCHEMA_VERSION,
    suites: names.map((n) => meta.get(n) ?? { name: n, title: '' }),
    rows,
  };
}
