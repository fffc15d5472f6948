// Attention-weight heatmap as a standalone SVG string. Pure TypeScript, no DOM, no wasm.
import { checkOptions, describeValue } from '../errors.ts';

const W = 'attentionHeatmapSVG';
const OPTIONS = ['rowLabels', 'colLabels', 'title', 'domain', 'cellSize', 'digits', 'showValues', 'fontFamily'] as const;

/** A 2-D matrix: `{data, shape: [rows, cols]}` (a runtime Tensor fits) or an array of equal-length rows. */
export type HeatmapMatrix =
  | { data: ArrayLike<number>; shape: readonly number[] }
  | ArrayLike<number>[];

export interface HeatmapOptions {
  /** One label per row (query); default `0..rows-1`. */
  rowLabels?: readonly (string | number)[];
  /** One label per column (key); default `0..cols-1`. */
  colLabels?: readonly (string | number)[];
  /** Caption drawn above the matrix. */
  title?: string;
  /**
   * Value range mapped onto the colour ramp. Default: `[min(0, smallest), largest]` over the finite values, i.e.
   * `0..max` for attention weights so the strongest weight is always the brightest. Pass `[0, 1]` to compare several
   * heatmaps on one fixed scale. Values outside are clamped; NaN cells are grey.
   */
  domain?: readonly [number, number];
  /** Cell edge in px. Default 28, shrunk for large matrices so the grid stays about 640 px wide. */
  cellSize?: number;
  /** Significant digits of values in tooltips, legend and cells. Default 4. */
  digits?: number;
  /** Also print each value inside its cell (only legible for cellSize >= ~24). Default false. */
  showValues?: boolean;
  /** CSS font-family list of every text. Default DEFAULT_FONT_FAMILY: the system UI font, then fonts with CJK
   *  glyphs on Linux, macOS and Windows, then sans-serif, so Chinese, Japanese and Korean labels do not render as
   *  boxes where the first font lacks them. */
  fontFamily?: string;
}

/** The default font-family list: system UI fonts first, then CJK-capable fonts of each platform, then sans-serif. */
export const DEFAULT_FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, " +
  "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans', 'Microsoft YaHei', 'Noto Sans CJK JP', " +
  "'Yu Gothic', 'Meiryo', 'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif";

// Viridis (matplotlib) sampled at 9 evenly spaced points; perceptually uniform and colour-blind safe.
const RAMP: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54], [0x47, 0x2d, 0x7b], [0x3b, 0x52, 0x8b], [0x2c, 0x72, 0x8e], [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80], [0x5e, 0xc9, 0x62], [0xad, 0xdc, 0x30], [0xfd, 0xe7, 0x25],
];
const NAN_FILL = '#bdbdbd';
// Average glyph width of a sans-serif font relative to its size; only used to reserve label space. East Asian wide
// characters (CJK ideographs, kana, Hangul, fullwidth forms) are about one em wide.
const CHAR_W = 0.6;

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
}

/** Estimated width of `s` in units of the font size. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)!) ? 1 : CHAR_W;
  return w;
}

/**
 * 3 to 6 round values k·step in [lo, hi] for the colour bar, step = m·10^e: the smallest step with m in 1, 2, 5 that
 * gives 3 to 6 values, else (when 5 jumps below 3) the smallest with m = 2.5. One value (lo) when lo = hi.
 */
export function colorBarTicks(lo: number, hi: number): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new RangeError(`colorBarTicks: lo and hi must be finite, got ${lo}, ${hi}`);
  if (!(hi > lo)) return [lo];
  const e0 = Math.floor(Math.log10(hi - lo)) - 2;   // step <= span / 100: well over 6 values
  let fallback: [number, number, number] | null = null;
  for (let e = e0; e <= e0 + 4; e++) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** e;
      const k0 = Math.ceil(lo / step - 1e-9), k1 = Math.floor(hi / step + 1e-9), n = k1 - k0 + 1;
      if (n > 6 || n < 3) continue;
      if (m === 2.5) { fallback ??= [k0, k1, step]; continue; }
      return ticksOf(k0, k1, step);
    }
  }
  // not reached without a fallback: a step at most 2.5x the previous one with over 6 values leaves 3 or more
  return fallback ? ticksOf(...fallback) : [lo, hi];
}

function ticksOf(k0: number, k1: number, step: number): number[] {
  const ticks: number[] = [];
  for (let k = k0; k <= k1; k++) ticks.push(Number((k * step).toPrecision(12)) + 0);   // + 0: no -0
  return ticks;
}

/** A tick value as text: the shortest form of the rounded value (no 0.30000000000000004). */
function fmtTick(v: number): string {
  return String(Number(v.toPrecision(12)));
}

function hex2(v: number): string {
  return Math.round(v).toString(16).padStart(2, '0');
}

/** t in [0, 1] -> `#rrggbb` by linear interpolation between the ramp stops. */
export function viridis(t: number): string {
  if (typeof t !== 'number' || Number.isNaN(t)) throw new TypeError(`viridis: t must be a number in [0, 1], got ${describeValue(t)}`);
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return `#${hex2(a[0] + (b[0] - a[0]) * f)}${hex2(a[1] + (b[1] - a[1]) * f)}${hex2(a[2] + (b[2] - a[2]) * f)}`;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Coordinates rounded to 0.01 px: short, and identical across runs and engines. */
function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function fmtValue(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number';
}

function toMatrix(weights: HeatmapMatrix): { rows: number; cols: number; at: (r: number, c: number) => number } {
  if (Array.isArray(weights)) {
    const rows = weights.length;
    const cols = rows ? weights[0]?.length : 0;
    weights.forEach((row, r) => {
      if (!isArrayLike(row)) {
        throw new TypeError(`${W}: weights[${r}] is not an array of numbers, got ${describeValue(row)}`);
      }
      if (row.length !== cols) {
        throw new RangeError(`${W}: weights must be rectangular; row 0 has ${cols} values, row ${r} has ${row.length}`);
      }
    });
    check(rows, cols);
    return { rows, cols, at: (r, c) => Number(weights[r][c]) };
  }
  if (weights && typeof weights === 'object' && 'shape' in weights && 'data' in weights) {
    // a disposed Tensor would throw from its data getter without naming this call
    if ((weights as { disposed?: unknown }).disposed === true) throw new TypeError(`${W}: weights is a Tensor that is no longer valid (disposed)`);
    if (!Array.isArray(weights.shape)) throw new TypeError(`${W}: weights.shape must be an array [rows, cols], got ${describeValue(weights.shape)}`);
    const shape = [...weights.shape];
    if (shape.length !== 2) {
      throw new RangeError(`${W}: weights has the wrong rank: expected a 2-D matrix [rows, cols], got shape [${shape.join(', ')}]` +
        (shape.length > 2 ? ' (select one batch/head first)' : ''));
    }
    const [rows, cols] = shape;
    const data = weights.data;
    if (!isArrayLike(data)) throw new TypeError(`${W}: weights.data must be an array or typed array of numbers, got ${describeValue(data)}`);
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`${W}: weights.shape [${rows}, ${cols}] must hold non-negative integers`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(`${W}: weights shape [${rows}, ${cols}] needs ${rows * cols} values, data has ${data.length}`);
    }
    check(rows, cols);
    return { rows, cols, at: (r, c) => data[r * cols + c] };
  }
  throw new TypeError(`${W}: weights must be {data, shape: [rows, cols]} or an array of rows, got ${describeValue(weights)}`);
}

function check(rows: number, cols: number): void {
  if (!(rows >= 1 && cols >= 1)) throw new RangeError(`${W}: weights matrix is empty (${rows} x ${cols})`);
}

function labels(given: readonly (string | number)[] | undefined, n: number, what: string): string[] {
  if (given === undefined) return Array.from({ length: n }, (_, i) => String(i));
  if (!Array.isArray(given)) throw new TypeError(`${W}: ${what} must be an array of labels, got ${describeValue(given)}`);
  if (given.length !== n) throw new RangeError(`${W}: ${what} has ${given.length} labels but the matrix has ${n} ${what === 'rowLabels' ? 'rows' : 'columns'}`);
  return given.map(String);
}

/**
 * Renders attention weights (rows = queries, columns = keys) as a standalone SVG string: one `<rect>` per cell
 * coloured on a viridis ramp with a `<title>` tooltip "query <row> / key <col>: <value>", row labels on the left,
 * column labels on top (rotated when wider than a cell), a colour bar with 3 to 6 labelled round ticks (and the
 * min/max of the range where they do not crowd a tick), optional title. Text uses a font-family fallback list that
 * covers CJK (`fontFamily`). Output is deterministic and self-contained (no embedded fonts, scripts or links).
 */
export function attentionHeatmapSVG(weights: HeatmapMatrix, options: HeatmapOptions = {}): string {
  checkOptions(W, options, OPTIONS);
  const { rows, cols, at } = toMatrix(weights);
  const rowLabels = labels(options.rowLabels, rows, 'rowLabels');
  const colLabels = labels(options.colLabels, cols, 'colLabels');
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new RangeError(`${W}: digits must be an integer in 1..21, got ${describeValue(digits)}`);
  if (options.title !== undefined && typeof options.title !== 'string') throw new TypeError(`${W}: title must be a string, got ${describeValue(options.title)}`);
  if (options.showValues !== undefined && typeof options.showValues !== 'boolean') {
    throw new TypeError(`${W}: showValues must be a boolean, got ${describeValue(options.showValues)}`);
  }
  if (options.fontFamily !== undefined && (typeof options.fontFamily !== 'string' || !options.fontFamily.trim())) {
    throw new TypeError(`${W}: fontFamily must be a non-empty string (a CSS font-family list), got ${describeValue(options.fontFamily)}`);
  }
  const FONT = `font-family="${escapeXml(options.fontFamily ?? DEFAULT_FONT_FAMILY).replace(/&apos;/g, "'")}"`;

  let lo = 0;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = at(r, c);
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (hi === -Infinity) hi = 0; // no finite values
  if (options.domain !== undefined) {
    if (!Array.isArray(options.domain) || options.domain.length !== 2) {
      throw new TypeError(`${W}: domain must be [lo, hi], got ${describeValue(options.domain)}`);
    }
    [lo, hi] = options.domain;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new RangeError(`${W}: domain must be finite [lo, hi] with lo <= hi, got [${lo}, ${hi}]`);
    }
  }
  const span = hi - lo;
  const norm = (v: number) => (span > 0 ? (v - lo) / span : v > lo ? 1 : 0);

  const cell = options.cellSize ?? Math.max(4, Math.min(28, Math.floor(640 / Math.max(rows, cols))));
  if (typeof cell !== 'number' || !(cell > 0 && cell < Infinity)) throw new RangeError(`${W}: cellSize must be a positive finite number, got ${describeValue(cell)}`);
  const font = Math.max(6, Math.min(12, cell * 0.8));
  const drawLabels = cell >= 6; // below that, labels overlap into a smear; tooltips still carry them
  const pad = 8;

  const maxLen = (ls: string[]) => ls.reduce((m, s) => Math.max(m, textWidth(s)), 0);
  const rowLabelW = drawLabels ? maxLen(rowLabels) * font + 6 : 0;
  const colTextW = maxLen(colLabels) * font;
  const rotate = colTextW > cell - 2;
  const colLabelH = drawLabels ? (rotate ? colTextW : font) + 6 : 0;
  const titleH = options.title ? 22 : 0;

  const gridX = pad + rowLabelW;
  const gridY = pad + titleH + colLabelH;
  const gridW = cols * cell;
  const gridH = rows * cell;

  const legendX = gridX + gridW + 16;
  const legendW = 12;
  const legendH = Math.max(gridH, 60);
  // Colour bar labels: round ticks, plus the ends of the range (min, max) unless a tick label is within 12 px.
  const yOf = (v: number) => gridY + legendH * (1 - norm(v));
  const ticks = colorBarTicks(lo, hi).map((v) => ({ y: yOf(v), text: fmtTick(v) }));
  const ends = [{ y: gridY, text: fmtValue(hi, digits), baseline: 'hanging' }, { y: gridY + legendH, text: fmtValue(lo, digits), baseline: 'auto' }]
    .filter((e, i) => !(i === 1 && span === 0) && ticks.every((t) => t.text !== e.text && Math.abs(t.y - e.y) >= 12));
  const legendTextW = Math.max(...ticks.map((t) => textWidth(t.text)), ...ends.map((e) => textWidth(e.text))) * 10;
  const width = Math.max(legendX + legendW + 6 + legendTextW + pad,
    options.title ? textWidth(options.title) * 14 + 2 * pad : 0);
  const height = gridY + legendH + pad;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}">`);
  // Same id and stops in every heatmap, so several SVGs inlined in one page cannot disagree.
  out.push('<defs><linearGradient id="wasm-attention-viridis" x1="0" y1="1" x2="0" y2="0">');
  RAMP.forEach((_, i) => out.push(`<stop offset="${i / (RAMP.length - 1)}" stop-color="${viridis(i / (RAMP.length - 1))}"/>`));
  out.push('</linearGradient></defs>');
  if (options.title) {
    out.push(`<text x="${px(width / 2)}" y="${pad + 14}" text-anchor="middle" ${FONT} font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  }

  if (drawLabels) {
    out.push(`<g ${FONT} font-size="${px(font)}" fill="#222">`);
    rowLabels.forEach((l, r) => out.push(
      `<text x="${px(gridX - 4)}" y="${px(gridY + (r + 0.5) * cell)}" text-anchor="end" dominant-baseline="central">${escapeXml(l)}</text>`));
    colLabels.forEach((l, c) => {
      const x = gridX + (c + 0.5) * cell;
      const y = gridY - 4;
      out.push(rotate
        ? `<text x="${px(x)}" y="${px(y)}" transform="rotate(-90 ${px(x)} ${px(y)})" dominant-baseline="central">${escapeXml(l)}</text>`
        : `<text x="${px(x)}" y="${px(y)}" text-anchor="middle">${escapeXml(l)}</text>`);
    });
    out.push('</g>');
  }

  out.push('<g shape-rendering="crispEdges">');
  const valueFont = px(Math.max(6, Math.min(11, cell * 0.32)));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = at(r, c);
      const t = norm(v);
      const fill = Number.isNaN(v) ? NAN_FILL : viridis(t);
      const x = gridX + c * cell;
      const y = gridY + r * cell;
      const value = fmtValue(v, digits);
      out.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(cell)}" height="${px(cell)}" fill="${fill}">` +
        `<title>query ${escapeXml(rowLabels[r])} / key ${escapeXml(colLabels[c])}: ${value}</title></rect>`);
      if (options.showValues) {
        // Dark text on the bright (yellow) end, light text on the dark (purple) end.
        out.push(`<text x="${px(x + cell / 2)}" y="${px(y + cell / 2)}" text-anchor="middle" dominant-baseline="central" ` +
          `${FONT} font-size="${valueFont}" fill="${t > 0.6 && !Number.isNaN(v) ? '#000' : '#fff'}" pointer-events="none">${value}</text>`);
      }
    }
  }
  out.push('</g>');

  out.push(`<rect x="${px(legendX)}" y="${px(gridY)}" width="${legendW}" height="${px(legendH)}" fill="url(#wasm-attention-viridis)" stroke="#444" stroke-width="0.5"/>`);
  out.push(`<g class="colorbar-ticks" stroke="#444" stroke-width="1">`);
  for (const t of ticks) out.push(`<line x1="${px(legendX + legendW)}" y1="${px(t.y)}" x2="${px(legendX + legendW + 3)}" y2="${px(t.y)}"/>`);
  out.push('</g>');
  out.push(`<g ${FONT} font-size="10" fill="#222">`);
  for (const t of ticks) {
    out.push(`<text class="colorbar-tick" x="${px(legendX + legendW + 5)}" y="${px(t.y)}" dominant-baseline="central">${t.text}</text>`);
  }
  for (const e of ends) {
    out.push(`<text class="colorbar-end" x="${px(legendX + legendW + 5)}" y="${px(e.y)}"${e.baseline === 'hanging' ? ' dominant-baseline="hanging"' : ''}>${e.text}</text>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
