// The bench-only probe build (assembly/probes/, asconfig targets probes-simd and probes-relaxed, built by
// `npm run build`): build/probes-simd.wasm and build/probes-relaxed.wasm, one per variant, instantiated on their
// own (they import nothing and share no memory with the kernels). The release builds do not export the probes.
import { compileWasm, instantiateWasm, type Variant } from '../../bindings/runtime/loader.ts';
import type { ProbeExports } from '../../bindings/runtime/kernels.ts';

const cache = new Map<Variant, Promise<ProbeExports>>();

/** The probe exports for a variant's build (compiled once per process). */
export function loadProbes(variant: Variant): Promise<ProbeExports> {
  let p = cache.get(variant);
  if (!p) {
    p = compileWasm(new URL(`../../build/probes-${variant}.wasm`, import.meta.url))
      .then(instantiateWasm)
      .then((inst) => inst.exports as unknown as ProbeExports);
    cache.set(variant, p);
  }
  return p;
}
