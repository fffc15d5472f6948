// Browser demo: the same seed examples as `npm run demo` (demo/examples.ts), drawn as attention heatmaps.
// Bundled by scripts/build-dist.mjs into dist/demo/page.js, importing the package entry (dist/index.js).
import { attentionHeatmapSVG, init } from '../bindings/index.ts';
import { EXAMPLES } from './examples.ts';

interface DemoState { status: 'running' | 'done' | 'error'; variant?: string; examples: string[]; heatmaps: number; error?: string }
const state: DemoState = { status: 'running', examples: [], heatmaps: 0 };
(globalThis as unknown as { __demo: DemoState }).__demo = state;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

// Pages that are not cross-origin isolated get performance.now() rounded to ~0.1 ms, so a sub-millisecond
// median says little more than "below the timer's resolution".
const COARSE_MS = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? 0.005 : 0.1;
function timing(ms: number): string {
  if (ms < COARSE_MS) return `< ${COARSE_MS} ms per forward (below this page's timer resolution)`;
  const note = ms < 10 * COARSE_MS ? ` (the page's timer resolution is ${COARSE_MS} ms)` : '';
  return `${ms.toFixed(3)} ms per forward (median)${note}`;
}

async function main(): Promise<void> {
  const out = document.getElementById('examples')!;
  const rt = await init();
  state.variant = rt.variant;
  document.getElementById('variant')!.textContent =
    rt.variant === 'relaxed' ? 'relaxed (SIMD128 + relaxed SIMD fused multiply-add)' : 'simd (SIMD128)';
  for (const make of EXAMPLES) {
    const ex = make(rt);
    const maps = el('div', { className: 'maps' });
    for (const h of ex.heatmaps) {
      const fig = el('figure', { className: 'heatmap' });
      fig.dataset.name = h.name;
      fig.innerHTML = attentionHeatmapSVG({ data: h.weights, shape: [h.rows.length, h.cols.length] },
        { rowLabels: h.rows, colLabels: h.cols, title: h.title });
      maps.append(fig);
      state.heatmaps++;
    }
    const section = el('section', { id: ex.id },
      el('h2', {}, ex.title),
      el('p', { className: 'timing' }, timing(ex.ms)),
      el('pre', {}, ex.text.join('\n')),
      maps);
    out.append(section);
    state.examples.push(ex.id);
    await new Promise((r) => setTimeout(r, 0)); // let the page paint between examples
  }
  const s = rt.memoryStats();
  document.getElementById('memory')!.textContent =
    `wasm memory: ${(s.memoryBytes / 1048576).toFixed(1)} MiB, ${s.liveBlocks} live blocks after the demo`;
  state.status = 'done';
  document.body.dataset.status = 'done';
}

main().catch((e: unknown) => {
  state.status = 'error';
  state.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  document.body.dataset.status = 'error';
  document.getElementById('error')!.textContent = `The demo failed: ${state.error}`;
  console.error(e);
});
