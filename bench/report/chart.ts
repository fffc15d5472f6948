// bench/results/speedup.svg: a standalone bar chart of our primary build's speedup over the faster peer, one bar per
// (shape, runtime), grouped by suite, with a reference line at 1.0x. No scripts, links or external resources.
import { fmtSpeedup, primaryLabels, speedupOf, type ReportModel } from './model.ts';

const RUNTIME_COLOR: Record<string, string> = { node: '#3c873a', deno: '#334155' };
const FALLBACK_COLORS = ['#c2410c', '#7c3aed', '#0e7490', '#a16207'];

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
  const primaries = primaryLabels(model, runtimes, ' ');
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
