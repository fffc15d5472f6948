// GRU and LSTM layers (torch.nn semantics, one layer, unidirectional, inputSize = hiddenSize, seq-first) against
// onnxruntime-web's GRU (linear_before_reset = 1) and LSTM ops on the same weights: the whole sequence (T = 64,
// hidden 256 and 512, batch 1 and 8), and one decode step (batch 1) against ORT on a T = 1 graph and the weight-read
// floor (bench/probes/read_floor.ts). Also exports the ONNX graph builder the tests use (tests/nn/rnn.test.ts).
import { GRU, LSTM, type Tensor } from '../../bindings/index.ts';
import { GraphBuilder } from '../peers/onnx_model.ts';
import { join, ortGraphs, oursFor } from '../contestants.ts';
import { weightReadFloor } from '../probes/read_floor.ts';
import { randomF32, randomStateDict } from '../rng.ts';
import type { Case, OurBuild, Suite } from '../suite.ts';

export type RnnMode = 'GRU' | 'LSTM';
export interface RnnGraphOptions {
  mode: RnnMode;
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  bidirectional?: boolean;
  /** Graph inputs 'h0' (and 'c0' for LSTM) [D·numLayers, N, H]; else zeros. */
  states?: boolean;
}

/** PyTorch state-dict names and shapes (one entry per weight_ih_l{k}[_reverse], weight_hh, bias_ih, bias_hh). */
export function rnnParamShapes(o: RnnGraphOptions): Record<string, number[]> {
  const G = o.mode === 'GRU' ? 3 : 4, H = o.hiddenSize, D = o.bidirectional ? 2 : 1;
  const p: Record<string, number[]> = {};
  for (let l = 0; l < (o.numLayers ?? 1); l++) {
    const inF = l === 0 ? o.inputSize : D * H;
    for (const sfx of D === 2 ? ['', '_reverse'] : ['']) {
      p[`weight_ih_l${l}${sfx}`] = [G * H, inF];
      p[`weight_hh_l${l}${sfx}`] = [G * H, H];
      if (o.bias ?? true) { p[`bias_ih_l${l}${sfx}`] = [G * H]; p[`bias_hh_l${l}${sfx}`] = [G * H]; }
    }
  }
  return p;
}

/**
 * The ONNX graph of a torch.nn.GRU / LSTM (seq-first), with the state dict as initializers: per layer one GRU
 * (linear_before_reset = 1: PyTorch's b_hn inside the reset product) or LSTM node, gate blocks reordered from
 * PyTorch's (r, z, n -> ONNX z, r, h; i, f, g, o -> ONNX i, o, f, c), W [D, G·H, in], R [D, G·H, H],
 * B [D, 2·G·H] = [b_ih | b_hh]; Y [T, D, N, H] -> Transpose (0, 2, 1, 3) -> Reshape [T, N, D·H] feeds the next
 * layer. Inputs 'x' [T, N, in] (T, N symbolic), 'h0'/'c0' with `states`; outputs 'y' [T, N, D·H], 'hn' (and 'cn')
 * [D·numLayers, N, H] (Y_h of every layer concatenated: layer-major, forward direction first, as PyTorch's h_n).
 */
export function rnnGraph(sd: Record<string, Float32Array>, o: RnnGraphOptions): Uint8Array {
  const lstm = o.mode === 'LSTM', G = lstm ? 4 : 3, H = o.hiddenSize, D = o.bidirectional ? 2 : 1;
  const layers = o.numLayers ?? 1, bias = o.bias ?? true;
  const order = lstm ? [0, 3, 1, 2] : [1, 0, 2];   // ONNX gate block q <- PyTorch block order[q]
  const g = new GraphBuilder(o.mode);
  g.input('x', ['T', 'N', o.inputSize]);
  if (o.states) { g.input('h0', [D * layers, 'N', H]); if (lstm) g.input('c0', [D * layers, 'N', H]); }
  g.initializer('axes0', [0], [1], 'INT64');
  g.initializer('shape_tn', [0, 0, -1], [3], 'INT64');
  const reorder = (dst: Float32Array, at: number, src: Float32Array, rowLen: number) => {
    for (let q = 0; q < G; q++) dst.set(src.subarray(order[q] * H * rowLen, (order[q] + 1) * H * rowLen), at + q * H * rowLen);
  };
  let cur = 'x', inF = o.inputSize;
  const hs: string[] = [], cs: string[] = [];
  for (let l = 0; l < layers; l++) {
    const W = new Float32Array(D * G * H * inF), R = new Float32Array(D * G * H * H), B = new Float32Array(D * 2 * G * H);
    for (let d = 0; d < D; d++) {
      const s = d ? '_reverse' : '';
      reorder(W, d * G * H * inF, sd[`weight_ih_l${l}${s}`], inF);
      reorder(R, d * G * H * H, sd[`weight_hh_l${l}${s}`], H);
      if (bias) {
        reorder(B, d * 2 * G * H, sd[`bias_ih_l${l}${s}`], 1);
        reorder(B, d * 2 * G * H + G * H, sd[`bias_hh_l${l}${s}`], 1);
      }
    }
    g.initializer(`W${l}`, W, [D, G * H, inF]).initializer(`R${l}`, R, [D, G * H, H]);
    if (bias) g.initializer(`B${l}`, B, [D, 2 * G * H]);
    const inputs = [cur, `W${l}`, `R${l}`, bias ? `B${l}` : ''];
    if (o.states) {
      g.initializer(`s${l}`, [l * D], [1], 'INT64').initializer(`e${l}`, [(l + 1) * D], [1], 'INT64');
      inputs.push('', g.node('Slice', ['h0', `s${l}`, `e${l}`, 'axes0'], [`h0_${l}`])[0]);
      if (lstm) inputs.push(g.node('Slice', ['c0', `s${l}`, `e${l}`, 'axes0'], [`c0_${l}`])[0]);
    }
    const outs = lstm ? [`Y${l}`, `Yh${l}`, `Yc${l}`] : [`Y${l}`, `Yh${l}`];
    g.node(o.mode, inputs, outs, {
      hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward', ...(lstm ? {} : { linear_before_reset: 1 }),
    });
    hs.push(`Yh${l}`);
    if (lstm) cs.push(`Yc${l}`);
    const [t] = g.node('Transpose', [`Y${l}`], [`Yt${l}`], { perm: [0, 2, 1, 3] });
    cur = g.node('Reshape', [t, 'shape_tn'], [l === layers - 1 ? 'y' : `X${l + 1}`])[0];
    inF = D * H;
  }
  g.node('Concat', hs, ['hn'], { axis: 0 });
  if (lstm) g.node('Concat', cs, ['cn'], { axis: 0 });
  g.output('y', ['T', 'N', D * H]).output('hn', [D * layers, 'N', H]);
  if (lstm) g.output('cn', [D * layers, 'N', H]);
  return g.model({ opset: 17 });
}

const T = 64;
const HIDDEN = [256, 512];
const BATCHES = [1, 8];
/** Goals: >= 1.5x over ORT on the sequence; the decode step within 1.3x of the weight-read floor (>= 0.77x). */
const SEQ_GOAL = 1.5, FLOOR_GOAL = 1.3;

const gates = (mode: RnnMode) => (mode === 'GRU' ? 3 : 4);
/** Flops of T steps of one layer with inputSize = H (input and hidden products; gates not counted). */
const rnnFlops = (mode: RnnMode, steps: number, N: number, H: number) => 2 * steps * N * gates(mode) * H * (H + H);

/** Bytes a step reads once: W_ih and W_hh as our build packs them, both biases. */
function stepBytes(b: OurBuild, mode: RnnMode, H: number): number {
  const G = gates(mode), H8 = Math.ceil(H / 8) * 8, ps = b.rt.exports.packed_b_size_f32;
  return 4 * (ps(H, G * H) + ps(H, G * H8) + 2 * G * H);
}

export const suite: Suite = {
  name: 'rnn',
  title: `GRU / LSTM layer (inputSize = hidden, seq-first, 1 layer; case = mode, hidden, batch; seq: T = ${T}; goal = our target ratio)`,
  notes: [
    `flops = 2·T·N·G·H·(in + H) (G = 3 GRU, 4 LSTM; input and hidden products, gates not counted).`,
    'ours: gru.forward(x) / lstm.forward(x) with x a Tensor [T, N, H] in our memory, zero initial state, output left in our memory: the input projections of all T steps in one GEMM, then T fused step kernels (hidden product + gates).',
    'ort: one ONNX GRU node (linear_before_reset = 1, PyTorch\'s gate blocks reordered to ONNX\'s) or LSTM node with the same weights as initializers, opset 17; session.run per call with the input copied in and Y copied out.',
    `"step" cases: ours gru.step(x [N, H], h) / lstm.step(x, [h, c]) on a fixed state (every call computes the same step); peers: ORT on the same graph with T = 1 and initial_h (and initial_c) as inputs, and the weight-read floor over the bytes a step reads once (packed W_ih and W_hh, biases). "vs best peer" = the faster peer (the floor) / our time: goal within ${FLOOR_GOAL}x of the floor, i.e. >= ${(1 / FLOOR_GOAL).toFixed(2)}x.`,
    `sequence goal: >= ${SEQ_GOAL}x over ORT.`,
  ],
  cases(ctx): Case[] {
    const cases: Case[] = [];
    for (const mode of ['GRU', 'LSTM'] as const) {
      for (const H of HIDDEN) {
        const sdOf = () => randomStateDict(rnnParamShapes({ mode, inputSize: H, hiddenSize: H }), 17 + H + gates(mode));
        for (const N of BATCHES) {
          cases.push({
            label: `${mode} H=${H} N=${N} T=${T} >=${SEQ_GOAL}x`,
            flops: rnnFlops(mode, T, N, H),
            tolerance: 1e-4,
            async setup() {
              const sd = sdOf();
              const x = randomF32(T * N * H, 5 + N + H);
              const ours = oursFor(ctx, '', ['gru_step_f32', 'lstm_step_f32'], ({ rt }) => {
                const m = mode === 'GRU' ? new GRU(rt, { inputSize: H, hiddenSize: H }) : new LSTM(rt, { inputSize: H, hiddenSize: H });
                m.loadStateDict(sd);
                const t = rt.tensor(x, [T, N, H]);
                let out: Tensor | null = null;
                return {
                  run: () => { out = m.forward(t).output; },
                  output: () => out!.toArray(),
                  dispose: () => { t.dispose(); m.dispose(); },
                };
              });
              const ort = await ortGraphs(ctx, [{ name: 'ort', model: () => rnnGraph(sd, { mode, inputSize: H, hiddenSize: H }) }],
                { x: { data: x, dims: [T, N, H] } }, 'y');
              return join(ours, ort);
            },
          });
        }
        const N = 1;
        cases.push({
          label: `${mode} H=${H} N=${N} step >=${(1 / FLOOR_GOAL).toFixed(2)}x floor`,
          flops: rnnFlops(mode, 1, N, H),
          tolerance: 1e-4,
          async setup() {
            const sd = sdOf();
            const x = randomF32(N * H, 7 + H), h0 = randomF32(N * H, 8 + H), c0 = randomF32(N * H, 9 + H);
            const ours = oursFor(ctx, '', ['gru_step_f32', 'lstm_step_f32'], ({ rt }) => {
              const m = mode === 'GRU' ? new GRU(rt, { inputSize: H, hiddenSize: H }) : new LSTM(rt, { inputSize: H, hiddenSize: H });
              m.loadStateDict(sd);
              const xt = rt.tensor(x, [N, H]), ht = rt.tensor(h0, [1, N, H]), ct = rt.tensor(c0, [1, N, H]);
              let out: Tensor | null = null;
              const run = mode === 'GRU'
                ? () => { out = (m as GRU).step(xt, ht).output; }
                : () => { out = (m as LSTM).step(xt, [ht, ct]).output; };
              return { run, output: () => out!.toArray(), dispose: () => { xt.dispose(); ht.dispose(); ct.dispose(); m.dispose(); } };
            });
            const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [1, N, H] }, h0: { data: h0, dims: [1, N, H] } };
            if (mode === 'LSTM') feeds.c0 = { data: c0, dims: [1, N, H] };
            const ort = await ortGraphs(ctx, [{ name: 'ort T=1', model: () => rnnGraph(sd, { mode, inputSize: H, hiddenSize: H, states: true }) }], feeds, 'y');
            const floor = weightReadFloor(ctx, (b) => stepBytes(b, mode, H));
            return join(ours, ort, floor);
          },
        });
      }
    }
    return cases;
  },
};
