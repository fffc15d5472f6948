// Fused recurrent steps of torch.nn.GRU and torch.nn.LSTM: the hidden-state product h·W_hhᵀ (+ b_hh) and the gate
// nonlinearities in one pass, group by group of 8 hidden units, so the [batch, G·H] hidden projection is never
// written out in full. The input projections gi = x·W_ihᵀ + b_ih (one GEMM over every timestep) come in ready.
//
// gi: [batch, G·H] (row stride ldgi), gate blocks in PyTorch's order (GRU r | z | n, LSTM i | f | g | o), b_ih added.
// h:  [batch, H] (ldh), the previous hidden state; c (LSTM): [batch, H] (ldc), the previous cell state.
// whh: W_hh [G·H, H] packed once as pack_b_f32(H, G·H8, Wr, H, whh, 1) of the gate-interleaved rearrangement
//      Wr [G·H8, H] (H8 = H rounded up to 8): row (g·G + q)·8 + u = W_hh row q·H + 8g + u (zero past H). Panel
//      g·G + q (each [H][8]) then holds gate q of hidden units 8g..8g+7, and the G panels of one group sit next
//      to each other, G·8·H floats per group: one forward stream over the weights per step.
// bhh: b_hh [G·H] (0 = none). Output hout [batch, H] (ldo); LSTM also cout [batch, H] (ldco).
// GRU:  r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n), h' = n + z ⊙ (h - n)
//       (gh = h·W_hhᵀ + b_hh: b_hn inside the reset product, ONNX linear_before_reset = 1).
// LSTM: i, f, o = σ(gi + gh), g = tanh(gi_g + gh_g), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
// hout must not overlap h (every group reads all of h); cout may be c (each element is read, then written, by the
// same lane). Hidden units [col0, col1) are computed (col0 a multiple of 8; all: 0, H), a batch range by moving gi,
// h, c, hout, cout by its first row: the same bits as the whole call. The hidden products accumulate in natural k
// order with madd, as the GEMM tiles and gemm_f32_ref do, so one row gives the same bits alone or in a batch.
// scratch: rnn_step_scratch_size_f32(batch, H, G) floats (G·8 for batch 1, the GEMV path).
// Vector loads of gi, h, c and b_hh at a group's last 4 units may read up to 12 bytes past them (kernel ABI).
import { madd } from '../simd/madd';
import { sigmoid_f32x4, tanh_f32x4 } from '../simd/math';
import { storePartial } from '../simd/tail';
import { rows5, tile5x8, tile4x8 } from '../gemm/tiles';
import { packA } from '../gemm/packing';
import { sigmoid_f64 } from './sigmoid_f32';

const GRU: i32 = 3, LSTM: i32 = 4;

// Floats of scratch for one step of `batch` rows: the [batch][G·8] hidden products of one group, then (batch > 1) h
// packed for the register tiles ((batch + 4) rows of H at most) and 16 floats of over-read.
export function rnn_step_scratch_size_f32(batch: i32, hidden: i32, gates: i32): i32 {
  if (batch <= 0 || hidden <= 0) return 0;
  if (batch == 1) return gates * 8;
  return batch * gates * 8 + (batch + 4) * hidden + 16;
}

export function gru_step_f32(batch: i32, hidden: i32, col0: i32, col1: i32, gi: usize, ldgi: i32, h: usize, ldh: i32,
                             whh: usize, hout: usize, ldo: i32, bhh: usize, scratch: usize): void {
  rnnStep(GRU, batch, hidden, col0, col1, gi, ldgi, h, ldh, 0, 0, whh, hout, ldo, 0, 0, bhh, scratch);
}

export function lstm_step_f32(batch: i32, hidden: i32, col0: i32, col1: i32, gi: usize, ldgi: i32, h: usize, ldh: i32,
                              c: usize, ldc: i32, whh: usize, hout: usize, ldo: i32, cout: usize, ldco: i32,
                              bhh: usize, scratch: usize): void {
  rnnStep(LSTM, batch, hidden, col0, col1, gi, ldgi, h, ldh, c, ldc, whh, hout, ldo, cout, ldco, bhh, scratch);
}


@inline function rnnStep(G: i32, batch: i32, H: i32, col0: i32, col1: i32, gi: usize, ldgi: i32, h: usize, ldh: i32,
                         c: usize, ldc: i32, whh: usize, hout: usize, ldo: i32, cout: usize, ldco: i32,
                         bhh: usize, scratch: usize): void {
  if (batch <= 0 || col1 <= col0) return;
  const gs = <usize>H << 5;                 // bytes of one [H][8] panel
  const ldgiB = <usize>ldgi << 2, ldhB = <usize>ldh << 2, ldcB = <usize>ldc << 2;
  const ldoB = <usize>ldo << 2, ldcoB = <usize>ldco << 2;
  const gh = scratch;
  const ldg = <usize>(G << 5);               // bytes of one row of gh
  if (batch == 1) {
    // the hidden products of a group go through gh too, so the GEMV loop runs in a function of its own (no gate
    // code competing for vector registers) and both paths share one gate routine
    for (let j = col0; j < col1; j += 8) {
      const nr = min(8, col1 - j);
      if (G == GRU) gemvGroup3(H, h, whh + <usize>(j >> 3) * G * gs, gh);
      else gemvGroup4(H, h, whh + <usize>(j >> 3) * G * gs, gh);
      gatesRow(G, H, j, nr, gh, gi, h, c, hout, cout, bhh);
    }
    return;
  }
  // several rows: h packed once for the register tiles; per group, the G panels run through every row tile into
  // the [batch][G·8] block `gh`, then the gates run over that block
  const ap = scratch + <usize>batch * ldg;
  const m5 = rows5(batch);
  packA(0, batch, batch, m5, H, h, ldhB, ap);
  for (let j = col0; j < col1; j += 8) {
    const nr = min(8, col1 - j);
    const pg = whh + <usize>(j >> 3) * G * gs;
    for (let q = 0; q < G; q++) {
      const b = pg + <usize>q * gs;
      let api = ap;
      for (let i = 0; i < batch; ) {
        const ci = gh + <usize>i * ldg + (<usize>q << 5);
        if (i < m5) { tile5x8(5, nr, H, api, b, ci, ldg, false, 0, 0); api += <usize>H * 20; i += 5; }
        else { tile4x8(min(4, batch - i), nr, H, api, b, ci, ldg, false, 0, 0); api += <usize>H << 4; i += 4; }
      }
    }
    for (let r = 0; r < batch; r++) {
      gatesRow(G, H, j, nr, gh + <usize>r * ldg, gi + <usize>r * ldgiB, h + <usize>r * ldhB, c + <usize>r * ldcB,
               hout + <usize>r * ldoB, cout + <usize>r * ldcoB, bhh);
    }
  }
}

// The gates of one row for the nr <= 8 hidden units from unit j, from that row's [G][8] hidden products at a.
@inline function gatesRow(G: i32, H: i32, j: i32, nr: i32, a: usize, gi: usize, h: usize, c: usize, hout: usize,
                          cout: usize, bhh: usize): void {
  gates(G, H, j, min(4, nr), gi, h, c, hout, cout, bhh,
        v128.load(a), v128.load(a, 32), v128.load(a, 64), G > 3 ? v128.load(a, 96) : f32x4.splat(0));
  if (nr > 4) {
    gates(G, H, j + 4, nr - 4, gi, h, c, hout, cout, bhh,
          v128.load(a, 16), v128.load(a, 48), v128.load(a, 80), G > 3 ? v128.load(a, 112) : f32x4.splat(0));
  }
}

// One row, one group of 8 hidden units: gh[q][0:8] = h · panel q (G panels at pw, gs bytes apart; 2G accumulators),
// two K steps per pass with constant offsets (as the GEMM's gemvGroup: V8 11 runs a one-step body at about half the
// speed), each accumulator in k order from +0, as the tiles.
function gemvGroup3(H: i32, h: usize, pw: usize, gh: usize): void { gemvGroup(GRU, H, h, pw, gh); }
function gemvGroup4(H: i32, h: usize, pw: usize, gh: usize): void { gemvGroup(LSTM, H, h, pw, gh); }

@inline function gemvGroup(G: i32, H: i32, h: usize, pw: usize, gh: usize): void {
  const gs = <usize>H << 5;
  let y0 = f32x4.splat(0), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
  let p0 = pw, p1 = p0 + gs, p2 = p1 + gs, p3 = p2 + gs;
  const end = <usize>H << 2;
  let pa: usize = 0;
  for (; pa + 8 <= end; pa += 8) {
    let s = v128.load32_splat(h + pa);
    y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    y2 = madd(s, v128.load(p1), y2); y3 = madd(s, v128.load(p1, 16), y3);
    y4 = madd(s, v128.load(p2), y4); y5 = madd(s, v128.load(p2, 16), y5);
    if (G > 3) { y6 = madd(s, v128.load(p3), y6); y7 = madd(s, v128.load(p3, 16), y7); }
    s = v128.load32_splat(h + pa, 4);
    y0 = madd(s, v128.load(p0, 32), y0); y1 = madd(s, v128.load(p0, 48), y1);
    y2 = madd(s, v128.load(p1, 32), y2); y3 = madd(s, v128.load(p1, 48), y3);
    y4 = madd(s, v128.load(p2, 32), y4); y5 = madd(s, v128.load(p2, 48), y5);
    if (G > 3) { y6 = madd(s, v128.load(p3, 32), y6); y7 = madd(s, v128.load(p3, 48), y7); }
    p0 += 64; p1 += 64; p2 += 64;
    if (G > 3) p3 += 64;
  }
  if (pa < end) {
    const s = v128.load32_splat(h + pa);
    y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    y2 = madd(s, v128.load(p1), y2); y3 = madd(s, v128.load(p1, 16), y3);
    y4 = madd(s, v128.load(p2), y4); y5 = madd(s, v128.load(p2, 16), y5);
    if (G > 3) { y6 = madd(s, v128.load(p3), y6); y7 = madd(s, v128.load(p3, 16), y7); }
  }
  v128.store(gh, y0); v128.store(gh, y1, 16); v128.store(gh, y2, 32); v128.store(gh, y3, 48);
  v128.store(gh, y4, 64); v128.store(gh, y5, 80);
  if (G > 3) { v128.store(gh, y6, 96); v128.store(gh, y7, 112); }
}

// Gates of 4 hidden units j..j+3 of one row (n <= 4 of them valid): a0..a3 = the hidden products of gates 0..G-1.
@inline function gates(G: i32, H: i32, j: i32, n: i32, gi: usize, h: usize, c: usize, hout: usize,
                       cout: usize, bhh: usize, a0: v128, a1: v128, a2: v128, a3: v128): void {
  const o = <usize>j << 2, hs = <usize>H << 2;
  if (bhh != 0) {
    a0 = f32x4.add(a0, v128.load(bhh + o));
    a1 = f32x4.add(a1, v128.load(bhh + hs + o));
    a2 = f32x4.add(a2, v128.load(bhh + 2 * hs + o));
    if (G > 3) a3 = f32x4.add(a3, v128.load(bhh + 3 * hs + o));
  }
  let hn: v128, cn = f32x4.splat(0);
  if (G == GRU) {
    const r = sigmoid_f32x4(f32x4.add(v128.load(gi + o), a0));
    const z = sigmoid_f32x4(f32x4.add(v128.load(gi + hs + o), a1));
    const nn = tanh_f32x4(madd(r, a2, v128.load(gi + 2 * hs + o)));
    hn = madd(z, f32x4.sub(v128.load(h + o), nn), nn);
  } else {
    const ig = sigmoid_f32x4(f32x4.add(v128.load(gi + o), a0));
    const fg = sigmoid_f32x4(f32x4.add(v128.load(gi + hs + o), a1));
    const gg = tanh_f32x4(f32x4.add(v128.load(gi + 2 * hs + o), a2));
    const og = sigmoid_f32x4(f32x4.add(v128.load(gi + 3 * hs + o), a3));
    cn = madd(fg, v128.load(c + o), f32x4.mul(ig, gg));
    hn = f32x4.mul(og, tanh_f32x4(cn));
  }
  if (n == 4) {
    if (G > 3) v128.store(cout + o, cn);
    v128.store(hout + o, hn);
  } else {
    if (G > 3) storePartial(cout + o, cn, n);
    storePartial(hout + o, hn, n);
  }
}

// ---- scalar references: float64 throughout from the UNPACKED W_hh [G·H, H] (PyTorch layout, row stride ldw),
// rounded once to f32. Same outputs as the kernels; hout must not overlap h. ----

@inline function hiddenDot(H: i32, w: usize, h: usize): f64 {
  let s: f64 = 0;
  for (let k = 0; k < H; k++) s += <f64>load<f32>(w + (<usize>k << 2)) * <f64>load<f32>(h + (<usize>k << 2));
  return s;
}

@inline function ghOf(q: i32, H: i32, j: i32, h: usize, whh: usize, ldwB: usize, bhh: usize): f64 {
  const row = q * H + j;
  const b: f64 = bhh != 0 ? <f64>load<f32>(bhh + (<usize>row << 2)) : 0;
  return hiddenDot(H, whh + <usize>row * ldwB, h) + b;
}

export function gru_step_f32_ref(batch: i32, hidden: i32, gi: usize, ldgi: i32, h: usize, ldh: i32, whh: usize, ldw: i32,
                                 hout: usize, ldo: i32, bhh: usize): void {
  const H = hidden, ldwB = <usize>ldw << 2;
  for (let b = 0; b < batch; b++) {
    const giR = gi + ((<usize>b * ldgi) << 2), hR = h + ((<usize>b * ldh) << 2), oR = hout + ((<usize>b * ldo) << 2);
    for (let j = 0; j < H; j++) {
      const gir = <f64>load<f32>(giR + (<usize>j << 2));
      const giz = <f64>load<f32>(giR + (<usize>(H + j) << 2));
      const gin = <f64>load<f32>(giR + (<usize>(2 * H + j) << 2));
      const r = sigmoid_f64(gir + ghOf(0, H, j, hR, whh, ldwB, bhh));
      const z = sigmoid_f64(giz + ghOf(1, H, j, hR, whh, ldwB, bhh));
      const n = Math.tanh(gin + r * ghOf(2, H, j, hR, whh, ldwB, bhh));
      const hp = <f64>load<f32>(hR + (<usize>j << 2));
      store<f32>(oR + (<usize>j << 2), <f32>((1 - z) * n + z * hp));
    }
  }
}

export function lstm_step_f32_ref(batch: i32, hidden: i32, gi: usize, ldgi: i32, h: usize, ldh: i32, c: usize, ldc: i32,
                                  whh: usize, ldw: i32, hout: usize, ldo: i32, cout: usize, ldco: i32, bhh: usize): void {
  const H = hidden, ldwB = <usize>ldw << 2;
  for (let b = 0; b < batch; b++) {
    const giR = gi + ((<usize>b * ldgi) << 2), hR = h + ((<usize>b * ldh) << 2), oR = hout + ((<usize>b * ldo) << 2);
    const cR = c + ((<usize>b * ldc) << 2), coR = cout + ((<usize>b * ldco) << 2);
    for (let j = 0; j < H; j++) {
      const i = sigmoid_f64(<f64>load<f32>(giR + (<usize>j << 2)) + ghOf(0, H, j, hR, whh, ldwB, bhh));
      const f = sigmoid_f64(<f64>load<f32>(giR + (<usize>(H + j) << 2)) + ghOf(1, H, j, hR, whh, ldwB, bhh));
      const g = Math.tanh(<f64>load<f32>(giR + (<usize>(2 * H + j) << 2)) + ghOf(2, H, j, hR, whh, ldwB, bhh));
      const o = sigmoid_f64(<f64>load<f32>(giR + (<usize>(3 * H + j) << 2)) + ghOf(3, H, j, hR, whh, ldwB, bhh));
      const cn = f * <f64>load<f32>(cR + (<usize>j << 2)) + i * g;
      store<f32>(coR + (<usize>j << 2), <f32>cn);
      store<f32>(oR + (<usize>j << 2), <f32>(o * Math.tanh(cn)));
    }
  }
}
