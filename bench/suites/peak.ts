// The SIMD FLOP-rate probes (assembly/probes/peak_probe_f32.ts, in the bench-only build/probes-*.wasm, loaded by
// bench/probes.ts): the best f32 rate this engine reaches with independent mul+add chains (peak_mul_add_f32)
// and with madd chains (peak_madd_f32: one FMA per step in the relaxed build, mul + add in the simd build).
// bench/run.ts uses the results for the "% of peak" column.
import { oursFor } from '../contestants.ts';
import { loadProbes } from '../probes/peak_build.ts';
import type { Case, Suite } from '../suite.ts';

/** Flops of one loop iteration of either probe: 12 chains x 4 lanes x (mul + add); see assembly/probes/peak_probe_f32.ts. */
export const PEAK_FLOPS_PER_ITER = 96;
const ITERS = 20000;

export const suite: Suite = {
  name: 'peak',
  title: 'SIMD peak probe (12 independent f32x4 chains, no memory traffic)',
  notes: [
    `flops = iters·${PEAK_FLOPS_PER_ITER} per call (iters = ${ITERS}).`,
    'mul+add: f32x4.mul then f32x4.add. madd: relaxed_madd (FMA) in the relaxed build, mul + add in the simd build.',
    '% of peak elsewhere uses the fastest sample of these probes (an upper bound): ours simd rows against the simd build\'s best probe, ours relaxed rows against the relaxed build\'s best probe, peers against the best probe of any build.',
  ],
  cases(ctx): Case[] {
    return (['peak_mul_add_f32', 'peak_madd_f32'] as const).map((probe) => ({
      label: probe === 'peak_madd_f32' ? 'madd' : 'mul+add',
      flops: ITERS * PEAK_FLOPS_PER_ITER,
      async setup() {
        // no output cross-check: the fused and unfused chains round differently by design
        let sink = 0;
        const probes = new Map(await Promise.all(ctx.builds.map(async (b) => [b.variant, await loadProbes(b.variant)] as const)));
        return oursFor(ctx, '', [], ({ variant }) => {
          const run = probes.get(variant)![probe];
          return { run: () => { sink += run(ITERS); } };
        });
      },
    }));
  },
};
