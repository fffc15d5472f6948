// ONNX graphs equivalent to our modules (PyTorch eval semantics), built with bench/peers/onnx_model.ts and carrying
// the SAME weights as initializers, so onnxruntime-web can be compared with MultiHead / Transformer on equal terms.
//
// Weights come in as a PyTorch state dict (Record<name, Float32Array>, nn.MultiheadAttention /
// nn.TransformerEncoderLayer names). nn.Linear weights are [out, in]; the graphs use them the way torch.onnx exports
// a Linear on a 3-D input: MatMul with the transposed weight [in, out] as an initializer, then Add of the bias.
//
// Inputs and outputs (all graphs): 'x' [N, L, E] (batch first; N and L symbolic, one session serves every shape),
// output 'y' [N, L, E]. With `mask: true` the graph has a second input 'mask', an additive float mask broadcast onto
// the scores [N, H, L, L] (give it as [L, L] or [N, H, L, L]; the contrib-op graph needs [N, H, L, L] or [1, 1, L, L],
// see below). Fully masked rows are not supported here (ORT's Softmax gives NaN there; ours gives zeros).
//
// Two builds of the attention part:
//   'standard' - standard ONNX ops only:
//       qkv = MatMul(x, in_proj_weightᵀ [E, 3E]) + in_proj_bias;  q, k, v = Split(qkv, axis -1, [E, E, E])
//       q, v: Reshape [N, L, H, hd] -> Transpose (0, 2, 1, 3) = [N, H, L, hd];  k: Reshape -> Transpose (0, 2, 3, 1) = [N, H, hd, L]
//       s = MatMul(q, kᵀ) [N, H, L, L];  s = Mul(s, 1/√hd);  (+ mask);  p = Softmax(s, axis -1)
//       o = MatMul(p, v) [N, H, L, hd] -> Transpose (0, 2, 1, 3) -> Reshape [N, L, E]
//       y = MatMul(o, out_proj.weightᵀ) + out_proj.bias
//   'contrib'  - the com.microsoft Attention contrib op (onnxruntime's fused self-attention, CPU/wasm kernel):
//       o = com.microsoft.Attention(x, weights [E, 3E], bias [3E], mask_index: -, past: -, attention_bias: mask?)
//           with num_heads = H. Its weights are [input_hidden, 3·hidden] with Q | K | V column blocks, head h taking
//           columns [h·hd, (h+1)·hd) of each block: exactly in_proj_weightᵀ. Scale defaults to 1/√hd.
//           attention_bias is (N or 1, H or 1, L, L) float, added to the scores.
//       y = MatMul(o, out_proj.weightᵀ) + out_proj.bias
//
// Encoder layer (nn.TransformerEncoderLayer, eval): attention as above, then
//   post-norm: h = LN1(x + sa(x));  y = LN2(h + ff(h))        pre-norm (normFirst): h = x + sa(LN1(x)); y = h + ff(LN2(h))
//   ff(h) = MatMul(act(MatMul(h, linear1.weightᵀ) + b1), linear2.weightᵀ) + b2
//   LN = LayerNormalization (opset 17, axis -1, epsilon), act = Relu or com.microsoft Gelu (exact erf form).
import { GraphBuilder, attr } from './onnx_model.ts';

export type AttentionBuild = 'standard' | 'contrib';

export type StateDict = Record<string, Float32Array>;

/** [rows, cols] row-major -> its transpose [cols, rows]. */
export function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

function need(sd: StateDict, name: string, size: number): Float32Array {
  const w = sd[name];
  if (!w) throw new Error(`ort_graphs: missing weight '${name}'`);
  if (w.length !== size) throw new Error(`ort_graphs: weight '${name}' has ${w.length} values, expected ${size}`);
  return w;
}

/** y = MatMul(x, Wᵀ) + b for an nn.Linear weight W [out, in]; returns the output name. */
function linear(g: GraphBuilder, x: string, sd: StateDict, name: string, inF: number, outF: number, prefix: string): string {
  const w = need(sd, `${name}.weight`, outF * inF);
  g.initializer(`${prefix}${name}.weightT`, transpose2d(w, outF, inF), [inF, outF]);
  const [mm] = g.node('MatMul', [x, `${prefix}${name}.weightT`], [`${prefix}${name}.mm`]);
  const b = sd[`${name}.bias`];
  if (!b) return mm;
  g.initializer(`${prefix}${name}.bias`, need(sd, `${name}.bias`, outF), [outF]);
  return g.node('Add', [mm, `${prefix}${name}.bias`], [`${prefix}${name}.out`])[0];
}

/**
 * Self-attention of nn.MultiheadAttention (packed in_proj, bias true) on `x` [N, L, E] -> output name [N, L, E].
 * `sd` uses nn.MultiheadAttention names, looked up under `sdPrefix` (e.g. 'self_attn.').
 */
export function addSelfAttention(g: GraphBuilder, x: string, sd: StateDict, o: {
  E: number; H: number; build: AttentionBuild; mask?: string | null; sdPrefix?: string; prefix?: string;
}): string {
  const { E, H } = o;
  const hd = E / H;
  if (!Number.isInteger(hd)) throw new Error(`ort_graphs: E (${E}) must be divisible by H (${H})`);
  const sp = o.sdPrefix ?? '', p = o.prefix ?? 'attn.';
  const wqkv = need(sd, `${sp}in_proj_weight`, 3 * E * E);
  const bqkv = sd[`${sp}in_proj_bias`] ? need(sd, `${sp}in_proj_bias`, 3 * E) : null;
  g.initializer(`${p}in_proj_weightT`, transpose2d(wqkv, 3 * E, E), [E, 3 * E]);
  if (bqkv) g.initializer(`${p}in_proj_bias`, bqkv, [3 * E]);
  let merged: string;
  if (o.build === 'contrib') {
    const bias = bqkv ? `${p}in_proj_bias` : `${p}zero_bias`;
    if (!bqkv) g.initializer(bias, new Float32Array(3 * E), [3 * E]);
    const inputs = [x, `${p}in_proj_weightT`, bias];
    if (o.mask) inputs.push('', '', o.mask);   // mask_index, past omitted; attention_bias
    [merged] = g.node('Attention', inputs, [`${p}attn`], { num_heads: H }, { domain: 'com.microsoft' });
  } else {
    let [qkv] = g.node('MatMul', [x, `${p}in_proj_weightT`], [`${p}qkv.mm`]);
    if (bqkv) [qkv] = g.node('Add', [qkv, `${p}in_proj_bias`], [`${p}qkv`]);
    g.initializer(`${p}split`, [E, E, E], [3], 'INT64');
    const [q, k, v] = g.node('Split', [qkv, `${p}split`], [`${p}q`, `${p}k`, `${p}v`], { axis: -1 });
    g.initializer(`${p}heads_shape`, [0, 0, H, hd], [4], 'INT64');
    const heads = (t: string, perm: number[]) => {
      const [r] = g.node('Reshape', [t, `${p}heads_shape`], [`${t}.heads`]);
      return g.node('Transpose', [r], [`${t}.t`], { perm })[0];
    };
    const qh = heads(q, [0, 2, 1, 3]), kt = heads(k, [0, 2, 3, 1]), vh = heads(v, [0, 2, 1, 3]);
    const [s0] = g.node('MatMul', [qh, kt], [`${p}scores.raw`]);
    g.initializer(`${p}scale`, new Float32Array([1 / Math.sqrt(hd)]), []);
    let [s] = g.node('Mul', [s0, `${p}scale`], [`${p}scores`]);
    if (o.mask) [s] = g.node('Add', [s, o.mask], [`${p}scores.masked`]);
    const [pr] = g.node('Softmax', [s], [`${p}probs`], { axis: -1 });
    const [ctx] = g.node('MatMul', [pr, vh], [`${p}ctx`]);
    const [ct] = g.node('Transpose', [ctx], [`${p}ctx.t`], { perm: [0, 2, 1, 3] });
    g.initializer(`${p}merge_shape`, [0, 0, E], [3], 'INT64');
    [merged] = g.node('Reshape', [ct, `${p}merge_shape`], [`${p}merged`]);
  }
  return linear(g, merged, sd, `${sp}out_proj`, E, E, p);
}

/** An nn.MultiheadAttention self-attention graph: x [N, L, E] -> y [N, L, E] (+ input 'mask' when `mask`). */
export function mhaGraph(sd: StateDict, o: { E: number; H: number; build: AttentionBuild; mask?: boolean }): Uint8Array {
  const g = new GraphBuilder(`mha_${o.build}`);
  g.input('x', ['N', 'L', o.E]);
  if (o.mask) g.input('mask', null);
  const out = addSelfAttention(g, 'x', sd, { E: o.E, H: o.H, build: o.build, mask: o.mask ? 'mask' : null });
  g.node('Identity', [out], ['y']);
  g.output('y', ['N', 'L', o.E]);
  return g.model({ opset: 17 });
}

export interface EncoderGraphOptions {
  E: number;
  H: number;
  F: number;
  build: AttentionBuild;
  normFirst?: boolean;         // default false (post-norm)
  activation?: 'relu' | 'gelu'; // default relu; gelu = exact erf (com.microsoft Gelu)
  eps?: number;                // default 1e-5
  mask?: boolean;
}

/** An nn.TransformerEncoderLayer graph (eval, batch first): x [N, L, E] -> y [N, L, E]. */
export function encoderLayerGraph(sd: StateDict, o: EncoderGraphOptions): Uint8Array {
  const { E, H, F } = o;
  const eps = o.eps ?? 1e-5;
  const g = new GraphBuilder(`encoder_${o.build}`);
  g.input('x', ['N', 'L', E]);
  if (o.mask) g.input('mask', null);
  const norm = (x: string, name: string): string => {
    g.initializer(`${name}.weight`, need(sd, `${name}.weight`, E), [E]);
    const ins = [x, `${name}.weight`];
    if (sd[`${name}.bias`]) { g.initializer(`${name}.bias`, need(sd, `${name}.bias`, E), [E]); ins.push(`${name}.bias`); }
    return g.node('LayerNormalization', ins, [`${name}.out`], { axis: -1, epsilon: attr.float(eps) })[0];
  };
  const sa = (x: string) => addSelfAttention(g, x, sd, { E, H, build: o.build, mask: o.mask ? 'mask' : null, sdPrefix: 'self_attn.', prefix: 'self_attn.' });
  const ff = (x: string) => {
    const h = linear(g, x, sd, 'linear1', E, F, '');
    const [a] = o.activation === 'gelu'
      ? g.node('Gelu', [h], ['ff.act'], {}, { domain: 'com.microsoft' })
      : g.node('Relu', [h], ['ff.act']);
    return linear(g, a, sd, 'linear2', F, E, '');
  };
  let y: string;
  if (o.normFirst) {
    const [h] = g.node('Add', ['x', sa(norm('x', 'norm1'))], ['res1']);
    [y] = g.node('Add', [h, ff(norm(h, 'norm2'))], ['res2']);
  } else {
    const [r1] = g.node('Add', ['x', sa('x')], ['res1']);
    const h = norm(r1, 'norm1');
    const [r2] = g.node('Add', [h, ff(h)], ['res2']);
    y = norm(r2, 'norm2');
  }
  g.node('Identity', [y], ['y']);
  g.output('y', ['N', 'L', E]);
  return g.model({ opset: 17 });
}

/** Parameter shapes of nn.MultiheadAttention(E, H) (packed, bias) by name, for random weights. */
export function mhaParamShapes(E: number, prefix = ''): Record<string, number[]> {
  return {
    [`${prefix}in_proj_weight`]: [3 * E, E], [`${prefix}in_proj_bias`]: [3 * E],
    [`${prefix}out_proj.weight`]: [E, E], [`${prefix}out_proj.bias`]: [E],
  };
}

/** Parameter shapes of nn.TransformerEncoderLayer(E, H, F) (bias) by name. */
export function encoderParamShapes(E: number, F: number): Record<string, number[]> {
  return {
    ...mhaParamShapes(E, 'self_attn.'),
    'linear1.weight': [F, E], 'linear1.bias': [F], 'linear2.weight': [E, F], 'linear2.bias': [E],
    'norm1.weight': [E], 'norm1.bias': [E], 'norm2.weight': [E], 'norm2.bias': [E],
  };
}
