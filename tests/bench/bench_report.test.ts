// bench/report.ts on fixture results (shaped like bench/results/<runtime>.json), written to a temp dir: Markdown
// rows and ratios, the README markers, the SVG bars, determinism. Never touches the real README or bench/results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildModel, loadResults, renderMarkdown, renderSvg, replaceBetweenMarkers, writeReport,
  type ResultRow, type ResultsFile,
} from '../../bench/report.ts';

type Timings = Record<string, number | null>; // contestant -> median ms (null = n/a)

/** Rows of one case as bench/run.ts makes them: gflops from flops, speedup = faster peer's median / ours. */
function caseRows(suite: string, label: string, flops: number, primary: string, t: Timings, peak = 0): ResultRow[] {
  const names = Object.keys(t);
  const peers = names.filter((x) => !x.startsWith('ours') && t[x] !== null);
  const best = peers.reduce<string | null>((b, x) => (b === null || t[x]! < t[b]! ? x : b), null);
  return names.map((name) => {
    const ms = t[name];
    const ours = name.startsWith('ours');
    const variant = ours ? name.split(' ')[1] : null;
    const gf = ms === null ? null : flops / (ms * 1e6);
    return {
      suite, case: label, flops, contestant: name, kind: ours ? 'ours' : 'peer', variant,
      primary: variant === primary, medianMs: ms, gflops: gf,
      speedupVsBestPeer: ours && best && ms !== null ? t[best]! / ms : null,
      bestPeer: ours && best && ms !== null ? best : null,
      fractionOfPeak: gf !== null && peak ? gf / peak : null,
      checkOk: ms === null ? null : true, na: ms === null ? 'did not run' : null,
    } as ResultRow;
  });
}

function file(runtime: 'node' | 'deno', rows: ResultRow[], extra: Partial<ResultsFile> = {}): Omit<ResultsFile, 'file'> {
  const primary = runtime === 'node' ? 'simd' : 'relaxed';
  return {
    runtime, version: runtime === 'node' ? '22.1.0' : '2.9.6', v8: runtime === 'node' ? '12.4.254' : '15.0.245',
    date: '2026-01-02T03:04:05.678Z', cpu: 'Test CPU', cores: 8,
    builds: [{ variant: 'simd', primary: primary === 'simd' }, { variant: 'relaxed', primary: primary === 'relaxed' }],
    buildNotes: [], peers: { ort: 'onnxruntime-web 1.30.0', tfjs: 'tfjs-backend-wasm 4.22.0' },
    peaks: { simd: 40, relaxed: 50, best: 50 }, timing: { budgetMs: 500 },
    suites: [...new Set(rows.map((r) => r.suite))].map((name) => ({ name, title: `${name} title`, notes: [`${name} note`] })),
    rows, ...extra,
  };
}

const GEMM = 'gemm', SOFTMAX = 'softmax';
const g16 = 2 * 16 * 512 * 512, g128 = 2 * 128 * 512 * 512;

const nodeJson = file('node', [
  ...caseRows('peak', 'madd', 96e4, 'simd', { 'ours simd': 0.024, 'ours relaxed': 0.02 }, 50),
  // 16x512x512: ours simd 20 GFLOP/s, tfjs 10 (faster than ort at 7.5) -> 2.00x; 20 of the 40 GFLOP/s simd peak -> 50%
  ...caseRows(GEMM, '16x512x512', g16, 'simd', { 'ours simd': g16 / 20e6, 'ours relaxed': g16 / 25e6, ort: 2 * g16 / 15e6, tfjs: 2 * g16 / 20e6 }, 40),
  ...caseRows(GEMM, '128x512x512', g128, 'simd', { 'ours simd': 4, 'ours relaxed': 2, ort: 3, tfjs: null }, 40),
  ...caseRows(SOFTMAX, '1024x128', 5 * 1024 * 128, 'simd', { 'ours simd': 0.1, 'ours relaxed': 0.1, ort: 0.25, tfjs: 0.2 }, 40),
]);
const denoJson = file('deno', [
  ...caseRows(GEMM, '16x512x512', g16, 'relaxed', { 'ours simd': 1, 'ours relaxed': 0.5, ort: 0.75, tfjs: 1 }, 50),
  ...caseRows(GEMM, '128x512x512', g128, 'relaxed', { 'ours simd': 4, 'ours relaxed': 4, ort: 3, tfjs: 5 }, 50),
]);
// an older filtered run of node: must not override node.json's gemm
const nodeGemmJson = file('node', caseRows(GEMM, '16x512x512', g16, 'simd', { 'ours simd': 1, 'ours relaxed': 1, ort: 9, tfjs: 9 }),
  { timing: { budgetMs: 250 } });

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  const results = join(dir, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'node.json'), JSON.stringify(nodeJson, null, 1));
  writeFileSync(join(results, 'deno.json'), JSON.stringify(denoJson, null, 1));
  writeFileSync(join(results, 'node-gemm.json'), JSON.stringify(nodeGemmJson, null, 1));
  writeFileSync(join(results, 'notes.json'), JSON.stringify({ hello: 'not a results file' }));
  return dir;
}

const README = '# Title\n\nIntro.\n\n## Benchmarks\n\n<!-- bench:start -->\nold text\n<!-- bench:end -->\n\n## After\n\ntail  \n';

/** The table of a suite: its lines from the header row to the first blank line after it. */
function table(md: string, suite: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`### ${suite}`));
  assert.ok(start >= 0, `no section for ${suite}`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].slice(1, -1).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

function cell(rows: string[][], shape: string, column: string): string {
  const c = rows[0].indexOf(column);
  assert.ok(c >= 0, `no column ${column} in ${rows[0].join(', ')}`);
  const r = rows.find((x) => x[0] === shape);
  assert.ok(r, `no row ${shape}`);
  return r[c];
}

test('Markdown: a row per shape, columns per runtime x contestant, speedup and % peak of the primary build', () => {
  const dir = fixtureDir();
  try {
    const model = buildModel(loadResults(join(dir, 'bench', 'results')));
    assert.deepEqual(model.runtimes, ['node', 'deno']);
    assert.deepEqual(model.suites.map((s) => s.name), ['peak', GEMM, SOFTMAX]);
    const md = renderMarkdown(model, { svgLink: 'bench/results/speedup.svg' });

    assert.match(md, /!\[speedup\]\(bench\/results\/speedup\.svg\)/);
    assert.match(md, /single-thread/);
    assert.match(md, /median/);
    assert.match(md, /compare the ratios/);
    // a header line per runtime: version, V8, date, machine with cores; the filtered node file is not used
    assert.match(md, /^- \*\*node 22\.1\.0\*\* \(V8 12\.4\.254\) · 2026-01-02 03:04 UTC · Test CPU, 8 cores .*`bench\/results\/node\.json`/m);
    assert.match(md, /^- \*\*deno 2\.9\.6\*\* \(V8 15\.0\.245\) · 2026-01-02 03:04 UTC · Test CPU, 8 cores .*`bench\/results\/deno\.json`/m);
    assert.doesNotMatch(md, /node-gemm\.json/);

    const gemm = table(md, GEMM);
    assert.deepEqual(gemm.slice(2).map((r) => r[0]), ['16x512x512', '128x512x512']);
    assert.deepEqual(gemm[0], [
      'shape',
      'node<br>ours simd *', 'node<br>ours relaxed', 'node<br>ort', 'node<br>tfjs', 'node simd<br>speedup', 'node simd<br>% peak',
      'deno<br>ours simd', 'deno<br>ours relaxed *', 'deno<br>ort', 'deno<br>tfjs', 'deno relaxed<br>speedup', 'deno relaxed<br>% peak',
    ]);
    assert.equal(gemm[2].length, gemm[0].length);
    // GFLOP/s cells
    assert.equal(cell(gemm, '16x512x512', 'node<br>ours simd *'), '20.0');
    assert.equal(cell(gemm, '16x512x512', 'node<br>ours relaxed'), '25.0');
    assert.equal(cell(gemm, '128x512x512', 'node<br>tfjs'), 'n/a');
    // ratios: node 16x512x512: tfjs at 10 GFLOP/s is the faster peer, ours simd at 20 -> 2.00x; 20/40 = 50% of peak
    assert.equal(cell(gemm, '16x512x512', 'node simd<br>speedup'), '**2.00x** (tfjs)');
    assert.equal(cell(gemm, '16x512x512', 'node simd<br>% peak'), '50%');
    assert.equal(cell(gemm, '128x512x512', 'node simd<br>speedup'), '**0.75x** (ort)');
    assert.equal(cell(gemm, '16x512x512', 'deno relaxed<br>speedup'), '**1.50x** (ort)');
    assert.equal(cell(gemm, '128x512x512', 'deno relaxed<br>speedup'), '**0.75x** (ort)');

    // a runtime without a suite: its columns are left out, no error
    const sm = table(md, SOFTMAX);
    assert.ok(sm[0].every((h) => !h.startsWith('deno')));
    assert.equal(cell(sm, '1024x128', 'node simd<br>speedup'), '**2.00x** (tfjs)');
    // the peak probe has no peers: no speedup column
    assert.ok(table(md, 'peak')[0].every((h) => !h.includes('speedup')));
    // suite notes follow the table
    assert.match(md, /^- gemm note$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SVG: standalone, one bar per (shape, runtime) with its speedup, a 1.0x line', () => {
  const dir = fixtureDir();
  try {
    const svg = renderSvg(buildModel(loadResults(join(dir, 'bench', 'results'))));
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="\d+" viewBox="0 0 800 \d+"/);
    assert.doesNotMatch(svg, /href=|url\(|@import|<script/);
    const bars = [...svg.matchAll(/<rect class="bar" data-suite="([^"]*)" data-shape="([^"]*)" data-runtime="([^"]*)" data-speedup="([^"]*)"/g)]
      .map((m) => `${m[1]} ${m[2]} ${m[3]} ${Number(m[4]).toFixed(2)}`);
    assert.deepEqual(bars, [
      'gemm 16x512x512 node 2.00', 'gemm 16x512x512 deno 1.50',
      'gemm 128x512x512 node 0.75', 'gemm 128x512x512 deno 0.75',
      'softmax 1024x128 node 2.00',
    ]);
    assert.equal((svg.match(/class="ref"/g) ?? []).length, 1);
    for (const label of ['2.00x', '1.50x', '0.75x']) assert.ok(svg.includes(`>${label}</text>`), label);
    assert.equal((svg.match(/<svg/g) ?? []).length, 1);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeReport: only the README section between the markers changes; same JSON -> same bytes', () => {
  const dir = fixtureDir();
  try {
    const paths = { resultsDir: join(dir, 'bench', 'results'), readmePath: join(dir, 'README.md'), svgPath: join(dir, 'bench', 'results', 'speedup.svg') };
    writeFileSync(paths.readmePath, README);
    const first = writeReport(paths);
    assert.deepEqual(first.files, ['deno.json', 'node-gemm.json', 'node.json']);
    const readme1 = readFileSync(paths.readmePath, 'utf8');
    const svg1 = readFileSync(paths.svgPath, 'utf8');
    const head = README.slice(0, README.indexOf('<!-- bench:start -->') + '<!-- bench:start -->'.length);
    const tail = README.slice(README.indexOf('<!-- bench:end -->'));
    assert.ok(readme1.startsWith(head + '\n'));
    assert.ok(readme1.endsWith('\n' + tail));
    assert.doesNotMatch(readme1, /old text/);
    assert.ok(readme1.includes('![speedup](bench/results/speedup.svg)'));
    assert.equal(svg1, first.svg);
    // again: identical output, README unchanged
    const second = writeReport(paths);
    assert.equal(readFileSync(paths.readmePath, 'utf8'), readme1);
    assert.equal(second.svg, svg1);
    assert.equal(second.markdown, first.markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replaceBetweenMarkers refuses a README without (or with doubled) markers', () => {
  assert.throws(() => replaceBetweenMarkers('# no markers\n', 'x'), /bench:start/);
  assert.throws(() => replaceBetweenMarkers('<!-- bench:end -->\n<!-- bench:start -->\n', 'x'), /bench:start/);
  assert.throws(() => replaceBetweenMarkers('<!-- bench:start -->a<!-- bench:end --><!-- bench:start -->b<!-- bench:end -->', 'x'), /more than one/);
  assert.equal(replaceBetweenMarkers('a<!-- bench:start -->old<!-- bench:end -->b', 'new'), 'a<!-- bench:start -->\nnew\n<!-- bench:end -->b');
});
