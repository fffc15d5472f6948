// A Linear layer (PyTorch nn.Linear: y = x·Wᵀ + b, W [outF, inF]) with its weight packed once into the
// runtime's memory in the GEMM's column-panel layout (pack_b_f32, gemm_f32_packed_b). Modules call `forward` with
// byte pointers for every projection; rows = 1 (decoding) streams the packed panels through the GEMV path.
import { checkLength, checkPositiveInt, fail, failType, describeValue } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { actCode, gemmScratchFloats, gemmSplit, type Act } from './gemm.ts';
import { upload } from './memory.ts';

const PANEL = 8;   // output features per packed panel (the GEMM's NR)

export class PackedLinear {
  readonly outF: number;
  readonly inF: number;
  private readonly rt: Runtime;
  private packed: number;   // packed_b_size_f32(inF, outF) floats
  private bias: number;     // 0 = none, else outF floats
  private readonly owner: PackedLinear | null;   // set on slices: the memory belongs to it

  /** Packs `weight` [outF, inF] (nn.Linear layout, row-major) and copies `bias` [outF] (or none). Allocates
   *  nothing on failure (an out-of-memory error leaves the runtime as it was). */
  constructor(rt: Runtime, weight: Float32Array, bias: Float32Array | null, outF: number, inF: number) {
    const where = 'PackedLinear';
    this.outF = checkPositiveInt(where, 'outF', outF);
    this.inF = checkPositiveInt(where, 'inF', inF);
    if (!(weight instanceof Float32Array)) failType(where, `weight must be a Float32Array, got ${describeValue(weight)}`);
    checkLength(where, 'weight', weight.length, outF * inF, `outF*inF = ${outF}*${inF}`);
    if (bias !== null && bias !== undefined) {
      if (!(bias instanceof Float32Array)) failType(where, `bias must be a Float32Array or null, got ${describeValue(bias)}`);
      checkLength(where, 'bias', bias.length, outF, 'outF');
    }
    this.rt = rt;
    this.owner = null;
    const x = rt.exports;
    this.packed = 0;
    this.bias = 0;
    const tmp = rt.alloc(weight.length * 4);
    try {
      this.packed = rt.alloc(x.packed_b_size_f32(inF, outF) * 4);
      if (bias) this.bias = rt.alloc(outF * 4);
      upload(rt, tmp, weight);
      x.pack_b_f32(inF, outF, tmp, inF, this.packed, 1);   // Wᵀ [inF, outF] -> panels
      if (bias) upload(rt, this.bias, bias);
    } catch (e) {
      this.dispose();
      throw e;
    } finally {
      rt.free(tmp);
    }
  }

  /**
   * Output features [r0, r1) of this layer as a Linear of its own that shares this one's memory (no copy), or
   * null when r0 is not at a panel boundary (or r1 neither at one nor at the end). Freed with its owner.
   */
  slice(r0: number, r1: number): PackedLinear | null {
    if (r0 % PANEL !== 0 || (r1 % PANEL !== 0 && r1 !== this.outF) || r0 >= r1 || r1 > this.outF) return null;
    const s: PackedLinear = Object.create(PackedLinear.prototype);
    Object.assign(s, {
      outF: r1 - r0, inF: this.inF, rt: this.rt, owner: this,
      packed: this.packed + r0 * this.inF * 4,            // panel r0/8 starts at (r0/8)·inF·8 floats
      bias: this.bias ? this.bias + r0 * 4 : 0,
    });
    return s;
  }

  /** Floats of scratch forward() needs for `rows` rows (0 for one row). */
  scratchFloats(rows: number): number {
    return gemmScratchFloats(this.rt, rows, this.outF, this.inF);
  }

  /** y[rows, outF] = act(x[rows, inF]·Wᵀ + b). x, y: byte pointers, contiguous rows; scratch: scratchFloats(rows). */
  forward(x: number, rows: number, y: number, scratch: number, act: Act = 'none'): void {
    if (this.packed === 0 || (this.owner && this.owner.packed === 0)) fail('PackedLinear', 'forward() after dispose()');
    const { outF, inF, packed, bias } = this, a = actCode(act);
    gemmSplit(this.rt, 'gemm_f32_packed_b', rows, outF, inF, (r0, r1, c0, c1) =>
      [rows, outF, inF, r0, r1, c0, c1, x, inF, packed, y, outF, bias, a, scratch]);
  }

  /** Frees the packed weight and bias (idempotent; a slice frees nothing). */
  dispose(): void {
    if (this.owner === null) {
      if (this.packed !== 0) this.rt.free(this.packed);
      if (this.bias !== 0) this.rt.free(this.bias);
    }
    this.packed = 0;
    this.bias = 0;
  }
}
