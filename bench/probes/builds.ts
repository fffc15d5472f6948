// Our builds for the tuning probes (bench/probes/gemm.ts, bench/probes/encoder.ts): the packaged simd and relaxed
// builds, plus, for A/B runs in one process, DIR/simd.wasm and DIR/relaxed.wasm of every --alt DIR (say, the last
// commit's, built elsewhere). A build the engine rejects is reported and skipped.
import { init, type Runtime } from '../../bindings/index.ts';

declare const Deno: unknown;

export interface ProbeBuild {
  /** 'simd', 'relaxed', or with the alt folder's name: 'simd base'. */
  name: string;
  rt: Runtime;
}

export async function probeBuilds(alts: string[], only?: string): Promise<ProbeBuild[]> {
  const builds: ProbeBuild[] = [];
  for (const variant of ['simd', 'relaxed'] as const) {
    if (only && only !== variant) continue;
    for (const dir of ['', ...alts]) {
      const name = dir ? `${variant} ${dir.split('/').pop()}` : variant;
      try {
        const path = `${dir}/${variant}.wasm`;
        // Deno's loader fetches a path itself; Node's is given the bytes
        const wasm = !dir ? undefined : typeof Deno === 'undefined' ? (await import('node:fs')).readFileSync(path) : path;
        builds.push({ name, rt: await init({ variant, ...(wasm ? { wasm } : {}) }) });
      } catch (e) { console.log(`(${name} not run: ${(e as Error).message})`); }
    }
  }
  return builds;
}
