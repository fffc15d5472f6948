// Where the packaged builds live: build/ beside the package root. This file sits directly under bindings/ so that
// the same relative URL holds from the sources (bindings/ -> ../build) and from the bundle (dist/ -> ../build).
export type Variant = 'relaxed' | 'simd';

export function defaultWasmURL(variant: Variant): URL {
  return new URL(`../build/${variant}.wasm`, import.meta.url);
}
