// The benchmark section of the README and bench/results/speedup.svg, rendered from every bench/results/*.json that
// bench/run.ts wrote. Called at the end of `npm run bench` (after the Deno run) and by hand:
//   npm run bench:report            (node --import tsx bench/report.ts)
//
// What it writes:
//   README.md, between <!-- bench:start --> and <!-- bench:end --> (nothing else in the file changes): a header line
//   per runtime (version, V8, date, machine), then per suite a table with one row per shape and one column per
//   runtime x contestant (GFLOP/s, or ms when a suite has no flop count), plus our speedup against the faster peer
//   and the % of the probed SIMD peak for the primary build of each runtime (Node: simd, Deno: relaxed).
//   bench/results/speedup.svg: a standalone bar chart of those speedups, one bar per (shape, runtime), grouped by
//   suite, with a reference line at 1.0x.
// Several files of one runtime (a full run `node.json` and filtered runs like `node-gemm.json`): the full run is used
// for every suite it has, filtered runs only fill in suites it lacks. A runtime without a suite leaves its columns
// out of that suite's table. The output depends only on the JSON files (no clock, no machine queries).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_TIMING } from './timing.ts';

/** The fields of a bench/run.ts result row that the report reads. */
export interface ResultRow {
  suite: string;
  case: string;
  flops: number;
  contestant: string;
  kind: 'ours' | 'peer';
  variant: string | null;
  primary: boolean;
  medianMs: number | null;
  gflops: number | null;
  speedupVsBestPeer: number | null;
  bestPeer: string | null;
  fractionOfPeak: number | null;
  checkOk: boolean | null;
  na: string | null;
}

/** One bench/results/<name>.json as bench/run.ts writes it (the fields the report reads). */
export interface ResultsFile {
  /** File name, e.g. 'node.json' (set by the loader, not part of the JSON). */
  file: string;
  runtime: string;
  version: string;
  v8: string;
  date: string;
  cpu: string;
  /** Logical cores, when the results record it. */
  cores?: number;
  builds?: { variant: string; primary: boolean }[];
  buildNotes?: string[];
  peers?: Record<string, string>;
  peaks?: Record<string, number>;
  timing?: { budgetMs?: number };
  suites?: { name: string; title: string; notes?: string[] }[];
  rows: ResultRow[];
}

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

const RUNTIME_ORDER = ['node', 'deno'];
const RUNTIME_COLOR: Record<string, string> = { node: '#3c873a', deno: '#334155' };
const FALLBACK_COLORS = ['#c2410c', '#7c3aed', '#0e7490', '#a16207'];

function runtimeRank(r: string): [number, string] {
  const i = RUNTIME_ORDER.indexOf(r);
  return [i < 0 ? RUNTIME_ORDER.length : i, r];
}

function byRuntime(a: string, b: string): number {
  const [ia, sa] = runtimeRank(a), [ib, sb] = runtimeRank(b);
  return ia - ib || (sa < sb ? -1 : sa > sb ? 1 : 0);
}

function isResultsFile(x: unknown): x is Omit<ResultsFile, 'file'> {
  const o = x as Partial<ResultsFile> | null;
  return !!o && typeof o === 'object' && typeof o.runtime === 'string' && Array.isArray(o.rows);
}

/** Reads every *.json in `dir` (sorted by name) that looks like a bench/run.ts result; others are skipped with a warning. */
export function loadResults(dir: string): ResultsFile[] {
  if (!existsSync(dir)) return [];
  const out: ResultsFile[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (e) {
      console.warn(`bench report: skipping ${name}: ${(e as Error).message}`);
      continue;
    }
    if (!isResultsFile(parsed)) {
      console.warn(`bench report: skipping ${name}: not a bench/run.ts results file`);
      continue;
    }
    out.push({ ...parsed, file: name });
  }
  return out;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Sorts the files into runtimes and suites (see the header for which file wins). */
export function buildModel(files: ResultsFile[]): ReportModel {
  const runtimes = uniq(files.map((f) => f.runtime)).sort(byRuntime);
  const sources: ReportModel['sources'] = [];
  const perRuntime = new Map<string, Map<string, RuntimeSuite>>();
  const suiteOrder: string[] = [];
  const suiteMeta = new Map<string, { title: string; notes: string[] }>();
  for (const runtime of runtimes) {
    const mine = files.filter((f) => f.runtime === runtime)
      .sort((a, b) => Number(b.file === `${runtime}.json`) - Number(a.file === `${runtime}.json`) || (a.file < b.file ? -1 : 1));
    const taken = new Map<string, RuntimeSuite>();
    for (const f of mine) {
      const names = uniq([...(f.suites ?? []).map((s) => s.name), ...f.rows.map((r) => r.suite)]);
      const used: string[] = [];
      let prev = -1; // a suite new to the report goes after the one before it in this file (run order), else last
      for (const name of names) {
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

function fmtDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function primaryVariant(f: ResultsFile): string | null {
  return f.builds?.find((b) => b.primary)?.variant ?? null;
}

function isQuick(f: ResultsFile): boolean {
  return typeof f.timing?.budgetMs === 'number' && f.timing.budgetMs < DEFAULT_TIMING.budgetMs;
}

/** One line per results file used: runtime, versions, date, machine, peers, peaks. */
export function runtimeLine(runtime: string, f: ResultsFile, suites: string[], allSuites: string[]): string {
  const machine = `${f.cpu || 'unknown CPU'}${typeof f.cores === 'number' ? `, ${f.cores} cores` : ''}`;
  const parts = [
    `**${runtime} ${f.version}** (V8 ${f.v8})`,
    fmtDate(f.date),
    machine,
  ];
  const builds = (f.builds ?? []).map((b) => `${b.variant}${b.primary ? ' (primary)' : ''}`).join(', ');
  if (builds) parts.push(`ours: ${builds}`);
  for (const [k, v] of Object.entries(f.peers ?? {})) parts.push(`${k}: ${v}`);
  const peaks = Object.entries(f.peaks ?? {}).filter(([k, v]) => k !== 'best' && typeof v === 'number' && v > 0);
  if (peaks.length) parts.push(`probed peak ${peaks.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} GFLOP/s`);
  if (f.buildNotes?.length) parts.push(f.buildNotes.join('; '));
  const extra: string[] = [];
  if (suites.length !== allSuites.length || f.file !== `${runtime}.json`) extra.push(`suites: ${suites.join(', ')}`);
  if (isQuick(f)) extra.push(`quick run: time budget ${f.timing!.budgetMs} ms per case instead of ${DEFAULT_TIMING.budgetMs}`);
  return `- ${parts.map(mdCell).join(' · ')} — from \`bench/results/${f.file}\`${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** The Markdown table of one suite. */
export function suiteTable(s: SuiteView): string[] {
  const head = ['shape'];
  const align = ['---'];
  type Col = (shape: string) => string;
  const cols: Col[] = [];
  let mismatch = false;
  for (const rs of s.runtimes) {
    for (const name of rs.contestants) {
      const primary = rs.rows.some((r) => r.contestant === name && r.primary);
      head.push(`${rs.runtime}<br>${name}${primary ? ' *' : ''}`);
      align.push('---:');
      cols.push((shape) => {
        const r = rs.rows.find((x) => x.case === shape && x.contestant === name);
        if (!r) return '';
        if (r.na !== null || r.medianMs === null) return 'n/a';
        const v = s.unit === 'ms' ? r.medianMs : r.gflops!;
        const flag = r.checkOk === false ? ' ⚠' : '';
        if (flag) mismatch = true;
        return fmtValue(v) + flag;
      });
    }
    const pv = primaryVariant(rs.source) ?? rs.rows.find((r) => r.primary)?.variant ?? null;
    const label = pv ? `${rs.runtime} ${pv}` : rs.runtime;
    if (s.shapes.some((sh) => speedupOf(rs, sh) !== null)) {
      head.push(`${label}<br>speedup`);
      align.push('---:');
      cols.push((shape) => {
        const sp = speedupOf(rs, shape);
        return sp ? `**${fmtSpeedup(sp.value)}**${sp.peer ? ` (${sp.peer})` : ''}` : (primaryRow(rs.rows, shape) ? 'n/a' : '');
      });
    }
    if (s.shapes.some((sh) => primaryRow(rs.rows, sh)?.fractionOfPeak != null)) {
      head.push(`${label}<br>% peak`);
      align.push('---:');
      cols.push((shape) => {
        const f = primaryRow(rs.rows, shape)?.fractionOfPeak;
        return f == null ? '' : `${(100 * f).toFixed(0)}%`;
      });
    }
  }
  const lines = [`| ${head.map(mdCell).join(' | ')} |`, `|${align.join('|')}|`];
  for (const shape of s.shapes) lines.push(`| ${[shape, ...cols.map((c) => c(shape))].map(mdCell).join(' | ')} |`);
  if (mismatch) lines.push('', '⚠ output differs from the reference peer by more than the suite\'s tolerance (see the full table in bench/results/).');
  return lines;
}

export interface MarkdownOptions {
  /** Path of the SVG relative to the README, for the image link; omit for no image. */
  svgLink?: string;
}

/** The whole section that goes between the README markers (no leading/trailing newline). */
export function renderMarkdown(model: ReportModel, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push('<!-- generated by bench/report.ts from bench/results/*.json: edit the generator, not this section -->');
  if (model.suites.length === 0) {
    out.push('No benchmark results yet: run `npm run bench` to produce `bench/results/`.');
    return out.join('\n');
  }
  const primaries = model.runtimes.map((r) => {
    const f = model.sources.find((s) => s.runtime === r)?.file;
    const v = f ? primaryVariant(f) : null;
    return v ? `${r}: ${v}` : null;
  }).filter(Boolean);
  out.push(
    '',
    'Ours against onnxruntime-web and tfjs-backend-wasm on the same inputs, in the same process. All figures are ' +
    '**single-thread**, each the **median** per call over **interleaved** timed rounds (every round times each contestant ' +
    'once, see `bench/timing.ts`). The machine is shared, so absolute times drift between runs: ' +
    '**compare the ratios**, which are measured side by side.',
    '',
    `- **speedup** = median time of the faster peer / median time of our primary build${primaries.length ? ` (${primaries.join(', ')})` : ''}; ` +
    'above 1.00x ours is faster. `*` marks the primary build.',
    '- **% peak** = the primary build\'s GFLOP/s as a share of the SIMD peak probed in the same run (fastest sample of the `peak` probes).',
    '- What each contestant\'s time includes is listed under each table; `n/a` = could not run there.',
    '',
  );
  if (opts.svgLink && model.suites.some((s) => s.runtimes.some((rs) => s.shapes.some((sh) => speedupOf(rs, sh))))) {
    out.push(`![speedup](${opts.svgLink})`, '');
  }
  const allSuites = (r: string) => model.sources.filter((s) => s.runtime === r).flatMap((s) => s.suites);
  for (const src of model.sources) out.push(runtimeLine(src.runtime, src.file, src.suites, allSuites(src.runtime)));
  for (const s of model.suites) {
    out.push('', `### ${s.name}${s.title ? `: ${s.title}` : ''}`, '');
    out.push(s.unit === 'GFLOP/s' ? 'GFLOP/s per contestant (higher is better).' : 'Milliseconds per call (lower is better).', '');
    out.push(...suiteTable(s));
    if (s.notes.length) out.push('', ...s.notes.map((n) => `- ${n}`));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// SVG

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates with at most 1 decimal, no '-0'. */
function n(x: number): string {
  const s = (Math.round(x * 10) / 10).toFixed(1).replace(/\.0$/, '');
  return s === '-0' ? '0' : s;
}

/** A tick step giving 4..8 ticks on [0, max]. */
function tickStep(max: number): number {
  for (const base of [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100]) if (max / base <= 8) return base;
  return Math.pow(10, Math.ceil(Math.log10(max / 8)));
}

export function renderSvg(model: ReportModel): string {
  const W = 800;
  const font = 'font-family="system-ui, -apple-system, \'Segoe UI\', Helvetica, Arial, sans-serif"';
  const suites = model.suites
    .map((s) => ({ s, rts: s.runtimes.filter((rs) => s.shapes.some((sh) => speedupOf(rs, sh))) }))
    .filter((x) => x.rts.length > 0);
  const runtimes = model.runtimes.filter((r) => suites.some((x) => x.rts.some((rs) => rs.runtime === r)));
  const color = (r: string) => RUNTIME_COLOR[r] ?? FALLBACK_COLORS[runtimes.filter((x) => !RUNTIME_COLOR[x]).indexOf(r) % FALLBACK_COLORS.length];
  const values = suites.flatMap(({ s, rts }) => rts.flatMap((rs) => s.shapes.map((sh) => speedupOf(rs, sh)?.value ?? 0)));
  const step = tickStep(Math.max(1.2, ...values) * 1.08);
  const xMax = Math.ceil(Math.max(1.2, ...values) * 1.08 / step) * step;
  const labelW = Math.max(110, 24 + 7.2 * Math.max(0, ...suites.flatMap(({ s }) => s.shapes.map((x) => x.length))));
  const x0 = labelW, plotW = W - labelW - 64;
  const sx = (v: number) => x0 + (v / xMax) * plotW;
  const barH = 15, barGap = 3, groupGap = 10, suiteHead = 26;
  const parts: string[] = [];
  let y = 20;
  parts.push(`<text x="16" y="${y + 6}" font-size="17" font-weight="600">Speedup of wasm-attention vs the faster peer (onnxruntime-web, tfjs-wasm)</text>`);
  y += 24;
  const primaries = runtimes.map((r) => {
    const f = model.sources.find((s) => s.runtime === r)?.file;
    const v = f ? primaryVariant(f) : null;
    return v ? `${r} ${v}` : r;
  });
  parts.push(`<text x="16" y="${y}" font-size="12" fill="#475569">Bar = median time of the faster peer / ours, for our primary build (${esc(primaries.join(', '))}); above 1.0x ours is faster.</text>`);
  y += 16;
  parts.push(`<text x="16" y="${y}" font-size="12" fill="#475569">Single thread, median of interleaved runs on a shared machine: compare ratios, not absolute times.</text>`);
  y += 22;
  // legend
  let lx = 16;
  for (const r of runtimes) {
    const f = model.sources.find((s) => s.runtime === r)?.file;
    const label = f ? `${r} ${f.version} (V8 ${f.v8})` : r;
    parts.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" rx="2" fill="${color(r)}"/>`);
    parts.push(`<text x="${lx + 17}" y="${y}" font-size="12">${esc(label)}</text>`);
    lx += 17 + 7 * label.length + 22;
  }
  y += 12;
  const plotTop = y;
  y += 8;
  const bars: string[] = [];
  const body: string[] = []; // text, drawn over the bars and the 1.0x line
  for (const { s, rts } of suites) {
    y += suiteHead;
    const maxTitle = Math.floor((W - 32) / 7.2) - s.name.length - 3;
    const title = s.title.length > maxTitle ? s.title.slice(0, Math.max(0, maxTitle - 1)) + '…' : s.title;
    body.push(`<text x="16" y="${n(y - 8)}" font-size="13" stroke="#ffffff" stroke-width="5" stroke-linejoin="round" paint-order="stroke"><tspan font-weight="600">${esc(s.name)}</tspan>${title ? `<tspan fill="#475569">  ${esc(title)}</tspan>` : ''}</text>`);
    for (const shape of s.shapes) {
      const groupH = rts.length * barH + (rts.length - 1) * barGap;
      body.push(`<text x="${n(x0 - 8)}" y="${n(y + groupH / 2 + 4)}" font-size="12" text-anchor="end">${esc(shape)}</text>`);
      for (const rs of rts) {
        const sp = speedupOf(rs, shape);
        if (sp) {
          const w = Math.max(1, sx(sp.value) - x0);
          const tip = `${s.name} ${shape}, ${rs.runtime} ${sp.contestant}: ${fmtSpeedup(sp.value)}${sp.peer ? ` vs ${sp.peer}` : ''}`;
          bars.push(`<rect class="bar" data-suite="${esc(s.name)}" data-shape="${esc(shape)}" data-runtime="${esc(rs.runtime)}" data-speedup="${sp.value.toFixed(4)}" x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="${barH}" fill="${color(rs.runtime)}"><title>${esc(tip)}</title></rect>`);
          body.push(`<text x="${n(x0 + w + 4)}" y="${n(y + barH - 3.5)}" font-size="11" fill="#0f172a" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${fmtSpeedup(sp.value)}</text>`);
        } else {
          body.push(`<text x="${n(x0 + 4)}" y="${n(y + barH - 3.5)}" font-size="11" fill="#94a3b8">${esc(rs.runtime)}: n/a</text>`);
        }
        y += barH + barGap;
      }
      y += groupGap - barGap;
    }
  }
  const plotBottom = y + 4;
  // grid and axis under the bars, the 1.0x line over them
  const grid: string[] = [];
  for (let t = 0; t <= xMax + 1e-9; t += step) {
    const tv = Math.round(t / step) * step;
    grid.push(`<line x1="${n(sx(tv))}" y1="${n(plotTop)}" x2="${n(sx(tv))}" y2="${n(plotBottom)}" stroke="${tv === 0 ? '#64748b' : '#e2e8f0'}" stroke-width="1"/>`);
    grid.push(`<text x="${n(sx(tv))}" y="${n(plotBottom + 15)}" font-size="11" text-anchor="middle" fill="#475569">${+tv.toFixed(2)}x</text>`);
  }
  const ref = [
    `<line class="ref" x1="${n(sx(1))}" y1="${n(plotTop)}" x2="${n(sx(1))}" y2="${n(plotBottom)}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="${n(sx(1) + 4)}" y="${n(plotTop + 10)}" font-size="11" fill="#dc2626">1.0x = parity</text>`,
  ];
  const H = Math.ceil(plotBottom + 28);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${font} fill="#0f172a">`,
    '<title>wasm-attention speedup vs the faster peer, per benchmark shape and runtime</title>',
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    ...parts, ...grid, ...bars, ...ref, ...body,
    '</svg>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// README

export const START_MARKER = '<!-- bench:start -->';
export const END_MARKER = '<!-- bench:end -->';

/** `readme` with what lies between the markers replaced by `content` (on its own lines); the rest stays byte-identical. */
export function replaceBetweenMarkers(readme: string, content: string): string {
  const s = readme.indexOf(START_MARKER);
  const e = readme.indexOf(END_MARKER, s + START_MARKER.length);
  if (s < 0 || e < 0) throw new Error(`README has no ${START_MARKER} ... ${END_MARKER} section`);
  if (readme.indexOf(START_MARKER, s + 1) >= 0 || readme.indexOf(END_MARKER, e + 1) >= 0) {
    throw new Error(`README has more than one ${START_MARKER} / ${END_MARKER}`);
  }
  return readme.slice(0, s + START_MARKER.length) + '\n' + content + '\n' + readme.slice(e);
}

export interface ReportPaths {
  resultsDir: string;
  readmePath: string;
  svgPath: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_PATHS: ReportPaths = {
  resultsDir: join(here, 'results'),
  readmePath: join(here, '..', 'README.md'),
  svgPath: join(here, 'results', 'speedup.svg'),
};

/** Reads the results, writes the SVG and the README section. Returns what it rendered. */
export function writeReport(paths: ReportPaths = DEFAULT_PATHS): { files: string[]; markdown: string; svg: string | null } {
  const files = loadResults(paths.resultsDir);
  if (files.length === 0) return { files: [], markdown: '', svg: null };
  const model = buildModel(files);
  const hasBars = model.suites.some((s) => s.runtimes.some((rs) => s.shapes.some((sh) => speedupOf(rs, sh))));
  const svgLink = relative(dirname(paths.readmePath), paths.svgPath).split(sep).join('/');
  const markdown = renderMarkdown(model, { svgLink });
  const svg = hasBars ? renderSvg(model) : null;
  if (svg !== null) writeFileSync(paths.svgPath, svg);
  const readme = readFileSync(paths.readmePath, 'utf8');
  const next = replaceBetweenMarkers(readme, markdown);
  if (next !== readme) writeFileSync(paths.readmePath, next);
  return { files: files.map((f) => f.file), markdown, svg };
}

export async function main(): Promise<void> {
  const r = writeReport();
  if (r.files.length === 0) {
    console.log(`bench report: no results in ${DEFAULT_PATHS.resultsDir}; run npm run bench first`);
    return;
  }
  console.log(`bench report: ${r.files.join(', ')} -> README.md (${START_MARKER} section)` +
    (r.svg !== null ? `, ${relative(process.cwd(), DEFAULT_PATHS.svgPath)}` : ''));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
