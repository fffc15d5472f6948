// GEMV: the m = 1 paths of the GEMM driver, one per B source. B is streamed once and is the bottleneck, so
// these loops are shaped around the B stream (several columns per A broadcast), not around register tiles.
// gemvPacked accumulates each c[j] in natural k order with madd (as the tiles and gemm_f32_ref do), so a row it
// computes equals the same row computed by a tile, bit for bit; gemvRowMajor and gemvTrans do not quite, and run
// only when the whole product has one row.
import { madd } from '../simd/madd';
import { ACT_RELU } from '../abi';
import { storeRow, epilogue } from './tiles';

// m = 1 over packed panels ([k][8] each, k*32 bytes apart): four panels at a time (8 accumulators: the B stream
// is the bottleneck and the A broadcast is shared), two K steps per pass with constant offsets, which V8 11 needs
// to keep up with the stream (bench/TUNING.md).
export function gemvPacked(n: i32, k: i32, a: usize, packed: usize, c: usize, bias: usize, act: i32): void {
  const gs = <usize>k << 5;
  const n32 = n & ~31;
  const k2 = k & ~1;
  for (let j = 0; j < n32; j += 32) gemvPanels4(k2, a, packed + <usize>(j >> 3) * gs, gs, c + (<usize>j << 2));
  if (k2 < k) {   // last K step: row k-1 of each panel
    const s = v128.load32_splat(a + (<usize>k2 << 2));
    for (let j = 0; j < n32; j += 8) {
      const b = packed + <usize>(j >> 3) * gs + (<usize>k2 << 5), o = c + (<usize>j << 2);
      v128.store(o, madd(s, v128.load(b), v128.load(o)));
      v128.store(o, madd(s, v128.load(b, 16), v128.load(o, 16)), 16);
    }
  }
  // bias/act in a second pass: keeping them out of the loop function leaves V8 11 enough registers
  if (bias != 0 || act != 0) biasAct(n32, c, bias, act);
  // remaining 1..3 panels (the last may be zero padded): the general loop, one panel at a time
  if (n32 < n) gemvPanels(n - n32, k, a, packed + <usize>(n32 >> 3) * gs, c + (<usize>n32 << 2), bias != 0 ? bias + (<usize>n32 << 2) : 0, act);
}

// c[0:32] = a[0:k2] · four consecutive panels starting at b (gs bytes apart), k2 even. The odd-k step is the
// caller's: after the loop, in here, it cost V8 11 a quarter of the loop's speed.
function gemvPanels4(k2: i32, a: usize, b0: usize, gs: usize, c: usize): void {
  let y0 = f32x4.splat(0), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
  let b1 = b0 + gs, b2 = b1 + gs, b3 = b2 + gs;
  const aEnd2 = a + (<usize>k2 << 2);
  for (let pa = a; pa < aEnd2; pa += 8) {
    let s = v128.load32_splat(pa);
    y0 = madd(s, v128.load(b0), y0); y1 = madd(s, v128.load(b0, 16), y1);
    y2 = madd(s, v128.load(b1), y2); y3 = madd(s, v128.load(b1, 16), y3);
    y4 = madd(s, v128.load(b2), y4); y5 = madd(s, v128.load(b2, 16), y5);
    y6 = madd(s, v128.load(b3), y6); y7 = madd(s, v128.load(b3, 16), y7);
    s = v128.load32_splat(pa, 4);
    y0 = madd(s, v128.load(b0, 32), y0); y1 = madd(s, v128.load(b0, 48), y1);
    y2 = madd(s, v128.load(b1, 32), y2); y3 = madd(s, v128.load(b1, 48), y3);
    y4 = madd(s, v128.load(b2, 32), y4); y5 = madd(s, v128.load(b2, 48), y5);
    y6 = madd(s, v128.load(b3, 32), y6); y7 = madd(s, v128.load(b3, 48), y7);
    b0 += 64; b1 += 64; b2 += 64; b3 += 64;
  }
  v128.store(c, y0); v128.store(c, y1, 16); v128.store(c, y2, 32); v128.store(c, y3, 48);
  v128.store(c, y4, 64); v128.store(c, y5, 80); v128.store(c, y6, 96); v128.store(c, y7, 112);
}

// c[0:n] = a[0:k] · packed panels (n < 32 columns: the 1..4 panels gemvPacked leaves, the last zero padded).
// Two to four panels run in one pass (gemvGroup), a single panel with two K steps per pass into the same two
// accumulators: every accumulator keeps k order.
function gemvPanels(n: i32, k: i32, a: usize, b: usize, c: usize, bias: usize, act: i32): void {
  const gs = <usize>k << 5;
  const end = <usize>k << 2;
  if (n > 24) { gemvGroup(4, n, end, a, b, gs, c, bias, act); return; }
  if (n > 16) { gemvGroup(3, n, end, a, b, gs, c, bias, act); return; }
  if (n > 8) { gemvGroup(2, n, end, a, b, gs, c, bias, act); return; }
  for (let j = 0; j < n; j += 8) {
    let y0 = f32x4.splat(0), y1 = y0;
    let p0 = b + <usize>(j >> 3) * gs;
    let pa: usize = 0;
    for (; pa + 8 <= end; pa += 8) {
      const s = v128.load32_splat(a + pa), t = v128.load32_splat(a + pa, 4);
      y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
      y0 = madd(t, v128.load(p0, 32), y0); y1 = madd(t, v128.load(p0, 48), y1);
      p0 += 64;
    }
    if (pa < end) {
      const s = v128.load32_splat(a + pa);
      y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    }
    gemvStore(c, j, n, y0, y1, bias, act);
  }
}

// P (2..4, a constant after inlining) panels at b, gs bytes apart, in one pass: 2P accumulators, two K steps per
// pass with constant offsets as gemvPanels4 (V8 11 runs a one-step body at about half the speed).
@inline function gemvGroup(P: i32, n: i32, end: usize, a: usize, b: usize, gs: usize, c: usize, bias: usize, act: i32): void {
  let y0 = f32x4.splat(0), y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0;
  let p0 = b, p1 = p0 + gs, p2 = p1 + gs, p3 = p2 + gs;
  let pa: usize = 0;
  for (; pa + 8 <= end; pa += 8) {
    let s = v128.load32_splat(a + pa);
    y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    y2 = madd(s, v128.load(p1), y2); y3 = madd(s, v128.load(p1, 16), y3);
    if (P > 2) { y4 = madd(s, v128.load(p2), y4); y5 = madd(s, v128.load(p2, 16), y5); }
    if (P > 3) { y6 = madd(s, v128.load(p3), y6); y7 = madd(s, v128.load(p3, 16), y7); }
    s = v128.load32_splat(a + pa, 4);
    y0 = madd(s, v128.load(p0, 32), y0); y1 = madd(s, v128.load(p0, 48), y1);
    y2 = madd(s, v128.load(p1, 32), y2); y3 = madd(s, v128.load(p1, 48), y3);
    if (P > 2) { y4 = madd(s, v128.load(p2, 32), y4); y5 = madd(s, v128.load(p2, 48), y5); }
    if (P > 3) { y6 = madd(s, v128.load(p3, 32), y6); y7 = madd(s, v128.load(p3, 48), y7); }
    p0 += 64; p1 += 64;
    if (P > 2) p2 += 64;
    if (P > 3) p3 += 64;
  }
  if (pa < end) {
    const s = v128.load32_splat(a + pa);
    y0 = madd(s, v128.load(p0), y0); y1 = madd(s, v128.load(p0, 16), y1);
    y2 = madd(s, v128.load(p1), y2); y3 = madd(s, v128.load(p1, 16), y3);
    if (P > 2) { y4 = madd(s, v128.load(p2), y4); y5 = madd(s, v128.load(p2, 16), y5); }
    if (P > 3) { y6 = madd(s, v128.load(p3), y6); y7 = madd(s, v128.load(p3, 16), y7); }
  }
  gemvStore(c, 0, n, y0, y1, bias, act);
  gemvStore(c, 8, n, y2, y3, bias, act);
  if (P > 2) gemvStore(c, 16, n, y4, y5, bias, act);
  if (P > 3) gemvStore(c, 24, n, y6, y7, bias, act);
}

// m = 1 over a row-major B (row stride rs bytes): c[0:n] = a · B (+bias)(act). Four rows of B at a time are
// streamed front to back (four sequential streams, 4 broadcasts held in registers) while c[0:n] (in L1)
// accumulates; sweeping 32-column strips down the rows instead hits one L1 set per strip at power-of-two strides.
// Columns past the last multiple of 4 are done in scalar, so nothing is read past column n; the scalar sum is not
// fused in the relaxed build, so the driver takes this path only when the whole product has one row. (A vector
// tail column after the loops, fused like the rest, made V8 11 run the loops 5-10% slower: bench/TUNING.md.)
export function gemvRowMajor(n: i32, k: i32, a: usize, b: usize, rs: usize, c: usize, bias: usize, act: i32): void {
  const n4 = n & ~3;
  let p = 0;
  for (; p + 4 <= k; p += 4) gemvRowsAcc4(n4, a + (<usize>p << 2), b + <usize>p * rs, rs, c, p > 0);
  for (; p < k; p++) {
    const s = v128.load32_splat(a + (<usize>p << 2));
    const br = b + <usize>p * rs;
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(c + o, madd(s, v128.load(br + o), p > 0 ? v128.load(c + o) : f32x4.splat(0)));
    }
  }
  if (bias != 0 || act != 0) biasAct(n4, c, bias, act);
  for (let j = n4; j < n; j++) {
    let t: f32 = 0;
    for (let q = 0; q < k; q++) t += load<f32>(a + (<usize>q << 2)) * load<f32>(b + <usize>q * rs + (<usize>j << 2));
    store<f32>(c + (<usize>j << 2), finish1(t, bias, j, act));
  }
}

// c[0:n4] (+)= a[0:4] · B[0:4, 0:n4] (rows rs bytes apart); accum = add to c instead of starting from 0.
function gemvRowsAcc4(n4: i32, a: usize, b: usize, rs: usize, c: usize, accum: bool): void {
  const s0 = v128.load32_splat(a), s1 = v128.load32_splat(a, 4), s2 = v128.load32_splat(a, 8), s3 = v128.load32_splat(a, 12);
  const b1 = b + rs, b2 = b1 + rs, b3 = b2 + rs;
  const end = <usize>n4 << 2;
  if (accum) {
    for (let o: usize = 0; o < end; o += 16) {
      let v = madd(s0, v128.load(b + o), v128.load(c + o));
      v = madd(s1, v128.load(b1 + o), v);
      v = madd(s2, v128.load(b2 + o), v);
      v128.store(c + o, madd(s3, v128.load(b3 + o), v));
    }
  } else {
    // madd onto +0, not a plain mul: the tiles start from +0 too, so even the sign of a zero sum agrees
    const zero = f32x4.splat(0);
    for (let o: usize = 0; o < end; o += 16) {
      let v = madd(s0, v128.load(b + o), zero);
      v = madd(s1, v128.load(b1 + o), v);
      v = madd(s2, v128.load(b2 + o), v);
      v128.store(c + o, madd(s3, v128.load(b3 + o), v));
    }
  }
}

// c[0:n4] = act(c + bias), n4 a multiple of 4.
function biasAct(n4: i32, c: usize, bias: usize, act: i32): void {
  const zero = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    let v = v128.load(c + o);
    if (bias != 0) v = f32x4.add(v, v128.load(bias + o));
    if (act == ACT_RELU) v = f32x4.max(v, zero);
    v128.store(c + o, v);
  }
}

@inline function gemvStore(c: usize, j: i32, n: i32, y0: v128, y1: v128, bias: usize, act: i32): void {
  const nr = min(8, n - j);
  if (bias != 0 || act != 0) {
    let bv0 = f32x4.splat(0), bv1 = bv0;
    if (bias != 0) { bv0 = v128.load(bias + (<usize>j << 2)); if (nr > 4) bv1 = v128.load(bias + (<usize>j << 2), 16); }
    y0 = epilogue(y0, bv0, act); y1 = epilogue(y1, bv1, act);
  }
  storeRow(c + (<usize>j << 2), y0, y1, nr);
}

// Scalar bias/act for one element (tails).
@inline export function finish1(v: f32, bias: usize, j: i32, act: i32): f32 {
  if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
  if (act == ACT_RELU) v = v > 0 || v != v ? v : 0;
  return v;
}

@inline function hsum(v: v128): f32 {
  v = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  v = f32x4.add(v, i32x4.shuffle(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

// m = 1 with B given as [n, k] (A·Bᵀ, e.g. one query against the keys): c[j] = a[0:k] · B[j, 0:k] (+bias)(act),
// plain dot products, 4 rows of B at a time sharing each A load. Each dot product is summed in 4 lanes and then
// across them, an order the tiles do not use, so the driver takes this path only when the whole product has one
// row (then no sub-range of rows can be computed another way).
export function gemvTrans(n: i32, k: i32, a: usize, b: usize, ldbB: usize, c: usize, bias: usize, act: i32): void {
  const k4 = <usize>(k & ~3) << 2, end = <usize>k << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const r0 = b + <usize>j * ldbB, r1 = r0 + ldbB, r2 = r1 + ldbB, r3 = r2 + ldbB;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let p: usize = 0; p < k4; p += 16) {
      const x = v128.load(a + p);
      s0 = madd(x, v128.load(r0 + p), s0); s1 = madd(x, v128.load(r1 + p), s1);
      s2 = madd(x, v128.load(r2 + p), s2); s3 = madd(x, v128.load(r3 + p), s3);
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
    for (let p = k4; p < end; p += 4) {
      const x = load<f32>(a + p);
      d0 += x * load<f32>(r0 + p); d1 += x * load<f32>(r1 + p); d2 += x * load<f32>(r2 + p); d3 += x * load<f32>(r3 + p);
    }
    store<f32>(c + (<usize>j << 2), finish1(d0, bias, j, act));
    store<f32>(c + (<usize>j << 2), finish1(d1, bias, j + 1, act), 4);
    store<f32>(c + (<usize>j << 2), finish1(d2, bias, j + 2, act), 8);
    store<f32>(c + (<usize>j << 2), finish1(d3, bias, j + 3, act), 12);
  }
  for (; j < n; j++) {
    const r0 = b + <usize>j * ldbB;
    let s0 = f32x4.splat(0);
    for (let p: usize = 0; p < k4; p += 16) s0 = madd(v128.load(a + p), v128.load(r0 + p), s0);
    let d0 = hsum(s0);
    for (let p = k4; p < end; p += 4) d0 += load<f32>(a + p) * load<f32>(r0 + p);
    store<f32>(c + (<usize>j << 2), finish1(d0, bias, j, act));
  }
}
