// A Linear layer (PyTorch nn.Linear: y = x·Wᵀ + b, W [outF, inF]) with its weight packed once into the
// runtime's memory in the GEMM's column-panel layout. Modules call `forward` with raw pointers for every
// projection; rows = 1 (decoding) streams the packed panels through the GEMV path.
import { checkLength, checkPositiveInt, fail, failType, describeValue } from '../errors.ts';
import type { Runtime } from '../runtime.ts';

export class PackedLinear {
  readonly outF: number;
  readonly inF: number;
  private readonly rt: Runtime;
  private packed: number;   // packed_b_size_f32(inF, outF) floats
  private bias: number;     // 0 = none, else outF floats

  /** Packs `weight` [outF, inF] (nn.Linear layout, row-major) and copies `bias` [outF] (or none). */
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
    const x = rt.exports;
    const tmp = rt.alloc(weight.length * 4);
    try {
      rt.f32(tmp, weight.length).set(weight);
      this.packed = rt.alloc(x.packed_b_size_f32(inF, outF) * 4);
      x.pack_b_f32(inF, outF, tmp, inF, this.packed, 1);   // Wᵀ [inF, outF] -> panels
    } finally {
      rt.free(tmp);
    }
    this.bias = 0;
    if (bias) {
      this.bias = rt.alloc(outF * 4);
      rt.f32(this.bias, outF).set(bias);
    }
  }

  /** y[rows, outF] = x[rows, inF]·Wᵀ + b, then act (0 none, 1 relu). x, y: byte pointers, contiguous rows. */
  forward(xPtr: number, rows: number, yPtr: number, act = 0): void {
    if (this.packed === 0) fail('PackedLinear', 'forward() after dispose()');
    const rt = this.rt, x = rt.exports;
    const floats = x.gemm_scratch_size_f32(rows, this.outF, this.inF);   // 0 for rows = 1 (GEMV)
    const s = floats > 0 ? rt.alloc(floats * 4) : 0;
    try {
      x.gemm_f32_packed_b(rows, this.outF, this.inF, 0, rows, 0, this.outF, xPtr, this.inF, this.packed, yPtr, this.outF, this.bias, act, s);
    } finally {
      if (s) rt.free(s);
    }
  }

  /** Frees the packed weight and bias (idempotent). */
  dispose(): void {
    if (this.packed !== 0) this.rt.free(this.packed);
    if (this.bias !== 0) this.rt.free(this.bias);
    this.packed = 0;
    this.bias = 0;
  }
}
