import { sdpa_f32, sdpa_f32_ref, sdpa_scratch_size_f32, BC, BR } from '../../assembly/attention/sdpa_f32';
import { buf, fill, close, at, set, GUARD } from './spec_util';

// sdpa_f32 (fused, online softmax) against sdpa_f32_ref (float64 scores, softmax and sums) at awkward sizes:
// L, S around the key block BC (BC - 1, BC, BC + 1), primes, L != S; E, Ev in 1, 3, 4, 5, 8, 17, 64, 65; float
// and bool masks (per row and one broadcast row), causal offsets -3, 0, 5, S + 2, fully masked rows; guard
// floats between and after the output rows and around the scratch; row sub-ranges must give the whole call's
// bits. Tolerance 1e-5 absolute + 1e-4 relative (outputs are convex combinations of values in [-1, 1]).
const ATOL = 1e-5, RTOL = 1e-4;
const SG: i32 = 8;   // guard floats before and after the scratch

class Opts {
  scale: f32 = 0.25;
  mask: i32 = 0;       // 0 none, 1 per row, 2 one broadcast row
  bmask: i32 = 0;      // likewise
  causal: bool = false;
  offset: i32 = 0;
  fullRows: bool = false;   // rows 0 (float mask all -inf) and 2 (bmask all set) fully masked
}

class Data {
  L: i32; S: i32; E: i32; Ev: i32; ldq: i32; ldk: i32; ldv: i32; ldo: i32; ldm: i32; ldbm: i32;
  q: usize; k: usize; v: usize; m: usize; b: usize; scratch: usize; size: i32;
  constructor(L: i32, S: i32, E: i32, Ev: i32, o: Opts, seed: u32) {
    this.L = L; this.S = S; this.E = E; this.Ev = Ev;
    this.ldq = E + 1; this.ldk = E + 2; this.ldv = Ev + 3; this.ldo = Ev + 2;
    this.q = buf(L * this.ldq); this.k = buf(S * this.ldk); this.v = buf(S * this.ldv);
    fill(this.q, L * this.ldq, seed, 1); fill(this.k, S * this.ldk, seed + 1, 1); fill(this.v, S * this.ldv, seed + 2, 1);
    this.ldm = o.mask == 1 ? S + 1 : 0;
    this.m = 0;
    if (o.mask) {
      const n = o.mask == 1 ? L * this.ldm : S;
      this.m = buf(n); fill(this.m, n, seed + 3, 2);
      if (o.fullRows) for (let j = 0; j < S; j++) set(this.m, j, -Infinity);
    }
    this.ldbm = o.bmask == 1 ? S + 3 : 0;
    this.b = 0;
    if (o.bmask) {
      const n = o.bmask == 1 ? L * this.ldbm : S;
      this.b = heap.alloc(<usize>(n + 16));
      for (let i = 0; i < n; i++) store<u8>(this.b + <usize>i, <u8>((<u32>i * 7 + seed) % 4 == 0 ? 1 : 0));
      if (o.fullRows && o.bmask == 1 && L > 2) for (let j = 0; j < S; j++) store<u8>(this.b + <usize>(2 * this.ldbm + j), 1);
    }
    this.size = sdpa_scratch_size_f32(L, S, E, Ev);
    this.scratch = buf(this.size + 2 * SG, 0);
  }
  free(): void {
    heap.free(this.q); heap.free(this.k); heap.free(this.v); heap.free(this.scratch);
    if (this.m) heap.free(this.m);
    if (this.b) heap.free(this.b);
  }
  // rows [r0, r1) of the kernel (or the reference) into out
  run(ref: bool, o: Opts, out: usize, r0: i32, r1: i32): void {
    const q = this.q + ((<usize>r0 * this.ldq) << 2), dst = out + ((<usize>r0 * this.ldo) << 2);
    const m = this.m ? this.m + ((<usize>r0 * this.ldm) << 2) : 0, b = this.b ? this.b + <usize>r0 * this.ldbm : 0;
    const s = this.scratch + (<usize>SG << 2);
    if (ref) sdpa_f32_ref(r1 - r0, this.S, this.E, this.Ev, q, this.ldq, this.k, this.ldk, this.v, this.ldv, dst, this.ldo,
                          m, this.ldm, b, this.ldbm, o.scale, o.causal ? 1 : 0, o.offset + r0, s);
    else sdpa_f32(r1 - r0, this.S, this.E, this.Ev, q, this.ldq, this.k, this.ldk, this.v, this.ldv, dst, this.ldo,
                  m, this.ldm, b, this.ldbm, o.scale, o.causal ? 1 : 0, o.offset + r0, s);
  }
  guardsOk(): bool {
    for (let i = 0; i < SG; i++) if (at(this.scratch, i) != GUARD || at(this.scratch, SG + this.size + i) != GUARD) return false;
    return true;
  }
}

function label(d: Data, o: Opts): string {
  return 'L=' + d.L.toString() + ' S=' + d.S.toString() + ' E=' + d.E.toString() + ' Ev=' + d.Ev.toString() +
         ' mask=' + o.mask.toString() + ' bmask=' + o.bmask.toString() + ' causal=' + (o.causal ? o.offset.toString() : '-');
}

// Kernel vs reference; guard floats between output rows, after the output and around the scratch untouched.
function check(L: i32, S: i32, E: i32, Ev: i32, o: Opts, seed: u32): void {
  const d = new Data(L, S, E, Ev, o, seed);
  const n = L * d.ldo;
  const out = buf(n), ref = buf(n);
  d.run(false, o, out, 0, L);
  const scratchOk = d.guardsOk();
  d.run(true, o, ref, 0, L);
  let bad = 0, first = '';
  for (let i = 0; i < L; i++) {
    for (let c = 0; c < d.ldo; c++) {
      const got = at(out, i * d.ldo + c);
      if (c >= Ev) { if (got != GUARD && bad++ == 0) first = 'wrote into the gap of row ' + i.toString(); continue; }
      const want = at(ref, i * d.ldo + c);
      if (!close(got, want, ATOL, RTOL) && bad++ == 0) {
        first = 'at ' + i.toString() + ',' + c.toString() + ' got ' + got.toString() + ' want ' + want.toString();
      }
    }
  }
  for (let i = n; i < n + 8; i++) if (at(out, i) != GUARD && bad++ == 0) first = 'wrote past the output';
  if (!scratchOk && bad++ == 0) first = 'wrote outside the scratch';
  expect(bad).toBe(0, label(d, o) + ': ' + first);
  heap.free(out); heap.free(ref);
  d.free();
}

// Rows in pieces (cut at the given rows) must equal the whole call bit for bit.
function checkRanges(L: i32, S: i32, E: i32, Ev: i32, o: Opts, cuts: i32[]): void {
  const d = new Data(L, S, E, Ev, o, 77);
  const n = L * d.ldo;
  const whole = buf(n), parts = buf(n);
  d.run(false, o, whole, 0, L);
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i] < cuts[i + 1]) d.run(false, o, parts, cuts[i], cuts[i + 1]);
  let bad = 0, first = '';
  for (let i = 0; i < n + 8; i++) {
    const a = reinterpret<u32>(at(whole, i)), b = reinterpret<u32>(at(parts, i));
    if (a != b && bad++ == 0) first = 'element ' + i.toString() + ': ' + at(parts, i).toString() + ' in pieces, ' + at(whole, i).toString() + ' whole';
  }
  expect(bad).toBe(0, 'sub-ranges ' + label(d, o) + ': ' + first);
  heap.free(whole); heap.free(parts);
  d.free();
}

const SEQ: i32[] = [1, 7, BC - 1, BC, BC + 1, 97];
const DIM: i32[] = [1, 3, 4, 5, 8, 17, 64, 65];

describe('sdpa_f32', () => {
  it('matches the reference for L, S around the key block and every head dim', () => {
    for (let a = 0; a < SEQ.length; a++) {
      for (let b = 0; b < SEQ.length; b++) {
        const o = new Opts();
        check(SEQ[a], SEQ[b], DIM[(a + 2 * b) % DIM.length], DIM[(3 * a + b) % DIM.length], o, <u32>(a * 8 + b));
      }
    }
    for (let e = 0; e < DIM.length; e++) {
      for (let f = 0; f < DIM.length; f++) {
        const o = new Opts(); o.scale = 1 / Mathf.sqrt(<f32>DIM[e]);
        check(13, BC + 1, DIM[e], DIM[f], o, <u32>(100 + e * 8 + f));
      }
    }
    // more than one query block
    const o = new Opts(); o.scale = 0.125;
    check(BR + 9, 2 * BC + 3, 64, 64, o, 200);
  });
  it('handles float and bool masks, per row and broadcast, and odd scales', () => {
    const scales: f32[] = [0.25, 1, -0.5, 0];
    for (let a = 0; a < SEQ.length; a++) {
      const S = SEQ[a];
      for (let mk = 0; mk < 3; mk++) {
        for (let bk = 0; bk < 3; bk++) {
          if (mk == 0 && bk == 0) continue;
          const o = new Opts(); o.mask = mk; o.bmask = bk; o.scale = scales[(a + mk + bk) % 4];
          check(11, S, 17, 5, o, <u32>(300 + a * 9 + mk * 3 + bk));
        }
      }
    }
  });
  it('handles causal masks with offsets -3, 0, 5, S + 2 (rows past their causal end: zeros)', () => {
    for (let a = 0; a < SEQ.length; a++) {
      const S = SEQ[a];
      const offs: i32[] = [-3, 0, 5, S + 2];
      for (let t = 0; t < offs.length; t++) {
        const o = new Opts(); o.causal = true; o.offset = offs[t];
        check(BC + 1, S, 8, 17, o, <u32>(400 + a * 4 + t));
        o.mask = 1; o.bmask = 2;
        check(7, S, 5, 3, o, <u32>(500 + a * 4 + t));
      }
    }
  });
  it('gives zeros for fully masked rows (float -inf row, bool row)', () => {
    for (let a = 0; a < SEQ.length; a++) {
      const o = new Opts(); o.mask = 1; o.bmask = 1; o.fullRows = true;
      check(5, SEQ[a], 4, 8, o, <u32>(600 + a));
      const d = new Data(5, SEQ[a], 4, 8, o, <u32>(600 + a));
      const out = buf(5 * d.ldo);
      d.run(false, o, out, 0, 5);
      let zeros = true;
      for (let c = 0; c < 8; c++) if (at(out, c) != 0 || at(out, 2 * d.ldo + c) != 0) zeros = false;
      expect(zeros).toBe(true, 'fully masked rows are zeros');
      heap.free(out);
      d.free();
    }
  });
  it('computes row sub-ranges bit for bit as the whole call', () => {
    let o = new Opts(); o.causal = true; o.offset = -3; o.mask = 1; o.bmask = 1;
    checkRanges(BC + 1, 2 * BC + 5, 17, 65, o, [0, 1, 9, 40, BC + 1]);
    o = new Opts(); o.scale = 0.125;
    checkRanges(BR + 13, BC + 1, 64, 64, o, [0, 3, 8, BR, BR + 13]);
    o = new Opts(); o.causal = true; o.offset = 5; o.mask = 2;
    checkRanges(97, 97, 8, 4, o, [0, 50, 51, 97]);
  });
});
