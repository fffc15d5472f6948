// The same small computations run in every runtime the package ships to (Node from source, the packed tarball
// via import and require, Deno and Chromium via dist/index.js), so their results can be compared with each other.
// Platform neutral on purpose: no node: imports, no DOM; it receives the library as an argument.

/** The slice of the package's public API these checks use (structural, so any build of it fits). */
export interface Lib {
  init(options?: { variant?: 'auto' | 'relaxed' | 'simd' }): Promise<RuntimeLike>;
  Attention?: new (rt: RuntimeLike, options: Record<string, unknown>) => ModuleLike;
  MultiHead?: new (rt: RuntimeLike, options: Record<string, unknown>) => ModuleLike;
  Transformer?: new (rt: RuntimeLike, options: Record<string, unknown>) => ModuleLike;
}
interface TensorLike { readonly data: Float32Array; readonly shape: readonly number[]; dispose(): void }
interface RuntimeLike { readonly variant: string; tensor(data: ArrayLike<number>, shape: readonly number[]): TensorLike }
interface ModuleLike {
  parameterShapes(): { name: string; shape: readonly number[] }[];
  loadStateDict(sd: Record<string, { data: Float32Array; shape: readonly number[] }>): unknown;
  forward(...args: unknown[]): unknown;
  dispose(): void;
}

/** What one runtime computed. Modules the library does not export (yet) are null. */
export interface Results {
  variant: string;
  tensor: number[];
  attention: { output: number[]; weights: number[] } | null;
  multiHead: { output: number[]; weights: number[] } | null;
  transformer: number[] | null;
}

/** Deterministic values in about [-scale, scale], the same bits in every JavaScript engine. */
export function fixed(n: number, seed: number, scale = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = scale * Math.sin(0.37 * i + 1.3 * seed) * Math.cos(0.11 * i * seed + 0.5);
  return x;
}

/** A full state dict for `m` from its own parameter list: LayerNorm weights near 1, everything else small. */
export function fixedStateDict(m: Pick<ModuleLike, 'parameterShapes'>, seed: number): Record<string, { data: Float32Array; shape: readonly number[] }> {
  const sd: Record<string, { data: Float32Array; shape: readonly number[] }> = {};
  m.parameterShapes().forEach((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = fixed(n, seed + i, 0.4);
    if (/norm\d*\.weight$/.test(p.name)) for (let j = 0; j < n; j++) data[j] += 1;
    sd[p.name] = { data, shape: p.shape };
  });
  return sd;
}

const list = (x: ArrayLike<number>): number[] => Array.from(x, (v) => v);

/** Runs the checks with `lib` (init, tensor round trip, Attention, MultiHead, Transformer forwards). */
export async function runChecks(lib: Lib, options: { variant?: 'auto' | 'relaxed' | 'simd' } = {}): Promise<Results> {
  const rt = await lib.init(options.variant ? { variant: options.variant } : {});
  const t = rt.tensor([1.5, -2, 0.25, 3], [2, 2]);
  const res: Results = { variant: rt.variant, tensor: list(t.data), attention: null, multiHead: null, transformer: null };
  t.dispose();

  if (lib.Attention) {
    // d2l additive attention: queries [2, 1, 3], keys [2, 4, 2], values [2, 4, 3], validLens [2, 3]
    const att = new lib.Attention(rt, { score: 'additive', querySize: 3, keySize: 2, numHiddens: 5 });
    att.loadStateDict(fixedStateDict(att, 11));
    const r = att.forward({ data: fixed(6, 1), shape: [2, 1, 3] }, { data: fixed(16, 2), shape: [2, 4, 2] },
      { data: fixed(24, 3), shape: [2, 4, 3] }, { validLens: [2, 3] }) as { output: TensorLike; weights: TensorLike };
    res.attention = { output: list(r.output.data), weights: list(r.weights.data) };
    att.dispose();
  }
  if (lib.MultiHead) {
    // nn.MultiheadAttention(8, 2): query [L=3, N=2, 8], key/value [S=4, N=2, 8], a key padding mask
    const mha = new lib.MultiHead(rt, { embedDim: 8, numHeads: 2 });
    mha.loadStateDict(fixedStateDict(mha, 21));
    const kpm = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0]);
    const r = mha.forward({ data: fixed(48, 4, 2), shape: [3, 2, 8] }, { data: fixed(64, 5, 2), shape: [4, 2, 8] },
      { data: fixed(64, 6), shape: [4, 2, 8] }, { keyPaddingMask: { data: kpm, shape: [2, 4] } }) as { output: TensorLike; weights: TensorLike };
    res.multiHead = { output: list(r.output.data), weights: list(r.weights.data) };
    mha.dispose();
  }
  if (lib.Transformer) {
    // two nn.TransformerEncoderLayer(8, 2, 16) with a causal mask, src [S=5, N=2, 8]
    const enc = new lib.Transformer(rt, { dModel: 8, nhead: 2, dimFeedforward: 16, numLayers: 2, activation: 'gelu' });
    enc.loadStateDict(fixedStateDict(enc, 31));
    const y = enc.forward({ data: fixed(80, 7), shape: [5, 2, 8] }, { isCausal: true }) as TensorLike;
    res.transformer = list(y.data);
    enc.dispose();
  }
  return res;
}

/** Differences between two results beyond |a-b| <= atol + rtol·|b| (variant not compared); [] when they agree. */
export function compareResults(actual: Results, expected: Results, atol = 2e-5, rtol = 2e-5): string[] {
  const problems: string[] = [];
  const cmp = (what: string, a: number[] | null | undefined, b: number[] | null | undefined) => {
    if (b == null || a == null) {
      if ((a == null) !== (b == null)) problems.push(`${what}: ${a == null ? 'missing' : 'unexpected'}`);
      return;
    }
    if (a.length !== b.length) { problems.push(`${what}: length ${a.length}, expected ${b.length}`); return; }
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
        problems.push(`${what}[${i}]: ${a[i]}, expected ${b[i]}`);
        if (problems.length > 20) return;
      }
    }
  };
  cmp('tensor', actual.tensor, expected.tensor);
  cmp('attention.output', actual.attention?.output, expected.attention?.output);
  cmp('attention.weights', actual.attention?.weights, expected.attention?.weights);
  cmp('multiHead.output', actual.multiHead?.output, expected.multiHead?.output);
  cmp('multiHead.weights', actual.multiHead?.weights, expected.multiHead?.weights);
  cmp('transformer', actual.transformer, expected.transformer);
  return problems;
}
