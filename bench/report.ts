// Renders every bench/results/*.json (bench/report/schema.ts) into:
//   README.md, between <!-- bench:start --> and <!-- bench:end --> (nothing else in the file changes);
//   bench/results/<name>.md next to each <name>.json (detail tables);
//   bench/results/speedup.svg (bar chart of our speedups).
// Called at the end of `npm run bench` (after the Deno run) and by hand: `npm run bench:report`.
// The output depends only on the JSON files (no clock, no machine queries); unchanged output is not rewritten.
//   bench/report/schema.ts  the results JSON, loading and merging      bench/report/model.ts  runtimes x suites
//   bench/report/render.ts  Markdown and console tables                 bench/report/chart.ts  the SVG
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadResults } from './report/schema.ts';
import { buildModel, hasSpeedups } from './report/model.ts';
import { renderMarkdown, renderResultsDoc } from './report/render.ts';
import { renderSvg } from './report/chart.ts';

export { loadResults, mergeResults, type ResultRow, type ResultsFile } from './report/schema.ts';
export { buildModel, type ReportModel, type SuiteView } from './report/model.ts';
export { renderMarkdown, renderResultsDoc } from './report/render.ts';
export { renderSvg } from './report/chart.ts';

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

/** Writes `text` to `path` unless the file already holds exactly that. */
function writeIfChanged(path: string, text: string): void {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

/** Reads the results, writes the per-file Markdown, the SVG and the README section. Returns what it rendered. */
export function writeReport(paths: ReportPaths = DEFAULT_PATHS): { files: string[]; markdown: string; svg: string | null } {
  const files = loadResults(paths.resultsDir);
  if (files.length === 0) return { files: [], markdown: '', svg: null };
  for (const f of files) writeIfChanged(join(paths.resultsDir, f.file.replace(/\.json$/, '.md')), renderResultsDoc(buildModel([f])));
  const model = buildModel(files);
  const svgLink = relative(dirname(paths.readmePath), paths.svgPath).split(sep).join('/');
  const markdown = renderMarkdown(model, { svgLink });
  const svg = hasSpeedups(model) ? renderSvg(model) : null;
  if (svg !== null) writeIfChanged(paths.svgPath, svg);
  writeIfChanged(paths.readmePath, replaceBetweenMarkers(readFileSync(paths.readmePath, 'utf8'), markdown));
  return { files: files.map((f) => f.file), markdown, svg };
}

export async function main(): Promise<void> {
  const r = writeReport();
  if (r.files.length === 0) {
    console.log(`bench report: no results in ${DEFAULT_PATHS.resultsDir}; run npm run bench first`);
    return;
  }
  console.log(`bench report: ${r.files.join(', ')} -> README.md (${START_MARKER} section), their .md` +
    (r.svg !== null ? `, ${relative(process.cwd(), DEFAULT_PATHS.svgPath)}` : ''));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
