// wasm-attention/inline: the same API as the default entry, with both builds embedded in the JavaScript (base64,
// about 56 KB + 59 KB), so there is no .wasm file to fetch, read, copy or serve: for bundlers that do not copy
// `new URL('…', import.meta.url)` assets, plain <script> pages (dist/wasm-attention.inline.iife.js, global
// `WasmAttention`), classic workers, single-file apps, Deno without --allow-read, and strict sandboxes.
// init() picks the variant exactly as the default entry does (relaxed where the engine validates it, else simd) and
// decodes only the one it uses. The embedding is done by scripts/build-dist.mjs, which swaps ./wasm_url.ts for a
// module holding the bytes; run from the sources (tests, tsx) this entry reads build/*.wasm like the default one.
export * from './index.ts';
