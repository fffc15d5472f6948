// The results files sorted into what the renderers show: runtimes, and per suite the shapes and each runtime's rows.
// Several files of one runtime (`node.json` and, from older runs, filtered files like `node-gemm.json`): the main
// file is used for every suite it has, the others only fill in suites it lacks. A runtime without a suite leaves its
// columns out of that suite's table. Pure functions of the files: no clock, no machine queries.
import type { ResultRow, ResultsFile } from './schema.ts';
import { suiteNames } from './schema.ts';

/** One suite of one runtime, from one results file. */
export interface RuntimeSuite {
  runtime: string;
  source: ResultsFile;
  rows: ResultRow[];
  /** Contestant names in first-seen order. */
  contestants: string[];
}

export interface SuiteView {
  name: string;
  title: string;
  notes: string[];
  /** GFLOP/s when every measured row has a flop count, else ms. */
  unit: 'GFLOP/s' | 'ms';
  /** Shape labels in first-seen order (runtime order). */
  shapes: string[];
  /** In runtime order; only the runtimes that have this suite. */
  runtimes: RuntimeSuite[];
}

export interface ReportModel {
  /** Runtimes in display order (node, deno, then any other alphabetically). */
  runtimes: string[];
  /** Per runtime, the files actually used, main file first, with the suites taken from each. */
  sources: { runtime: string; file: ResultsFile; suites: string[] }[];
  suites: SuiteView[];
}

export const RUNTIME_ORDER = ['node', 'deno', 'chromium', 'firefox'];

function byRuntime(a: string, b: string): number {
  const rank = (r: string) => (RUNTIME_ORDER.includes(r) ? RUNTIME_ORDER.indexOf(r) : RUNTIME_ORDER.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

export function buildModel(files: ResultsFile[]): ReportModel {
  const runtimes = uniq(files.map((f) => f.runtime)).sort(byRuntime);
  const sources: ReportModel['sources'] = [];
  const perRuntime = new Map<string, Map<string, RuntimeSuite>>();
  const suiteOrder: string[] = [];
  const suiteMeta = new Map<string, { title: string; notes: string[] }>();
  for (const runtime of runtimes) {
    const main = `${runtime}.json`;
    const mine = files.filter((f) => f.runtime === runtime)
      .sort((a, b) => Number(b.file === main) - Number(a.file === main) || (a.file < b.file ? -1 : 1));
    const taken = new Map<string, RuntimeSuite>();
    for (const f of mine) {
      const used: string[] = [];
      let prev = -1; // a suite new to the report goes after the one before it in this file (run order), else last
      for (const name of suiteNames(f)) {
        const rows = f.rows.filter((r) => r.suite === name);
        if (rows.length === 0) continue;
        if (!suiteOrder.includes(name)) suiteOrder.splice(prev < 0 ? suiteOrder.length : prev + 1, 0, name);
        prev = suiteOrder.indexOf(name);
        if (taken.has(name)) continue;
        taken.set(name, { runtime, source: f, rows, contestants: uniq(rows.map((r) => r.contestant)) });
        used.push(name);
        const meta = f.suites?.find((s) => s.name === name);
        if (meta && !suiteMeta.has(name)) suiteMeta.set(name, { title: meta.title, notes: meta.notes ?? [] });
      }
      if (used.length) sources.push({ runtime, file: f, suites: used });
    }
    perRuntime.set(runtime, taken);
  }
  const suites = suiteOrder.map((name): SuiteView => {
    const rts = runtimes.map((r) => perRuntime.get(r)!.get(name)).filter((x): x is RuntimeSuite => !!x);
    const all = rts.flatMap((r) => r.rows);
    const measured = all.filter((r) => r.medianMs !== null);
    const unit = measured.length > 0 && measured.every((r) => r.flops > 0 && r.gflops !== null) ? 'GFLOP/s' : 'ms';
    return {
      name, title: suiteMeta.get(name)?.title ?? '', notes: suiteMeta.get(name)?.notes ?? [], unit,
      shapes: uniq(all.map((r) => r.case)), runtimes: rts,
    };
  });
  return { runtimes, sources, suites };
}

/** The build users of this file's runtime get by default, from the file's build list. */
export function primaryVariant(f: ResultsFile): string | null {
  return f.builds?.find((b) => b.primary)?.variant ?? null;
}

/** The row of our primary build for one shape: the primary `ours <variant>` row, else the first primary ours row. */
export function primaryRow(rows: ResultRow[], shape: string): ResultRow | null {
  const ours = rows.filter((r) => r.case === shape && r.kind === 'ours' && r.primary);
  return ours.find((r) => r.contestant === `ours ${r.variant}`) ?? ours[0] ?? null;
}

/** Our primary build's speedup vs the faster peer, or null. */
export function speedupOf(rs: RuntimeSuite, shape: string): { value: number; peer: string | null; contestant: string } | null {
  const r = primaryRow(rs.rows, shape);
  if (!r || r.speedupVsBestPeer === null || !Number.isFinite(r.speedupVsBestPeer)) return null;
  return { value: r.speedupVsBestPeer, peer: r.bestPeer, contestant: r.contestant };
}

/** True when some suite has a speedup to draw. */
export function hasSpeedups(model: ReportModel): boolean {
  return model.suites.some((s) => s.runtimes.some((rs) => s.shapes.some((sh) => speedupOf(rs, sh))));
}

/** 'node: simd' style labels of each runtime's primary build, in runtime order. */
export function primaryLabels(model: ReportModel, runtimes = model.runtimes, sep = ': '): string[] {
  return runtimes.flatMap((r) => {
    const f = model.sources.find((s) => s.runtime === r)?.file;
    const v = f ? primaryVariant(f) : null;
    return v ? [`${r}${sep}${v}`] : [];
  });
}

/** 3 significant digits, never in exponent form. */
export function fmtValue(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.001) return x.toPrecision(3);
  return x.toFixed(6);
}

export function fmtSpeedup(x: number): string {
  return `${x.toFixed(2)}x`;
}
