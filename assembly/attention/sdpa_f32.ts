// Fused scaled dot-product attention for one (batch, head) slice, FlashAttention-style (online softmax):
//   s_ij = scale·(q_i·k_j) (+ mask[i·ldm + j]) (-inf where bmask[i·ldbm + j] != 0) (-inf where causal and
//   j > i + causalOffset);  out_i = Σ_j softmax_j(s_i·)·v_j
// q [L, E] (ldq), k [S, E] (ldk), v [S, Ev] (ldv), out [L, Ev] (ldo); mask f32 (ldm 0 = one row for every i),
// bmask u8 (ldbm 0 likewise), 0 = none. A row whose scores are all -inf (or whose causal end is <= 0) gives zeros
// (PyTorch SDPA, softmax_rows_f32); a NaN score makes the row NaN, so does +inf (inf - inf), as in the
// materialised path. A key whose weight is 0 may still reach the output through 0·v when v is Inf or NaN.
// Nothing of size L x S is stored: scratch is sdpa_scratch_size_f32(L, S, E, Ev) floats, O(BR·(BC + E + Ev)).
//
// Layout (why it is transposed): per block of BR query rows and BC keys the kernel computes Sᵀ = K_blk·Q_blkᵀ
// and Oᵀ += Vᵀ·Pᵀ on the GEMM register tiles (gemm/tiles.ts): the tile's rows are keys (resp. value dims), its 8
// columns are 8 queries. So
//   - Q_blk is packed once per query block as B panels ([E][8] per 8 queries, packPanelTransposed);
//   - K_blk is packed as A (packA), once per (query block, key block), amortised over BR queries;
//   - the score panel Sᵀ [keys][8 queries] is exactly a packed B panel for the P·V product: the online softmax
//     runs on it in place and nothing is repacked (row-major S would need a packA of P per block);
//   - the softmax reductions over keys are lane-wise across 8 queries (no horizontal max/sum), and the exp
//     constants are hoisted into locals once per call (expNonposK, as softmax_rows_f32);
//   - V_blk is packed as Vᵀ tiles ([keys][5 or 4 dims], plain copies of V row pieces).
// Per query lane: running max m, running sum l, Oᵀ column; a new block max rescales by alpha = exp(m_old - m_new)
// (skipped when no lane's max moved). Causal: key blocks past the causal end of a block's last row are skipped,
// and each 8-query panel stops at its own last query's causal end.
//
// Sub-ranges: rows [r0, r1) are this call with q, out, mask, bmask moved by r0 rows, L = r1 - r0 and
// causalOffset + r0; the result is the same, bit for bit. Every quantity of a query is computed in its own lane
// in key order (scores: the tiles' natural k order; m, l: one accumulator per lane; Oᵀ: the tiles' natural k
// order), and key blocks start at multiples of BC from key 0, so neither the lane nor the other rows of the
// block matter; keys a block processes beyond a row's causal end add exact zeros.
import { packA, packPanelTransposed } from '../gemm/packing';
import { rows5, tile5x8, tile4x8 } from '../gemm/tiles';
import { exp_nonpos_f32x4, expNonposK, expNonposConst, EXPNP_LOG2E, EXPNP_MAGIC, EXPNP_NLN2_HI, EXPNP_NLN2_LO,
         EXPNP_Q, EXPNP_CUT, EXPNP_CUTOFF } from '../simd/math';

// Block sizes (bench/TUNING.md, "Fused attention"): BR query rows (a multiple of 8, the panel width), BC keys.
// The tiles keep only one 8-query panel (Q, Sᵀ/Pᵀ, Oᵀ: 2-2.5 KB each) in L1 and stream the packed K / Vᵀ block
// (BC·E, Ev·BC floats, ~20 KB each at 64) from L2, as the GEMM streams packed A; so BR only sets how often K and V
// are repacked (once per BR queries) and BC how long the P·V depth is. BC = 80 is 16 whole 5-row tiles of keys.
export const BR: i32 = 256;
export const BC: i32 = 80;

@inline function up4(n: i32): i32 { return (n + 3) & ~3; }
@inline function up8(n: i32): i32 { return (n + 7) & ~7; }


// End of the tiles covering m rows (5-row tiles up to m5, then 4-row ones; the last may be partial).
@inline function tilesEnd(m: i32, m5: i32): i32 {
  return m5 + up4(m - m5);
}

// First key not visible to query row r (S when not causal), clamped to [0, S].
@inline function causalEnd(r: i32, S: i32, causal: i32, causalOffset: i32): i32 {
  if (!causal) return S;
  const e = <i64>r + <i64>causalOffset + 1;
  return e < 0 ? 0 : e > <i64>S ? S : <i32>e;
}

// Scratch layout, in floats (each region a multiple of 4 floats, so every region stays 16-byte aligned):
//   qp  [up8(br)/8 panels][E][8]   packed Q block (B panels)
//   kp  (bc + 4)·E + 16            packed K block (A tiles; + the tiles' 8-byte over-read of packed A)
//   st  [up8(br)/8 panels][bc][8]  Sᵀ / Pᵀ panels
//   vp  (Ev + 4)·bc + 16           packed Vᵀ block (A tiles)
//   ot  [up8(br)/8 panels][Ev][8]  Oᵀ accumulators
//   ms, ls: up8(br) each           running max, running sum
@inline function qpSize(br8: i32, E: i32): i32 { return br8 * E; }
@inline function kpSize(bc: i32, E: i32): i32 { return up4((bc + 4) * E + 16); }
@inline function stSize(br8: i32, bc: i32): i32 { return br8 * bc; }
@inline function vpSize(bc: i32, Ev: i32): i32 { return up4((Ev + 4) * bc + 16); }
@inline function otSize(br8: i32, Ev: i32): i32 { return br8 * Ev; }

// Floats of scratch sdpa_f32 needs for L query rows (any sub-range of them included).
export function sdpa_scratch_size_f32(L: i32, S: i32, E: i32, Ev: i32): i32 {
  if (L <= 0 || S <= 0 || Ev <= 0) return 0;
  const br8 = up8(min(L, BR)), bc = min(S, BC), e = max(E, 0);
  return qpSize(br8, e) + kpSize(bc, e) + stSize(br8, bc) + vpSize(bc, Ev) + otSize(br8, Ev) + 2 * br8;
}

// Packs Vᵀ for keys [0, n) (row 0 at v, ldv bytes) as A tiles: per tile of R dims (5 below m5, else 4),
// [n][R] floats; dims past Ev repeat dim Ev - 1 (those tile rows alias the last real one in C).
function packVt(n: i32, Ev: i32, m5: i32, v: usize, ldv: usize, dst: usize): void {
  let d = 0;
  while (d < Ev) {
    const R = d < m5 ? 5 : 4;
    const mr = min(R, Ev - d);
    let s = v + (<usize>d << 2);
    if (mr == 5) {
      for (let p = 0; p < n; p++) {
        v128.store(dst, v128.load(s));
        store<f32>(dst, load<f32>(s, 16), 16);
        s += ldv; dst += 20;
      }
    } else if (mr == 4) {
      for (let p = 0; p < n; p++) {
        v128.store(dst, v128.load(s));
        s += ldv; dst += 16;
      }
    } else {
      const rs = <usize>(R << 2);
      for (let p = 0; p < n; p++) {
        for (let r = 0; r < R; r++) store<f32>(dst + (<usize>r << 2), load<f32>(s + (<usize>min(r, mr - 1) << 2)));
        s += ldv; dst += rs;
      }
    }
    d += R;
  }
}

// C panel (rows = tiles of A, 8 columns, ldc 32 bytes) (+)= A·B for A rows [0, m) packed as tiles (5-row below
// m5) with depth kc, B one [kc][8] panel. Rows [m, tilesEnd) are not stored (partial tiles alias row m - 1).
@inline function panelProduct(m: i32, m5: i32, kcA: i32, kc: i32, ap: usize, b: usize, c: usize, accum: bool): void {
  let i = 0;
  while (i < m) {
    if (i < m5) {
      tile5x8(5, 8, kc, ap, b, c, 32, accum, 0, 0);
      ap += <usize>kcA * 20; c += 160; i += 5;
    } else {
      tile4x8(min(4, m - i), 8, kc, ap, b, c, 32, accum, 0, 0);
      ap += <usize>kcA << 4; c += 128; i += 4;
    }
  }
}

// Lanes of the 8 queries of a panel (first query row r): the largest key index j (relative to the block's first
// key j0) each may see, i.e. r + lane + causalOffset - j0, clamped to [-1, BC] (as i32x4, lanes 0-3 and 4-7).
@inline function causalLimit(r: i32, lane0: i32, causalOffset: i32, j0: i32): v128 {
  const b = <i64>r + <i64>lane0 + <i64>causalOffset - <i64>j0;
  const l0 = <i32>min(max(b, -1), <i64>BC), l1 = <i32>min(max(b + 1, -1), <i64>BC);
  const l2 = <i32>min(max(b + 2, -1), <i64>BC), l3 = <i32>min(max(b + 3, -1), <i64>BC);
  return i32x4(l0, l1, l2, l3);
}

// One row of a float mask (or bmask) gathered for 8 query lanes: pointers of lanes 0..7 at stride ld bytes;
// lanes >= nq (past the block's rows) are not read.
@inline function gather4f(p: usize, ld: usize, nq: i32, lane0: i32): v128 {
  let v = f32x4.splat(0);
  if (lane0 < nq) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lane0 + 1 < nq) v = f32x4.replace_lane(v, 1, load<f32>(p + ld));
  if (lane0 + 2 < nq) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * ld));
  if (lane0 + 3 < nq) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * ld));
  return v;
}

@inline function gather4b(p: usize, ld: usize, nq: i32, lane0: i32): v128 {
  let v = i32x4.splat(0);
  if (lane0 < nq) v = i32x4.replace_lane(v, 0, <i32>load<u8>(p));
  if (lane0 + 1 < nq) v = i32x4.replace_lane(v, 1, <i32>load<u8>(p + ld));
  if (lane0 + 2 < nq) v = i32x4.replace_lane(v, 2, <i32>load<u8>(p + 2 * ld));
  if (lane0 + 3 < nq) v = i32x4.replace_lane(v, 3, <i32>load<u8>(p + 3 * ld));
  return i32x4.ne(v, i32x4.splat(0));
}

// Σ_p exp(x_p·scale - mu) over keys [0, n) of one half panel (4 query lanes, rows 32 bytes apart from a), each
// term stored back in place. Two accumulators by key parity, so a key's place in the sum depends on its index only
// (keys past a row's causal end are exact zeros wherever the block ends). The exp constants are loaded once
// (V8 15 would rematerialise them at every use; see softmax_rows_f32). flush false only when every argument is
// known to be >= EXPNP_CUTOFF.
@inline function expSumHalf(a: usize, n: i32, vs: v128, mu: v128, hasScale: bool, flush: bool): v128 {
  const kl = expNonposConst(EXPNP_LOG2E), km = expNonposConst(EXPNP_MAGIC);
  const kh = expNonposConst(EXPNP_NLN2_HI), kL = expNonposConst(EXPNP_NLN2_LO);
  const q0 = expNonposConst(EXPNP_Q), q1 = expNonposConst(EXPNP_Q + 1), q2 = expNonposConst(EXPNP_Q + 2);
  const q3 = expNonposConst(EXPNP_Q + 3), q4 = expNonposConst(EXPNP_Q + 4), kc = expNonposConst(EXPNP_CUT);
  let s0 = f32x4.splat(0), s1 = s0;
  const end = a + (<usize>(n & ~1) << 5);
  while (a < end) {
    let x0 = v128.load(a), x1 = v128.load(a, 32);
    if (hasScale) { x0 = f32x4.mul(x0, vs); x1 = f32x4.mul(x1, vs); }
    const e0 = expNonposK(f32x4.sub(x0, mu), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    const e1 = expNonposK(f32x4.sub(x1, mu), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    v128.store(a, e0); v128.store(a, e1, 32);
    s0 = f32x4.add(s0, e0); s1 = f32x4.add(s1, e1);
    a += 64;
  }
  if (n & 1) {
    let x0 = v128.load(a);
    if (hasScale) x0 = f32x4.mul(x0, vs);
    const e0 = expNonposK(f32x4.sub(x0, mu), kl, km, kh, kL, q0, q1, q2, q3, q4, kc, flush);
    v128.store(a, e0);
    s0 = f32x4.add(s0, e0);
  }
  return f32x4.add(s0, s1);
}

// expSumHalf with its two flags as constants (one copy of the loop each).
function expSum(a: usize, n: i32, vs: v128, mu: v128, hasScale: bool, flush: bool): v128 {
  if (hasScale) return flush ? expSumHalf(a, n, vs, mu, true, true) : expSumHalf(a, n, vs, mu, true, false);
  return flush ? expSumHalf(a, n, vs, mu, false, true) : expSumHalf(a, n, vs, mu, false, false);
}

// One online-softmax step for one 8-query panel: scores sp [n][8] (Sᵀ, keys x query lanes) become Pᵀ in place;
// the lanes' running max (ms8) and sum (ls8) are updated and Oᵀ (op, [Ev][8]) is rescaled where the max moved.
// fast: no float/bool mask and 0 < scale < inf, so the max is taken over the raw scores (max(x)·scale =
// max(x·scale) exactly) and the scale is applied inside the exp loop; otherwise s = x·scale + mask (-inf where
// bmask) is stored first. diag: the causal mask cuts some lane's keys inside [0, n) (lane l of the panel, query
// row r + l, sees key j0 + p iff p <= r + l + causalOffset - j0).
function onlineSoftmax(sp: usize, op: usize, n: i32, Ev: i32, ms8: usize, ls8: usize, scale: f32, fast: bool,
                       diag: bool, r: i32, causalOffset: i32, j0: i32, mrow: usize, ldm: i32, brow: usize, ldbm: i32,
                       nq: i32): void {
  const ninf = f32x4.splat(-Infinity), zero = f32x4.splat(0), vs = f32x4.splat(scale);
  const lim0 = causalLimit(r, 0, causalOffset, j0), lim1 = causalLimit(r, 4, causalOffset, j0);
  let mx0 = ninf, mx1 = ninf;
  let mn0 = f32x4.splat(Infinity), mn1 = mn0;
  if (fast) {
    if (diag) {
      for (let p = 0; p < n; p++) {
        const a = sp + (<usize>p << 5);
        const pv = i32x4.splat(p);
        const v0 = v128.bitselect(ninf, v128.load(a), i32x4.gt_s(pv, lim0));
        const v1 = v128.bitselect(ninf, v128.load(a, 16), i32x4.gt_s(pv, lim1));
        v128.store(a, v0); v128.store(a, v1, 16);
        mx0 = f32x4.pmax(mx0, v0); mx1 = f32x4.pmax(mx1, v1);
      }
      mn0 = ninf;   // -inf present: exp must flush
    } else {
      for (let p = 0; p < n; p++) {
        const a = sp + (<usize>p << 5);
        const v0 = v128.load(a), v1 = v128.load(a, 16);
        mx0 = f32x4.pmax(mx0, v0); mx1 = f32x4.pmax(mx1, v1);
        mn0 = f32x4.pmin(mn0, v0); mn1 = f32x4.pmin(mn1, v1);
      }
      mn0 = f32x4.mul(mn0, vs); mn1 = f32x4.mul(mn1, vs);
    }
    mx0 = f32x4.mul(mx0, vs); mx1 = f32x4.mul(mx1, vs);
  } else {
    const ldmB = <usize>ldm << 2, ldbmB = <usize>ldbm;
    const mst = ldmB << 2, bst = ldbmB << 2;
    for (let p = 0; p < n; p++) {
      const a = sp + (<usize>p << 5);
      let v0 = f32x4.mul(v128.load(a), vs), v1 = f32x4.mul(v128.load(a, 16), vs);
      if (mrow) {
        const mp = mrow + (<usize>p << 2);
        if (ldm == 0) { const mv = v128.load32_splat(mp); v0 = f32x4.add(v0, mv); v1 = f32x4.add(v1, mv); }
        else { v0 = f32x4.add(v0, gather4f(mp, ldmB, nq, 0)); v1 = f32x4.add(v1, gather4f(mp + mst, ldmB, nq, 4)); }
      }
      if (brow) {
        const bp = brow + <usize>p;
        if (ldbm == 0) {
          const bv = load<u8>(bp) != 0 ? i32x4.splat(-1) : i32x4.splat(0);
          v0 = v128.bitselect(ninf, v0, bv); v1 = v128.bitselect(ninf, v1, bv);
        } else {
          v0 = v128.bitselect(ninf, v0, gather4b(bp, ldbmB, nq, 0));
          v1 = v128.bitselect(ninf, v1, gather4b(bp + bst, ldbmB, nq, 4));
        }
      }
      if (diag) {
        const pv = i32x4.splat(p);
        v0 = v128.bitselect(ninf, v0, i32x4.gt_s(pv, lim0));
        v1 = v128.bitselect(ninf, v1, i32x4.gt_s(pv, lim1));
      }
      v128.store(a, v0); v128.store(a, v1, 16);
      mx0 = f32x4.pmax(mx0, v0); mx1 = f32x4.pmax(mx1, v1);
    }
    mn0 = ninf;
  }
  // new running max (a NaN already there stays: pmax(NaN, x) = NaN); exp is taken against mu, which is 0 where
  // the max is still -inf (then every s is -inf and gives 0, or NaN and gives NaN)
  const mo0 = v128.load(ms8), mo1 = v128.load(ms8, 16);
  const mn0n = f32x4.pmax(mo0, mx0), mn1n = f32x4.pmax(mo1, mx1);
  const mu0 = v128.bitselect(zero, mn0n, f32x4.eq(mn0n, ninf)), mu1 = v128.bitselect(zero, mn1n, f32x4.eq(mn1n, ninf));
  // flush-free exp when every lane's smallest argument is above the cutoff (no -inf, range below ~87)
  const cut = f32x4.splat(EXPNP_CUTOFF);
  const noFlush = i32x4.all_true(v128.and(f32x4.ge(f32x4.sub(mn0, mu0), cut), f32x4.ge(f32x4.sub(mn1, mu1), cut)));
  const sum0 = expSum(sp, n, vs, mu0, fast, !noFlush);
  const sum1 = expSum(sp + 16, n, vs, mu1, fast, !noFlush);
  // alpha = exp(m_old - mu): 1 where the max did not move, 0 from -inf
  const al0 = exp_nonpos_f32x4(f32x4.sub(mo0, mu0)), al1 = exp_nonpos_f32x4(f32x4.sub(mo1, mu1));
  v128.store(ls8, f32x4.add(f32x4.mul(v128.load(ls8), al0), sum0));
  v128.store(ls8, f32x4.add(f32x4.mul(v128.load(ls8, 16), al1), sum1), 16);
  v128.store(ms8, mn0n); v128.store(ms8, mn1n, 16);
  // Oᵀ *= alpha (only when some lane's alpha is not exactly 1)
  const one = f32x4.splat(1);
  if (v128.any_true(v128.or(f32x4.ne(al0, one), f32x4.ne(al1, one)))) {
    for (let d = 0; d < Ev; d++) {
      const o = op + (<usize>d << 5);
      v128.store(o, f32x4.mul(v128.load(o), al0));
      v128.store(o, f32x4.mul(v128.load(o, 16), al1), 16);
    }
  }
}

export function sdpa_f32(L: i32, S: i32, E: i32, Ev: i32,
                         q: usize, ldq: i32, k: usize, ldk: i32, v: usize, ldv: i32, out: usize, ldo: i32,
                         mask: usize, ldm: i32, bmask: usize, ldbm: i32,
                         scale: f32, causal: i32, causalOffset: i32, scratch: usize): void {
  if (L <= 0 || Ev <= 0) return;
  if (E < 0) E = 0;
  if (S <= 0) {   // no keys: every row is fully masked (and there is no scratch)
    for (let i = 0; i < L; i++) memory.fill(out + <usize>i * (<usize>ldo << 2), 0, <usize>Ev << 2);
    return;
  }
  const ldqB = <usize>ldq << 2, ldkB = <usize>ldk << 2, ldvB = <usize>ldv << 2, ldoB = <usize>ldo << 2;
  const ldmB = <usize>ldm << 2, ldbmB = <usize>ldbm;
  const br8max = up8(min(L, BR)), bcmax = max(1, min(S, BC));
  const qp = scratch;
  const kp = qp + (<usize>qpSize(br8max, E) << 2);
  const st = kp + (<usize>kpSize(bcmax, E) << 2);
  const vp = st + (<usize>stSize(br8max, bcmax) << 2);
  const ot = vp + (<usize>vpSize(bcmax, Ev) << 2);
  const ms = ot + (<usize>otSize(br8max, Ev) << 2);
  const ls = ms + (<usize>br8max << 2);
  const fast = mask == 0 && bmask == 0 && scale > 0 && scale < Infinity;
  const m5v = rows5(Ev);
  const stP = <usize>bcmax << 5;          // bytes per Sᵀ panel
  const otP = <usize>Ev << 5;             // bytes per Oᵀ panel
  const qpP = <usize>E << 5;              // bytes per Q panel
  const ninf = f32x4.splat(-Infinity), zero = f32x4.splat(0);

  for (let i0 = 0; i0 < L; i0 += BR) {
    const br = min(BR, L - i0);
    const npan = (br + 7) >> 3;
    // keys this block sees at all: up to the causal end of its last row
    const keyEnd = causalEnd(i0 + br - 1, S, causal, causalOffset);
    // pack the Q block as B panels, zero Oᵀ, reset the running max and sum
    for (let pq = 0; pq < npan; pq++) {
      packPanelTransposed(E, min(8, br - 8 * pq), q + <usize>(i0 + 8 * pq) * ldqB, ldqB, qp + <usize>pq * qpP);
    }
    memory.fill(ot, 0, <usize>npan * otP);
    for (let r = 0; r < npan * 8; r += 4) {
      v128.store(ms + (<usize>r << 2), ninf);
      v128.store(ls + (<usize>r << 2), zero);
    }
    for (let j0 = 0; j0 < keyEnd; j0 += BC) {
      const bc = min(BC, keyEnd - j0);
      const m5k = rows5(bc);
      packA(0, tilesEnd(bc, m5k), bc, m5k, E, k + <usize>j0 * ldkB, ldkB, kp);
      packVt(bc, Ev, m5v, v + <usize>j0 * ldvB, ldvB, vp);
      for (let pq = 0; pq < npan; pq++) {
        const r = i0 + 8 * pq;                                 // the panel's first query row
        const nq = min(8, br - 8 * pq);                        // its valid lanes
        // keys of this block the panel sees: up to its last row's causal end
        const n = min(bc, causalEnd(r + nq - 1, S, causal, causalOffset) - j0);
        if (n <= 0) continue;                                  // all masked for every lane: no change
        const sp = st + <usize>pq * stP, op = ot + <usize>pq * otP;
        // Sᵀ[0:n, 0:8] = K_blk·Q_panelᵀ
        panelProduct(n, m5k, E, E, kp, qp + <usize>pq * qpP, sp, false);
        // does some lane lose keys [0, n) to the causal mask? (the first lane's limit is the lowest)
        const diag = causal != 0 && <i64>j0 + <i64>(n - 1) > <i64>r + <i64>causalOffset;
        const mrow = mask != 0 ? mask + (<usize>j0 << 2) + <usize>r * ldmB : 0;
        const brow = bmask != 0 ? bmask + <usize>j0 + <usize>r * ldbmB : 0;
        onlineSoftmax(sp, op, n, Ev, ms + (<usize>(8 * pq) << 2), ls + (<usize>(8 * pq) << 2), scale, fast,
                      diag, r, causalOffset, j0, mrow, ldm, brow, ldbm, nq);
        // Oᵀ += Vᵀ·Pᵀ over the panel's n keys
        panelProduct(Ev, m5v, bc, n, vp, sp, op, true);
      }
    }
    // out = O / l (rows whose l is 0 saw only -inf scores: zeros)
    for (let i = 0; i < br; i++) {
      const l = load<f32>(ls + (<usize>i << 2));
      const inv: f32 = l == 0 ? 0 : <f32>1 / l;
      const o = ot + <usize>(i >> 3) * otP + (<usize>(i & 7) << 2);
      const dst = out + <usize>(i0 + i) * ldoB;
      for (let d = 0; d < Ev; d++) store<f32>(dst + (<usize>d << 2), load<f32>(o + (<usize>d << 5)) * inv);
    }
  }
}

// Scalar reference (same arguments): scores, softmax and the weighted sum in float64, keys with weight 0 skipped.
// scratch: 2·Ev floats (the row's float64 accumulators; sdpa_scratch_size_f32 is enough when S > 0).
export function sdpa_f32_ref(L: i32, S: i32, E: i32, Ev: i32,
                             q: usize, ldq: i32, k: usize, ldk: i32, v: usize, ldv: i32, out: usize, ldo: i32,
                             mask: usize, ldm: i32, bmask: usize, ldbm: i32,
                             scale: f32, causal: i32, causalOffset: i32, scratch: usize): void {
  for (let i = 0; i < L; i++) {
    const dst = out + ((<usize>i * <usize>ldo) << 2);
    let m = -Infinity;
    for (let j = 0; j < S; j++) m = Math.max(m, refScore(i, j, E, q, ldq, k, ldk, mask, ldm, bmask, ldbm, scale, causal, causalOffset));
    if (m == -Infinity) {
      for (let d = 0; d < Ev; d++) store<f32>(dst + (<usize>d << 2), 0);
      continue;
    }
    let sum = 0.0;
    for (let d = 0; d < Ev; d++) store<f64>(scratch + (<usize>d << 3), 0);
    for (let j = 0; j < S; j++) {
      const s = refScore(i, j, E, q, ldq, k, ldk, mask, ldm, bmask, ldbm, scale, causal, causalOffset);
      const p = Math.exp(s - m);
      if (p == 0) continue;
      sum += p;
      const vj = v + ((<usize>j * <usize>ldv) << 2);
      for (let d = 0; d < Ev; d++) {
        const a = scratch + (<usize>d << 3);
        store<f64>(a, load<f64>(a) + p * <f64>load<f32>(vj + (<usize>d << 2)));
      }
    }
    for (let d = 0; d < Ev; d++) store<f32>(dst + (<usize>d << 2), <f32>(load<f64>(scratch + (<usize>d << 3)) / sum));
  }
}

// s_ij of the reference, in float64.
function refScore(i: i32, j: i32, E: i32, q: usize, ldq: i32, k: usize, ldk: i32, mask: usize, ldm: i32,
                  bmask: usize, ldbm: i32, scale: f32, causal: i32, causalOffset: i32): f64 {
  if (causal && <i64>j > <i64>i + <i64>causalOffset) return -Infinity;
  if (bmask && load<u8>(bmask + <usize>i * <usize>ldbm + <usize>j) != 0) return -Infinity;
  const qi = q + ((<usize>i * <usize>ldq) << 2), kj = k + ((<usize>j * <usize>ldk) << 2);
  let dot = 0.0;
  for (let p = 0; p < E; p++) dot += <f64>load<f32>(qi + (<usize>p << 2)) * <f64>load<f32>(kj + (<usize>p << 2));
  let s = dot * <f64>scale;
  if (mask) s += <f64>load<f32>(mask + ((<usize>i * <usize>ldm + <usize>j) << 2));
  return s;
}
