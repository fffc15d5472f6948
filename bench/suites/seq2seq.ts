// One step of d2l's Seq2SeqAttentionDecoder (BahdanauDecoder: vocab 8000, embed 256, hidden 256, 2 GRU layers, source
// length 50, batch 1) against the weight-read floor: the read-only probe of bench/probes/read_floor.ts over every byte
// one step must read (the query projection W_q, w_v, both GRU layers' packed W_ih / W_hh and biases, the output layer
// dense [V, h] + bias, one embedding row, and the state's projected keys and encoder outputs). Goal: within 1.3x.
import { BahdanauDecoder, type DecoderState, type Tensor } from '../../bindings/index.ts';
import { join, oursFor, type Contestants } from '../contestants.ts';
import { weightReadFloor } from '../probes/read_floor.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { BenchContext, Case, OurBuild, Suite } from '../suite.ts';

const V = 8000, E = 256, H = 256, LAYERS = 2, S = 50;
const FLOOR_GOAL = 1.3;
const OPTIONS = { vocabSize: V, embedSize: E, numHiddens: H, numLayers: LAYERS } as const;

let stateDict: Record<string, Float32Array> | null = null;
function decoderStateDict(ctx: BenchContext): Record<string, Float32Array> {
  if (!stateDict) {
    const probe = new BahdanauDecoder(ctx.builds[0].rt, OPTIONS);
    const shapes = Object.fromEntries(probe.parameterShapes().map((p) => [p.name, [...p.shape]]));
    probe.dispose();
    stateDict = randomStateDict(shapes, 61);
  }
  return stateDict;
}

/** Bytes one step reads (packed layouts as the module stores them). */
export function stepBytes(b: OurBuild): number {
  const ps = (k: number, n: number) => b.rt.exports.packed_b_size_f32(k, n);
  const gru = (inF: number) => ps(inF, 3 * H) + ps(H, 3 * H) + 2 * 3 * H;   // W_ih, W_hh (gate-interleaved panels: same size), b_ih, b_hh
  const floats = ps(H, H) + H + gru(E + H) + (LAYERS - 1) * gru(H) + ps(H, V) + V + E + 2 * S * H;
  return 4 * floats;
}

function ours(ctx: BenchContext, sd: Record<string, Float32Array>, enc: Float32Array, hidden: Float32Array): Contestants {
  return oursFor(ctx, '', ['gemm_f32_packed_b', 'gru_step_f32'], ({ rt }) => {
    const dec = new BahdanauDecoder(rt, OPTIONS).loadStateDict(sd);
    const init = () => dec.initState({ outputs: { data: enc, shape: [S, 1, H] }, state: { data: hidden, shape: [LAYERS, 1, H] } });
    const st: DecoderState = init();
    let tok = 0;
    return {
      run: () => { dec.step([tok], st); tok = (tok + 1) % V; },
      // cross-check (untimed): the first step of a fresh state, the same for every build
      output: () => { const s = init(); const out: Tensor = dec.step([1], s).logits; const o = out.toArray(); s.dispose(); return o; },
      dispose: () => { st.dispose(); dec.dispose(); },
    };
  });
}

export const suite: Suite = {
  name: 'seq2seq',
  title: `Bahdanau decoder step (d2l Seq2SeqAttentionDecoder, vocab ${V}, embed ${E}, hidden ${H}, ${LAYERS} GRU layers, source ${S}, batch 1) vs the weight-read floor`,
  notes: [
    'ours: dec.step([token], state) on a state from dec.initState() (keys W_k h_s projected once there): query projection, fused additive scores over 50 positions, masked softmax, context, embedding, 2 GRU steps, output layer (8000 x 256). Logits stay in our memory.',
    `floor: the read-only probe over the bytes one step must read (size in the case label); "vs best peer" = floor time / step time: goal within ${FLOOR_GOAL}x of the floor, i.e. >= ${(1 / FLOOR_GOAL).toFixed(2)}x.`,
    'Milliseconds (flops = 0).',
  ],
  cases(ctx): Case[] {
    const b0 = ctx.builds.find((x) => x.primary) ?? ctx.builds[0];
    const mib = b0 ? ` ${(stepBytes(b0) / 2 ** 20).toFixed(1)} MiB` : '';
    return [{
      label: `step floor${mib} >=${(1 / FLOOR_GOAL).toFixed(2)}x`,
      flops: 0,
      async setup() {
        const sd = decoderStateDict(ctx);
        const floor = weightReadFloor(ctx, stepBytes);
        for (const c of floor.contestants) c.name = 'weight-read floor';
        return join(ours(ctx, sd, randomF32(S * H, 5), randomF32(LAYERS * H, 6)), floor);
      },
    }];
  },
};
