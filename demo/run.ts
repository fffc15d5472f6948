// `npm run demo`: runs the seed examples on this machine, prints results and timings, writes heatmaps.
import { mkdirSync, writeFileSync } from 'node:fs';
import { attentionHeatmapSVG, init } from '../bindings/index.ts';
import { EXAMPLES, threadsExample } from './examples.ts';

const rt = await init();
const outDir = new URL('../demo-output/', import.meta.url);
mkdirSync(outDir, { recursive: true });
console.log(`wasm-attention demo — build: ${rt.variant} (${rt.variant === 'relaxed' ? 'relaxed SIMD, fused multiply-add' : 'SIMD128'})\n`);
// the last example compares this runtime with one that runs a worker pool (init({ threads: 'auto' }))
const pooled = await init({ threads: 'auto' });
for (const make of [...EXAMPLES, (r: typeof rt) => threadsExample(r, pooled)]) {
  const ex = make(rt);
  console.log(`== ${ex.title}  (${ex.ms.toFixed(3)} ms per forward)`);
  for (const line of ex.text) console.log(line);
  for (const h of ex.heatmaps) {
    const file = new URL(`${h.name}.svg`, outDir);
    const svg = attentionHeatmapSVG({ data: h.weights, shape: [h.rows.length, h.cols.length] }, { rowLabels: h.rows, colLabels: h.cols, title: h.title });
    writeFileSync(file, svg);
    console.log(`  heatmap -> demo-output/${h.name}.svg`);
  }
  console.log();
}
pooled.dispose();
const s = rt.memoryStats();
console.log(`wasm memory: ${(s.memoryBytes / 1048576).toFixed(1)} MiB, ${s.liveBlocks} live blocks after the demo`);
