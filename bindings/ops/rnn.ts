// Recurrent steps (kernels gru_step_f32, lstm_step_f32, sigmoid_f32). Pointer level: byte pointers, strides in
// elements, no shape checks (the modules of bindings/nn/rnn.ts check).
// A PackedRecurrent holds one direction of one layer's hidden-to-hidden weight W_hh [G·H, H] (PyTorch layout, gate
// blocks r|z|n or i|f|g|o), packed once in the kernels' gate-interleaved panel layout, and b_hh [G·H].
import { checkLength, checkPositiveInt, fail } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { upload } from './memory.ts';
import { SPLIT_MIN, addRanges, parallel, slotFloats, slotted, threadSlots } from './parallel.ts';
import { argBits, type KernelName } from '../runtime/pool.ts';

export type RnnMode = 'GRU' | 'LSTM';

/** Gate blocks per mode: GRU r, z, n; LSTM i, f, g, o. */
export const gateCount = (mode: RnnMode): number => (mode === 'GRU' ? 3 : 4);

const PANEL = 8;

export class PackedRecurrent {
  readonly hidden: number;
  readonly gates: number;
  readonly mode: RnnMode;
  private readonly rt: Runtime;
  private packed = 0;
  private bias = 0;

  /** Packs `weight` W_hh [G·H, H] and copies `bias` b_hh [G·H] (or none). Allocates nothing on failure. */
  constructor(rt: Runtime, mode: RnnMode, weight: Float32Array, bias: Float32Array | null, hidden: number) {
    const where = 'PackedRecurrent';
    this.hidden = checkPositiveInt(where, 'hidden', hidden);
    this.mode = mode;
    const G = this.gates = gateCount(mode);
    const H = hidden;
    checkLength(where, 'weight', weight.length, G * H * H, `gates*hidden*hidden = ${G}*${H}*${H}`);
    if (bias) checkLength(where, 'bias', bias.length, G * H, `gates*hidden = ${G}*${H}`);
    this.rt = rt;
    // the gate-interleaved rearrangement [G·H8, H]: row (g·G + q)·8 + u = W_hh row q·H + 8g + u, zero past H
    const H8 = Math.ceil(H / PANEL) * PANEL;
    const wr = new Float32Array(G * H8 * H);
    for (let g = 0; g < H8 / PANEL; g++) {
      for (let q = 0; q < G; q++) {
        for (let u = 0; u < PANEL && PANEL * g + u < H; u++) {
          const src = (q * H + PANEL * g + u) * H, dst = ((g * G + q) * PANEL + u) * H;
          wr.set(weight.subarray(src, src + H), dst);
        }
      }
    }
    const x = rt.exports;
    const tmp = rt.alloc(wr.length * 4);
    try {
      this.packed = rt.alloc(x.packed_b_size_f32(H, G * H8) * 4);
      if (bias) this.bias = rt.alloc(G * H * 4);
      upload(rt, tmp, wr);
      x.pack_b_f32(H, G * H8, tmp, H, this.packed, 1);
      if (bias) upload(rt, this.bias, bias);
    } catch (e) {
      this.dispose();
      throw e;
    } finally {
      rt.free(tmp);
    }
  }

  /** Floats of scratch one step of `batch` rows needs. */
  scratchFloats(batch: number): number {
    return slotted(this.rt, this.rt.exports.rnn_step_scratch_size_f32(batch, this.hidden, this.gates));
  }

  // One step over hidden units [c0, c1) (args(c0, c1)), split over the pool by blocks of 8 units when it is big enough.
  private step(fn: KernelName, batch: number, args: (c0: number, c1: number) => number[]): void {
    this.live();
    const H = this.hidden, per = this.rt.exports.rnn_step_scratch_size_f32(batch, H, this.gates);
    const job = parallel(this.rt, batch * this.gates * H * H, SPLIT_MIN.gemmMacs, slotFloats(per) * 4);
    if (job === null) {
      (this.rt.exports[fn] as (...a: number[]) => void)(...args(0, H));
      return;
    }
    addRanges(job, fn, H, threadSlots(this.rt), PANEL, args, per > 0 ? argBits(fn, 'scratch') : 0).run();
  }

  private live(): void {
    if (this.packed === 0) fail('PackedRecurrent', 'used after dispose()');
  }

  /** GRU: hout[batch, H] (ldo) from gi [batch, 3H] (ldgi, b_ih included) and h [batch, H] (ldh). hout must not
   *  overlap h. scratch: scratchFloats(batch). */
  gru(batch: number, gi: number, ldgi: number, h: number, ldh: number, hout: number, ldo: number, scratch: number): void {
    const H = this.hidden;
    this.step('gru_step_f32', batch, (c0, c1) => [batch, H, c0, c1, gi, ldgi, h, ldh, this.packed, hout, ldo, this.bias, scratch]);
  }

  /** LSTM: hout, cout [batch, H] from gi [batch, 4H], h, c. hout must not overlap h; cout may be c. */
  lstm(batch: number, gi: number, ldgi: number, h: number, ldh: number, c: number, ldc: number,
       hout: number, ldo: number, cout: number, ldco: number, scratch: number): void {
    const H = this.hidden;
    this.step('lstm_step_f32', batch, (c0, c1) => [batch, H, c0, c1, gi, ldgi, h, ldh, c, ldc, this.packed,
      hout, ldo, cout, ldco, this.bias, scratch]);
  }

  /** Frees the packed weight and bias (idempotent). */
  dispose(): void {
    if (this.packed !== 0) this.rt.free(this.packed);
    if (this.bias !== 0) this.rt.free(this.bias);
    this.packed = 0;
    this.bias = 0;
  }
}

/** y = sigmoid(x) over n elements (y may be x). */
export function sigmoid(rt: Runtime, n: number, x: number, y: number): void {
  rt.exports.sigmoid_f32(n, x, y);
}

/** Copies `rows` rows of `cols` floats from src (row stride lds elements) to dst (ldd). */
export function copyRows(rt: Runtime, rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void {
  if (lds === cols && ldd === cols) { rt.f32(dst, rows * cols).set(rt.f32(src, rows * cols)); return; }
  const all = rt.f32(0, rt.memory.buffer.byteLength >> 2);
  const s0 = src >> 2, d0 = dst >> 2;
  for (let r = 0; r < rows; r++) all.copyWithin(d0 + r * ldd, s0 + r * lds, s0 + r * lds + cols);
}
