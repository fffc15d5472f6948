// Where the packaged builds live: build/ beside the package root. This file sits directly under bindings/ so that
// the same relative URL holds from the sources (bindings/ -> ../build) and from the bundle (dist/ -> ../build).
//
// Each build is named by its own `new URL('<literal>', import.meta.url)`: webpack 5, Vite and Parcel recognise exactly
// this form, copy the file into their output and rewrite the URL (a template literal such as `../build/${v}.wasm`
// becomes a glob lookup that breaks in Vite's dependency pre-bundling). The inline builds (dist/inline.*,
// dist/wasm-attention.inline.iife.js) replace this module, so they name no file at all.
export type Variant = 'relaxed' | 'simd';
/** A packaged build: a variant, or its shared-memory twin for init({ threads }) (memory imported as env.memory). */
export type BuildName = Variant | 'simd-threads' | 'relaxed-threads';

export function defaultWasmURL(variant: BuildName): URL {
  try {
    switch (variant) {
      case 'relaxed': return new URL('../build/relaxed.wasm', import.meta.url);
      case 'relaxed-threads': return new URL('../build/relaxed-threads.wasm', import.meta.url);
      case 'simd-threads': return new URL('../build/simd-threads.wasm', import.meta.url);
      default: return new URL('../build/simd.wasm', import.meta.url);
    }
  } catch (e) {
    // import.meta.url is missing when this module was bundled into an IIFE or CommonJS file by a tool that drops it
    throw new Error(`init: cannot locate the packaged ${variant} build: this bundle has no import.meta.url; ` +
      "import 'wasm-attention/inline' (the builds embedded) or pass init({ wasm: { simd, relaxed } })", { cause: e });
  }
}

/** The build's bytes when they are embedded in this bundle (the inline builds), else null. */
export function embeddedWasm(_variant: BuildName): Uint8Array | null {
  return null;
}
