"use strict";
const __wasm_attention_import_meta_url = typeof __filename === "string" ? require("node:url").pathToFileURL(require("node:path").join(__dirname, "../index.cjs")).href : (typeof document !== "undefined" && document.currentScript ? document.currentScript.src : "file:///");
"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// bindings/adapters/tfjs.ts
var tfjs_exports = {};
__export(tfjs_exports, {
  installTfjsKernels: () => installTfjsKernels
});
module.exports = __toCommonJS(tfjs_exports);

// bindings/errors.ts
function fmtShape(shape) {
  return `[${shape.join(", ")}]`;
}
function describe(v) {
  if (v === null) return "null";
  if (v === void 0) return "undefined";
  if (typeof v === "function") return `a function${v.name ? ` (${v.name})` : ""}`;
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name;
    return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name} of length ${v.length}`;
  }
  if (typeof v === "object") return `an object (${v.constructor?.name ?? "Object"})`;
  return `${typeof v} ${String(v)}`;
}
function fail(where, msg) {
  throw new RangeError(`${where}: ${msg}`);
}
function failType(where, msg) {
  throw new TypeError(`${where}: ${msg}`);
}
function checkOptions(where, opts, allowed) {
  if (opts === void 0) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    failType(where, `options must be an object, got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      failType(where, `unknown option "${key}" (expected one of: ${allowed.join(", ")})`);
    }
  }
}
function checkPositiveInt(where, name, v) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    fail(where, `${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}
function checkFinite(where, name, v) {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(where, `${name} must be a finite number, got ${describe(v)}`);
  return v;
}
function checkBoolean(where, name, v) {
  if (typeof v !== "boolean") failType(where, `${name} must be a boolean, got ${describe(v)}`);
  return v;
}
function checkEnum(where, name, v, allowed) {
  if (typeof v !== "string" || !allowed.includes(v)) {
    fail(where, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${describe(v)}`);
  }
  return v;
}
function checkLength(where, name, got, expected, expr) {
  if (got !== expected) {
    fail(where, `${name} must have ${expr ? `${expr} = ` : ""}${expected} elements, got ${got}`);
  }
}

// bindings/runtime/kernels.ts
var ACT_NONE = 0;
var ACT_RELU = 1;
var GEMM_ARGS = ["m", "n", "k", "row0", "row1", "col0", "col1", "a", "lda", "b", "ldb", "c", "ldc", "bias", "act", "scratch"];
var UNARY_ARGS = ["n", "x", "y"];
var SOFTMAX_ARGS = ["rows", "cols", "x", "ldx", "y", "ldy", "mask", "ldm", "bmask", "ldbm", "lens", "scale", "causal", "causalOffset"];
var LAYERNORM_ARGS = ["rows", "cols", "x", "ldx", "y", "ldy", "weight", "bias", "eps"];
var ADDITIVE_ARGS = ["batch", "nq", "nk", "hidden", "qp", "kp", "wv", "out"];
var SDPA_ARGS = [
  "L",
  "S",
  "E",
  "Ev",
  "q",
  "ldq",
  "k",
  "ldk",
  "v",
  "ldv",
  "out",
  "ldo",
  "mask",
  "ldm",
  "bmask",
  "ldbm",
  "scale",
  "causal",
  "causalOffset",
  "scratch"
];
var KERNELS = [
  // --- runtime ---
  { name: "heap_base", family: "runtime", args: [], ref: null, returns: "number" },
  /** 1 for the relaxed build, 0 for simd. */
  { name: "variant_id", family: "runtime", args: [], ref: null, returns: "number" },
  // --- gemm (assembly/gemm/): C[m,n] = A[m,k]·B (+ bias[n]) (act); m or n = 0 writes nothing, k = 0 gives
  // act(bias or 0). C must not overlap A, B or bias. ---
  /** B [k, n] row-major. */
  { name: "gemm_f32", family: "gemm", args: GEMM_ARGS, ref: "gemm_f32_ref" },
  /** B given as [n, k]: C = A·Bᵀ (Q·Kᵀ, x·Wᵀ without packing). */
  { name: "gemm_f32_trans_b", family: "gemm", args: GEMM_ARGS, ref: "gemm_f32_ref" },
  /** B packed by pack_b_f32 (weights packed once). */
  {
    name: "gemm_f32_packed_b",
    family: "gemm",
    args: ["m", "n", "k", "row0", "row1", "col0", "col1", "a", "lda", "packed", "c", "ldc", "bias", "act", "scratch"],
    ref: "gemm_f32_ref"
  },
  /** batch x (A_i·B_i, or A_i·B_iᵀ with transB = 1); operand i at a + i·sa elements etc.; no bias/act. */
  {
    name: "gemm_f32_batched",
    family: "gemm",
    args: ["batch", "m", "n", "k", "a", "lda", "sa", "b", "ldb", "sb", "c", "ldc", "sc", "transB", "scratch"],
    ref: "gemm_f32_ref"
  },
  /** Scalar reference of every GEMM entry; b is [k, n], or [n, k] with transB = 1. */
  { name: "gemm_f32_ref", family: "gemm", args: ["m", "n", "k", "a", "lda", "b", "ldb", "c", "ldc", "bias", "transB", "act"], ref: null },
  /** Floats of scratch the GEMM entries need for a product of m rows and depth k (0 when m <= 1). */
  { name: "gemm_scratch_size_f32", family: "gemm", args: ["m", "n", "k"], ref: null, returns: "number" },
  /** 1: 5-row and 4-row register tiles (V8); 0: 4-row tiles with one K step only (SpiderMonkey). Per instance, set
   *  once by init() (option `tiles`). */
  { name: "gemm_set_tiles", family: "runtime", args: ["wideTiles"], ref: null },
  /** Floats of a packed [k, n] operand. */
  { name: "packed_b_size_f32", family: "gemm", args: ["k", "n"], ref: null, returns: "number" },
  /** Packs B [k, n] (transB = 0) or Bᵀ from B [n, k] (transB = 1; nn.Linear weight [out, in]) into column panels. */
  { name: "pack_b_f32", family: "gemm", args: ["k", "n", "b", "ldb", "packed", "transB"], ref: null },
  // --- softmax over rows (assembly/softmax/): s = x·scale; lens (i32[rows], 0 = none): s[j] = -1e6 for
  // j >= lens[r] (d2l); mask (f32, row r at mask + r·ldm, ldm 0 broadcasts one row, 0 = none): s += mask;
  // bmask (u8, row r at bmask + r·ldbm, 0 = none): s = -inf where bmask != 0; causal != 0: s = -inf for
  // j > r + causalOffset; y = softmax(s); a row that is all -inf gives zeros. ---
  { name: "softmax_rows_f32", family: "softmax", args: SOFTMAX_ARGS, ref: "softmax_rows_f32_ref" },
  { name: "softmax_rows_f32_ref", family: "softmax", args: SOFTMAX_ARGS, ref: null },
  // --- LayerNorm over the last dim (assembly/norm/): biased variance, eps inside the sqrt; weight/bias 0 = none ---
  { name: "layernorm_f32", family: "norm", args: LAYERNORM_ARGS, ref: "layernorm_f32_ref" },
  { name: "layernorm_f32_ref", family: "norm", args: LAYERNORM_ARGS, ref: null },
  // --- elementwise over n elements (assembly/elementwise/); the output may alias an input ---
  { name: "exp_f32", family: "elementwise", args: UNARY_ARGS, ref: "exp_f32_ref" },
  { name: "exp_f32_ref", family: "elementwise", args: UNARY_ARGS, ref: null },
  { name: "tanh_f32", family: "elementwise", args: UNARY_ARGS, ref: "tanh_f32_ref" },
  { name: "tanh_f32_ref", family: "elementwise", args: UNARY_ARGS, ref: null },
  { name: "relu_f32", family: "elementwise", args: UNARY_ARGS, ref: "relu_f32_ref" },
  { name: "relu_f32_ref", family: "elementwise", args: UNARY_ARGS, ref: null },
  /** Exact (erf) GELU, torch approximate='none'. */
  { name: "gelu_f32", family: "elementwise", args: UNARY_ARGS, ref: "gelu_f32_ref" },
  { name: "gelu_f32_ref", family: "elementwise", args: UNARY_ARGS, ref: null },
  /** tanh-form GELU, torch approximate='tanh'. */
  { name: "gelu_tanh_f32", family: "elementwise", args: UNARY_ARGS, ref: "gelu_tanh_f32_ref" },
  { name: "gelu_tanh_f32_ref", family: "elementwise", args: UNARY_ARGS, ref: null },
  /** y = a + b (residual add). */
  { name: "add_f32", family: "elementwise", args: ["n", "a", "b", "y"], ref: "add_f32_ref" },
  { name: "add_f32_ref", family: "elementwise", args: ["n", "a", "b", "y"], ref: null },
  // --- additive (Bahdanau) scores, fused (assembly/attention/): out[b,i,j] = Σ_h wv[h]·tanh(qp[b,i,h] + kp[b,j,h]);
  // qp [batch, nq, h], kp [batch, nk, h], wv [h], out [batch, nq, nk], contiguous ---
  { name: "additive_scores_f32", family: "attention", args: ADDITIVE_ARGS, ref: "additive_scores_f32_ref" },
  { name: "additive_scores_f32_ref", family: "attention", args: ADDITIVE_ARGS, ref: null },
  // --- fused scaled dot-product attention, one (batch, head) slice (assembly/attention/sdpa_f32.ts), online softmax,
  // no L x S buffer: s_ij = scale·(q_i·k_j) (+ mask[i·ldm + j], f32, ldm 0 = one row for all i) (-inf where
  // bmask[i·ldbm + j] != 0, u8) (-inf where causal and j > i + causalOffset); out_i = Σ_j softmax_j(s_i)·v_j.
  // q [L, E], k [S, E], v [S, Ev], out [L, Ev] (row strides ld*); a row of only -inf gives zeros, a NaN score a
  // NaN row. Rows [r0, r1): q, out, mask, bmask moved by r0 rows, L = r1 - r0, causalOffset + r0 (same bits).
  // scratch: sdpa_scratch_size_f32(L, S, E, Ev) floats (0 when that is 0). ---
  { name: "sdpa_f32", family: "attention", args: SDPA_ARGS, ref: "sdpa_f32_ref" },
  /** Scalar float64 reference; its scratch needs 2·Ev floats. */
  { name: "sdpa_f32_ref", family: "attention", args: SDPA_ARGS, ref: null },
  /** Floats of scratch sdpa_f32 needs for L query rows (any sub-range of them included). */
  { name: "sdpa_scratch_size_f32", family: "attention", args: ["L", "S", "E", "Ev"], ref: null, returns: "number" },
  // --- recurrent layers (assembly/rnn/): one GRU / LSTM timestep, the hidden product h·W_hhᵀ (+ b_hh) and the gates
  // fused (assembly/rnn/rnn_step_f32.ts). gi [batch, G·H] (ldgi) = x·W_ihᵀ + b_ih, gate blocks in PyTorch order
  // (GRU r|z|n, LSTM i|f|g|o); h, c [batch, H]; whh: W_hh packed gate-interleaved (pack_b_f32 of the rearranged
  // [G·H8, H] matrix, bindings/ops/rnn.ts); bhh [G·H] or 0; hidden units [col0, col1) (col0 a multiple of 8).
  // hout must not overlap h; cout may be c. scratch: rnn_step_scratch_size_f32(batch, H, G) floats (G·8 for batch 1). ---
  {
    name: "gru_step_f32",
    family: "rnn",
    args: ["batch", "hidden", "col0", "col1", "gi", "ldgi", "h", "ldh", "whh", "hout", "ldo", "bhh", "scratch"],
    ref: "gru_step_f32_ref"
  },
  /** float64 reference from the UNPACKED W_hh [3H, H] (row stride ldw). */
  {
    name: "gru_step_f32_ref",
    family: "rnn",
    args: ["batch", "hidden", "gi", "ldgi", "h", "ldh", "whh", "ldw", "hout", "ldo", "bhh"],
    ref: null
  },
  {
    name: "lstm_step_f32",
    family: "rnn",
    args: ["batch", "hidden", "col0", "col1", "gi", "ldgi", "h", "ldh", "c", "ldc", "whh", "hout", "ldo", "cout", "ldco", "bhh", "scratch"],
    ref: "lstm_step_f32_ref"
  },
  /** float64 reference from the UNPACKED W_hh [4H, H] (row stride ldw). */
  {
    name: "lstm_step_f32_ref",
    family: "rnn",
    args: ["batch", "hidden", "gi", "ldgi", "h", "ldh", "c", "ldc", "whh", "ldw", "hout", "ldo", "cout", "ldco", "bhh"],
    ref: null
  },
  /** Floats of scratch gru_step_f32 (gates 3) / lstm_step_f32 (gates 4) need for `batch` rows (gates·8 for one row). */
  { name: "rnn_step_scratch_size_f32", family: "rnn", args: ["batch", "hidden", "gates"], ref: null, returns: "number" },
  /** y = sigmoid(x) = 1/(1 + e^-x) over n elements (max error in assembly/simd/math.ts); y may alias x. */
  { name: "sigmoid_f32", family: "rnn", args: UNARY_ARGS, ref: "sigmoid_f32_ref" },
  { name: "sigmoid_f32_ref", family: "rnn", args: UNARY_ARGS, ref: null }
];
var PROBES = [
  /** separate f32x4.mul + f32x4.add in both builds */
  { name: "peak_mul_add_f32", family: "probes", args: ["iters"], ref: null, returns: "number" },
  /** madd: relaxed_madd (FMA) in the relaxed build, mul + add in the simd build */
  { name: "peak_madd_f32", family: "probes", args: ["iters"], ref: null, returns: "number" }
];
var _check = [...KERNELS, ...PROBES];

// bindings/ops/parallel.ts
var MIN_GEMM_MACS = 1 << 17;
var MIN_ROW_ELEMENTS = 1 << 13;
var MIN_MATH_ELEMENTS = 1 << 12;
var MIN_CHEAP_ELEMENTS = 1 << 15;
function threadSlots(rt) {
  return rt.pool ? rt.pool.size : 1;
}
function slotted(rt, floats) {
  if (floats <= 0) return floats;
  const slots = threadSlots(rt);
  return slots === 1 ? floats : slots * slotFloats(floats);
}
function slotFloats(floats) {
  return Math.ceil(floats / 4) * 4;
}
function parallel(rt, work, min, localStride = 0) {
  const pool = rt.pool;
  if (pool === null || work < min) return null;
  return pool.job(localStride);
}
function ranges(n, parts, align) {
  const units = Math.ceil(n / align);
  const p = Math.max(1, Math.min(parts, units));
  const out = [0];
  for (let i = 1; i < p; i++) out.push(Math.min(n, Math.round(units * i / p) * align));
  out.push(n);
  return out;
}

// bindings/ops/gemm.ts
var actCode = (a) => a === "relu" ? ACT_RELU : ACT_NONE;
function gemmScratchFloats(rt, m, n, k) {
  return slotted(rt, rt.exports.gemm_scratch_size_f32(m, n, k));
}
var SCRATCH_ARG = 15;
var SCRATCH_ARG_PACKED = 14;
function gemmSplit(rt, fn, m, n, k, args) {
  const perThread = rt.exports.gemm_scratch_size_f32(m, n, k);
  const macs = m * n * k;
  const job = parallel(rt, macs, MIN_GEMM_MACS, slotFloats(perThread) * 4);
  if (job === null) {
    rt.exports[fn](...args(0, m, 0, n));
    return;
  }
  const P = threadSlots(rt);
  const local = perThread > 0 ? 1 << (fn === "gemm_f32_packed_b" ? SCRATCH_ARG_PACKED : SCRATCH_ARG) : 0;
  const panels = Math.ceil(n / 8);
  if (panels >= 2 * P || m < 2 * P) {
    const cs = ranges(n, P, 8);
    for (let i = 0; i + 1 < cs.length; i++) job.task().call(fn, args(0, m, cs[i], cs[i + 1]), local);
  } else {
    const rs = ranges(m, P, 1);
    for (let i = 0; i + 1 < rs.length; i++) job.task().call(fn, args(rs[i], rs[i + 1], 0, n), local);
  }
  job.run(rt.journal.where);
}
function gemm(rt, g) {
  const bias = g.bias ?? 0, act = actCode(g.act);
  gemmSplit(rt, g.transposeB ? "gemm_f32_trans_b" : "gemm_f32", g.m, g.n, g.k, (r0, r1, c0, c1) => [g.m, g.n, g.k, r0, r1, c0, c1, g.a, g.lda, g.b, g.ldb, g.c, g.ldc, bias, act, g.scratch]);
}

// bindings/ops/batch_matmul.ts
function broadcastBatch(sa, sb) {
  const rank = Math.max(sa.length, sb.length);
  const shape = [];
  const da = [], db = [];
  for (let d = 0; d < rank; d++) {
    const x = sa[d - (rank - sa.length)] ?? 1, y = sb[d - (rank - sb.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    shape.push(x === 1 ? y : x);
    da.push(x);
    db.push(y);
  }
  const batch = shape.reduce((p, v) => p * v, 1);
  const aIndex = new Int32Array(batch), bIndex = new Int32Array(batch);
  const stA = new Array(rank).fill(0), stB = new Array(rank).fill(0);
  for (let d = rank - 1, pa = 1, pb = 1; d >= 0; d--) {
    if (da[d] !== 1) stA[d] = pa;
    if (db[d] !== 1) stB[d] = pb;
    pa *= da[d];
    pb *= db[d];
  }
  const idx = new Array(rank).fill(0);
  for (let i = 0; i < batch; i++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += idx[d] * stA[d];
      ib += idx[d] * stB[d];
    }
    aIndex[i] = ia;
    bIndex[i] = ib;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, batch, aIndex, bIndex };
}
function foldable(g) {
  if (g.batch <= 1) return false;
  for (let i = 0; i < g.batch; i++) if (g.aIndex[i] !== i || g.bIndex[i] !== g.bIndex[0]) return false;
  return true;
}
function batchGemmScratchFloats(rt, g) {
  return gemmScratchFloats(rt, foldable(g) ? g.batch * g.m : g.m, g.n, g.k);
}
function batchGemm(rt, g) {
  const { m, n, k } = g;
  const tb = !!g.transposeB;
  const ldb = tb ? k : n;
  if (foldable(g)) {
    gemm(rt, {
      m: g.batch * m,
      n,
      k,
      a: g.a,
      lda: k,
      b: g.b + g.bIndex[0] * k * n * 4,
      ldb,
      transposeB: tb,
      c: g.c,
      ldc: n,
      bias: g.bias,
      act: g.act,
      scratch: g.scratch
    });
    return;
  }
  for (let i = 0; i < g.batch; i++) {
    gemm(rt, {
      m,
      n,
      k,
      a: g.a + g.aIndex[i] * m * k * 4,
      lda: k,
      b: g.b + g.bIndex[i] * k * n * 4,
      ldb,
      transposeB: tb,
      c: g.c + i * m * n * 4,
      ldc: n,
      bias: g.bias,
      act: g.act,
      scratch: g.scratch
    });
  }
}

// bindings/wasm_url.ts
function defaultWasmURL(variant) {
  try {
    switch (variant) {
      case "relaxed":
        return new URL("../build/relaxed.wasm", __wasm_attention_import_meta_url);
      case "relaxed-threads":
        return new URL("../build/relaxed-threads.wasm", __wasm_attention_import_meta_url);
      case "simd-threads":
        return new URL("../build/simd-threads.wasm", __wasm_attention_import_meta_url);
      default:
        return new URL("../build/simd.wasm", __wasm_attention_import_meta_url);
    }
  } catch (e) {
    throw new Error(`init: cannot locate the packaged ${variant} build: this bundle has no import.meta.url; import 'wasm-attention/inline' (the builds embedded) or pass init({ wasm: { simd, relaxed } })`, { cause: e });
  }
}
function embeddedWasm(_variant) {
  return null;
}

// bindings/runtime/loader.ts
var RELAXED_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  10,
  62,
  1,
  60,
  0,
  ...[0, 1, 2].flatMap(() => [253, 12, ...new Array(16).fill(0)]),
  253,
  133,
  2,
  26,
  11
]);
function relaxedSimdSupported() {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}
var isNodeLike = typeof process !== "undefined" && !!process.versions?.node;
var MOVED_HINT = "if a bundler moved wasm-attention without copying build/*.wasm, import 'wasm-attention/inline' (the builds embedded, no file to find) or pass init({ wasm: { simd, relaxed } })";
async function nodeFs() {
  if (!isNodeLike) return null;
  const proc = process;
  if (typeof proc.getBuiltinModule === "function") return proc.getBuiltinModule("node:fs/promises");
  const name = ["node:fs", "promises"].join("/");
  return await import(
    /* webpackIgnore: true */
    /* @vite-ignore */
    name
  );
}
function toArrayBuffer(buf) {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}
async function readURL(url) {
  if (url.protocol === "wasm-attention:") {
    const variant = /^embedded\/((?:simd|relaxed)(?:-threads)?)\.wasm$/.exec(url.pathname)?.[1];
    const bytes = variant ? embeddedWasm(variant) : null;
    if (!bytes) throw new Error(`init: ${url.href} is not embedded in this build`);
    return toArrayBuffer(bytes);
  }
  if (url.protocol === "file:") {
    const deno = globalThis.Deno;
    if (deno && typeof deno.readFile === "function") {
      try {
        return toArrayBuffer(await deno.readFile(url));
      } catch (e) {
        const name = e.name;
        if (name === "NotCapable" || name === "PermissionDenied") {
          const dir = new URL(".", url).pathname;
          throw new Error(`init: Deno needs read access to ${url.pathname}: run with --allow-read=${dir} (or --allow-read), or import 'wasm-attention/inline', which reads no file`, { cause: e });
        }
        if (name === "NotFound") throw new Error(`init: ${url.href} does not exist; ${MOVED_HINT}`, { cause: e });
        throw e;
      }
    }
    const fs = await nodeFs();
    if (fs) {
      try {
        return toArrayBuffer(await fs.readFile(url));
      } catch (e) {
        if (e.code === "ENOENT") throw new Error(`init: ${url.href} does not exist; ${MOVED_HINT}`, { cause: e });
        throw e;
      }
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`init: could not fetch ${url.href} (HTTP ${res.status}); ${MOVED_HINT}`);
  if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
    throw new Error(`init: ${url.href} answered with an HTML page, not the wasm build; ${MOVED_HINT}`);
  }
  return res;
}
async function compileWasm(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === "string") source = new URL(source, isNodeLike ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (source instanceof URL) source = await readURL(source);
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (typeof WebAssembly.compileStreaming === "function" && (source.headers.get("content-type") ?? "").startsWith("application/wasm")) {
      return WebAssembly.compileStreaming(source);
    }
    source = await source.arrayBuffer();
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  throw new TypeError(`init: wasm must be bytes, a URL, a string path/URL, a WebAssembly.Module or a Response, got ${Object.prototype.toString.call(source)}`);
}
async function instantiateWasm(module2, memory) {
  return WebAssembly.instantiate(module2, memory ? { env: { memory } } : {});
}
function importsMemory(module2) {
  return WebAssembly.Module.imports(module2).some((i) => i.kind === "memory");
}

// bindings/runtime/worker_source.ts
var WORKER_SOURCE = String.raw`
'use strict';
const GEN = 0, NEXT = 1, DONE = 2, ERR = 3, STOP = 4, STRIDE = 5, NT = 6, MSG_LEN = 8, WORKER_TASKS = 9, MSG = 16;
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node) && typeof self === 'undefined';
let port = isNode ? null : self;
const post = (m) => port.postMessage(m);
let started = false;
const onMessage = async (msg) => {
  if (started) return;
  started = true;
  let ex;
  try {
    const inst = await WebAssembly.instantiate(msg.module, { env: { memory: msg.memory } });
    ex = inst.exports;
    ex.gemm_set_tiles(msg.wideTiles);
  } catch (e) {
    post({ error: String(e && e.message || e) });
    return;
  }
  const C = new Int32Array(msg.ctl), F = new Float64Array(msg.prog), O = new Int32Array(msg.offs);
  const fns = msg.names.map((n) => ex[n]);
  const tid = msg.tid, spin = msg.spin;
  const args = [];
  let seen = Atomics.load(C, GEN);
  post({ ready: true });
  for (;;) {
    let g, n = 0;
    while ((g = Atomics.load(C, GEN)) === seen) {
      if (++n > spin) { Atomics.wait(C, GEN, seen); n = 0; }
    }
    seen = g;
    if (Atomics.load(C, STOP) !== 0) break;
    const tag = Atomics.load(C, NEXT) >>> 16;
    const count = Atomics.load(C, NT + (tag & 1));
    const local = tid * Atomics.load(C, STRIDE);
    for (;;) {
      const cur = Atomics.load(C, NEXT);
      if ((cur >>> 16) !== tag || (cur & 0xffff) >= count) break;
      if (Atomics.compareExchange(C, NEXT, cur, cur + 1) !== cur) continue;
      if (Atomics.load(C, ERR) === 0) {
        try {
          let p = O[cur & 0xffff];
          const calls = F[p++];
          for (let c = 0; c < calls; c++) {
            const fn = fns[F[p]], nargs = F[p + 1], mask = F[p + 2];
            p += 3;
            args.length = nargs;
            for (let a = 0; a < nargs; a++) args[a] = ((mask >>> a) & 1) !== 0 ? F[p + a] + local : F[p + a];
            p += nargs;
            fn(...args);
          }
        } catch (e) {
          if (Atomics.compareExchange(C, ERR, 0, tid) === 0) {
            const s = String(e && e.message || e).slice(0, 240);
            for (let i = 0; i < s.length; i++) Atomics.store(C, MSG + i, s.charCodeAt(i));
            Atomics.store(C, MSG_LEN, s.length);
          }
        }
      }
      Atomics.add(C, WORKER_TASKS, 1);
      if (Atomics.add(C, DONE, 1) + 1 === count) Atomics.notify(C, DONE);
    }
  }
  if (isNode) port.close(); else self.close();
};
if (isNode) {
  // require in a CommonJS eval worker; import() wherever require is missing (an ES module worker)
  const wt = typeof require === 'function' ? Promise.resolve(require('node:worker_threads')) : import('node:worker_threads');
  wt.then((m) => { port = m.parentPort; port.on('message', onMessage); });
} else {
  self.onmessage = (e) => onMessage(e.data);
}
`;

// bindings/runtime/pool.ts
var CTL_GEN = 0;
var CTL_NEXT = 1;
var CTL_DONE = 2;
var CTL_ERR = 3;
var CTL_STOP = 4;
var CTL_STRIDE = 5;
var CTL_NT = 6;
var CTL_MSG_LEN = 8;
var CTL_WORKER_TASKS = 9;
var CTL_MSG = 16;
var CTL_INTS = 512;
var MAX_TASKS = 65535;
var PROG_FLOATS = 1 << 16;
var MAX_ARGS = 31;
var KERNEL_INDEX = new Map(KERNELS.map((k, i) => [k.name, i]));
var WORKER_SPIN = 2e4;
var CALLER_SPIN = 2e4;
function canWait() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
var Pool = class _Pool {
  constructor(workers, exports2, ctl, prog, offs) {
    this.workers = workers;
    this.size = workers.length + 1;
    this.ctl = new Int32Array(ctl);
    this.prog = new Float64Array(prog);
    this.offs = new Int32Array(offs);
    this.fns = KERNELS.map((k) => exports2[k.name]);
  }
  workers;
  /** Threads taking part in a job: the workers + the calling thread. */
  size;
  ctl;
  prog;
  offs;
  fns;
  wait = canWait();
  tag = 0;
  stopped = false;
  running = false;
  /** @internal Tests: the caller claims no task of the next job (so a worker runs them all). */
  callerSkipsNextJob = false;
  /** @internal Jobs run so far. */
  jobs = 0;
  /** @internal Jobs run and tasks the workers (not the caller) ran, for tests and benchmarks. */
  stats() {
    return { jobs: this.jobs, workerTasks: Atomics.load(this.ctl, CTL_WORKER_TASKS) };
  }
  /**
   * Starts `count` workers on `module` + `memory` and resolves with the pool of those that became ready (null and
   * the reason if none did). Never rejects.
   */
  static async start(count, module2, memory, exports2, wideTiles) {
    let make;
    try {
      make = await workerFactory();
    } catch (e) {
      return { pool: null, reason: e.message };
    }
    const ctl = new SharedArrayBuffer(CTL_INTS * 4);
    const prog = new SharedArrayBuffer(PROG_FLOATS * 8);
    const offs = new SharedArrayBuffer(MAX_TASKS * 4);
    const names = KERNELS.map((k) => k.name);
    const started = await Promise.all(Array.from({ length: count }, async (_, i) => {
      let h = null;
      try {
        h = await make();
        await h.start({ module: module2, memory, ctl, prog, offs, tid: i + 1, names, wideTiles: wideTiles ? 1 : 0, spin: WORKER_SPIN });
        return { h, error: null };
      } catch (e) {
        h?.worker.terminate();
        return { h: null, error: e.message };
      }
    }));
    const ok = started.filter((s) => s.h !== null).map((s) => s.h);
    const failed = started.find((s) => s.error !== null);
    if (failed && ok.length > 0) {
      for (const h of ok) h.worker.terminate();
      return _Pool.start(ok.length, module2, memory, exports2, wideTiles).then((r) => ({ pool: r.pool, reason: `${count - ok.length} of ${count} workers failed to start: ${failed.error}` }));
    }
    if (ok.length === 0) return { pool: null, reason: `workers failed to start: ${failed?.error ?? "unknown"}` };
    for (const h of ok) h.unref();
    return { pool: new _Pool(ok.map((h) => h.worker), exports2, ctl, prog, offs), reason: null };
  }
  /** A new job whose thread-local arguments move by `localStride` bytes per thread. */
  job(localStride = 0) {
    return new Job(this, localStride);
  }
  /** @internal Runs the tasks written into prog/offs; throws the first error of any thread (after all finished). */
  run(tasks, localStride, where) {
    if (this.stopped) throw new Error(`${where}: the worker pool was stopped (rt.dispose())`);
    if (this.running) throw new Error(`${where}: the worker pool is already running a job (a kernel call from inside a job?)`);
    this.running = true;
    this.jobs++;
    const C = this.ctl;
    this.tag = this.tag + 1 & 32767;
    const tag = this.tag;
    Atomics.store(C, CTL_NT + (tag & 1), tasks);
    Atomics.store(C, CTL_STRIDE, localStride);
    Atomics.store(C, CTL_DONE, 0);
    Atomics.store(C, CTL_ERR, 0);
    Atomics.store(C, CTL_NEXT, tag << 16);
    Atomics.add(C, CTL_GEN, 1);
    Atomics.notify(C, CTL_GEN);
    let mainError = null;
    const skip = this.callerSkipsNextJob;
    this.callerSkipsNextJob = false;
    try {
      while (!skip) {
        const cur = Atomics.load(C, CTL_NEXT);
        if (cur >>> 16 !== tag || (cur & 65535) >= tasks) break;
        if (Atomics.compareExchange(C, CTL_NEXT, cur, cur + 1) !== cur) continue;
        if (mainError === null && Atomics.load(C, CTL_ERR) === 0) {
          try {
            this.runTask(cur & 65535);
          } catch (e) {
            mainError = e;
            Atomics.compareExchange(C, CTL_ERR, 0, -1);
          }
        }
        Atomics.add(C, CTL_DONE, 1);
      }
      let d, spins = 0;
      while ((d = Atomics.load(C, CTL_DONE)) < tasks) {
        if (this.wait && ++spins > CALLER_SPIN) Atomics.wait(C, CTL_DONE, d, 50);
      }
    } finally {
      this.running = false;
    }
    if (mainError !== null) throw mainError;
    const err = Atomics.load(C, CTL_ERR);
    if (err > 0) {
      const len = Atomics.load(C, CTL_MSG_LEN);
      let msg = "";
      for (let i = 0; i < len; i++) msg += String.fromCharCode(Atomics.load(C, CTL_MSG + i));
      throw new Error(`${where}: worker ${err} failed: ${msg}`);
    }
  }
  runTask(i) {
    const F = this.prog;
    let p = this.offs[i];
    const calls = F[p++];
    for (let c = 0; c < calls; c++) {
      const fn = this.fns[F[p]], nargs = F[p + 1];
      p += 3;
      fn(...F.subarray(p, p + nargs));
      p += nargs;
    }
  }
  /** @internal Job buffers, for Job. */
  get buffers() {
    return { prog: this.prog, offs: this.offs };
  }
  /** Ends the workers (idempotent). */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_GEN, 1);
    Atomics.notify(this.ctl, CTL_GEN);
    for (const w of this.workers) w.terminate();
  }
};
var Job = class {
  constructor(pool, localStride) {
    this.pool = pool;
    this.localStride = localStride;
    ({ prog: this.prog, offs: this.offs } = pool.buffers);
  }
  pool;
  localStride;
  tasks = 0;
  p = 0;
  countAt = -1;
  // prog slot holding the current task's call count
  prog;
  offs;
  /** Starts a new task (the calls that follow belong to it). */
  task() {
    if (this.tasks === MAX_TASKS || this.p + 3 + MAX_ARGS + 1 > PROG_FLOATS) this.flush();
    this.offs[this.tasks++] = this.p;
    this.countAt = this.p;
    this.prog[this.p++] = 0;
    return this;
  }
  /** Adds kernel `fn`(...args) to the current task; bit a of `local` set: args[a] is thread-local (moved by
   *  tid·stride bytes on thread tid). */
  call(fn, args, local = 0) {
    if (this.countAt < 0) throw new Error("Job.call before Job.task");
    if (args.length > MAX_ARGS) throw new RangeError(`Job.call: ${fn} has ${args.length} arguments, at most ${MAX_ARGS}`);
    if (this.p + 3 + args.length > PROG_FLOATS) {
      throw new RangeError("Job.call: one task has more calls than a job holds");
    }
    const F = this.prog;
    F[this.countAt]++;
    F[this.p] = KERNEL_INDEX.get(fn);
    F[this.p + 1] = args.length;
    F[this.p + 2] = local;
    for (let i = 0; i < args.length; i++) F[this.p + 3 + i] = args[i];
    this.p += 3 + args.length;
    return this;
  }
  /** Runs every task (the caller takes a share and waits for the rest). */
  run(where) {
    this.flush(where);
  }
  flush(where = "pool") {
    if (this.tasks > 0) this.pool.run(this.tasks, this.localStride, where);
    this.tasks = 0;
    this.p = 0;
    this.countAt = -1;
  }
};
var START_TIMEOUT_MS = 15e3;
async function workerFactory() {
  const g = globalThis;
  if (!g.Deno && g.process?.versions?.node) {
    const wt = await nodeWorkerThreads();
    return async () => {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      return {
        worker: w,
        start: (msg) => new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("a worker did not start within 15 s")), START_TIMEOUT_MS);
          w.on("message", (m) => {
            clearTimeout(timer);
            if (m.ready) resolve();
            else reject(new Error(m.error ?? "worker failed"));
          });
          w.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
          });
          w.on("error", () => {
          });
          w.postMessage(msg);
        }),
        unref: () => w.unref()
      };
    };
  }
  if (typeof g.Worker !== "function") throw new Error("this environment has no Worker (and no worker_threads)");
  const W5 = g.Worker;
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return async () => {
    const w = new W5(url, { type: "module" });
    return {
      worker: w,
      start: (msg) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("a worker did not start within 15 s")), START_TIMEOUT_MS);
        w.onmessage = (e) => {
          clearTimeout(timer);
          if (e.data.ready) resolve();
          else reject(new Error(e.data.error ?? "worker failed"));
        };
        w.onerror = (e) => {
          e.preventDefault?.();
          clearTimeout(timer);
          reject(new Error(`worker error: ${e.message || "the worker script could not load (a Content-Security-Policy without worker-src blob:?)"}`));
        };
        w.postMessage(msg);
      }),
      unref: () => {
      }
    };
  };
}
async function nodeWorkerThreads() {
  const proc = process;
  if (typeof proc.getBuiltinModule === "function") return proc.getBuiltinModule("node:worker_threads");
  const name = ["node:worker", "threads"].join("_");
  return await import(
    /* webpackIgnore: true */
    /* @vite-ignore */
    name
  );
}

// bindings/runtime/allocator.ts
var ALIGN = 16;
var SPARE = 16;
var PAGE = 65536;
var WASM32_MAX_BYTES = 2 ** 32;
var OutOfMemoryError = class extends RangeError {
  /** Bytes asked for, bytes in use and the memory's size when it failed. */
  requested;
  bytesInUse;
  memoryBytes;
  constructor(where, requested, bytesInUse, memoryBytes, why) {
    super(`${where}: out of memory: tried to allocate ${fmtBytes(requested)} with ${fmtBytes(bytesInUse)} in use (memory ${fmtBytes(memoryBytes)}; ${why})`);
    this.name = "RangeError";
    this.requested = requested;
    this.bytesInUse = bytesInUse;
    this.memoryBytes = memoryBytes;
  }
};
function fmtBytes(n) {
  if (!Number.isFinite(n)) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n, u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u < 0 ? `${n} bytes` : `${n} bytes (${v.toFixed(1)} ${units[u]})`;
}
var Allocator = class {
  memory;
  top;
  // first byte never handed out
  used = /* @__PURE__ */ new Map();
  // ptr -> block size (bytes, incl. spare)
  freeList = [];
  // flat [ptr0, size0, ptr1, size1, ...] sorted by ptr
  inUse = 0;
  peakInUse = 0;
  constructor(memory, base) {
    this.memory = memory;
    this.top = roundUp(Math.max(base, ALIGN), ALIGN);
  }
  /** Bytes currently handed out (including alignment and spare bytes). */
  get bytesInUse() {
    return this.inUse;
  }
  /** Largest bytesInUse seen. */
  get peakBytesInUse() {
    return this.peakInUse;
  }
  /** Number of live blocks. */
  get liveBlocks() {
    return this.used.size;
  }
  /**
   * A 16-byte aligned block of at least `bytes` bytes (contents undefined). Grows memory when needed; throws an
   * OutOfMemoryError naming `where` (and changes nothing) when the block cannot fit in 4 GiB or the engine
   * refuses to grow the memory.
   */
  alloc(bytes, where = "alloc") {
    if (typeof bytes !== "number" || !(bytes >= 0) || !Number.isFinite(bytes)) {
      throw new RangeError(`${where}: bytes to allocate must be a non-negative number, got ${bytes}`);
    }
    if (bytes > WASM32_MAX_BYTES) {
      throw new OutOfMemoryError(where, bytes, this.inUse, this.memory.buffer.byteLength, "wasm32 memory is at most 4 GiB");
    }
    const want = roundUp(Math.max(Math.ceil(bytes), 1), ALIGN) + SPARE;
    let ptr = -1, size3 = want, at = -1;
    const fl = this.freeList;
    for (let i = 0; i < fl.length; i += 2) {
      if (fl[i + 1] >= want) {
        at = i;
        break;
      }
    }
    if (at >= 0) {
      ptr = fl[at];
      if (fl[at + 1] - want >= ALIGN + SPARE) {
        fl[at] += want;
        fl[at + 1] -= want;
      } else {
        size3 = fl[at + 1];
        fl.splice(at, 2);
      }
    } else {
      ptr = this.top;
      this.ensure(ptr + size3, bytes, where);
      this.top = ptr + size3;
    }
    this.used.set(ptr, size3);
    this.inUse += size3;
    if (this.inUse > this.peakInUse) this.peakInUse = this.inUse;
    return ptr;
  }
  /** Returns a block from alloc(). Freeing twice or freeing a foreign pointer throws. */
  free(ptr) {
    const size3 = this.used.get(ptr);
    if (size3 === void 0) throw new RangeError(`free: ${ptr} is not a live block`);
    this.used.delete(ptr);
    this.inUse -= size3;
    this.insertFree(ptr, size3);
  }
  /** Usable size of a live block (without the spare bytes). */
  sizeOf(ptr) {
    const size3 = this.used.get(ptr);
    if (size3 === void 0) throw new RangeError(`sizeOf: ${ptr} is not a live block`);
    return size3 - SPARE;
  }
  /** True when `ptr` is the start of a live block. */
  isLive(ptr) {
    return this.used.has(ptr);
  }
  ensure(end, requested, where) {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > WASM32_MAX_BYTES) {
      throw new OutOfMemoryError(where, requested, this.inUse, have, "wasm32 memory is at most 4 GiB");
    }
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new OutOfMemoryError(where, requested, this.inUse, have, `the engine refused to grow the memory: ${e.message}`);
    }
  }
  insertFree(ptr, size3) {
    const fl = this.freeList;
    let i = 0;
    while (i < fl.length && fl[i] < ptr) i += 2;
    fl.splice(i, 0, ptr, size3);
    if (i + 2 < fl.length && fl[i] + fl[i + 1] === fl[i + 2]) {
      fl[i + 1] += fl[i + 3];
      fl.splice(i + 2, 2);
    }
    if (i >= 2 && fl[i - 2] + fl[i - 1] === fl[i]) {
      fl[i - 1] += fl[i + 1];
      fl.splice(i, 2);
      i -= 2;
    }
    if (fl[i] + fl[i + 1] === this.top) {
      this.top = fl[i];
      fl.splice(i, 2);
    }
  }
};
function roundUp(x, a) {
  return Math.ceil(x / a) * a;
}

// bindings/runtime/dispose.ts
var DISPOSE = Symbol.dispose ?? /* @__PURE__ */ Symbol.for("Symbol.dispose");

// bindings/runtime/tensor.ts
var Tensor = class {
  /** Row-major shape; `size` = product of the dims. */
  shape;
  size;
  /** @internal */
  host;
  /** @internal Set on module outputs: the tensor dies when the lease ends. */
  lease;
  _ptr;
  owned;
  freedByRuntime = false;
  /** @internal Use `rt.tensor()` / `rt.empty()`. */
  constructor(host, ptr, shape, owned = true, lease = null) {
    this.host = host;
    this._ptr = ptr;
    this.shape = Object.freeze(shape.slice());
    this.size = shape.reduce((a, b) => a * b, 1);
    this.owned = owned;
    this.lease = lease;
  }
  /** Byte offset of element 0 in the linear memory (for kernels and other libraries' zero-copy use). */
  get ptr() {
    return this.live("Tensor.ptr");
  }
  /** A live Float32Array view of the elements (writes go straight into wasm memory). */
  get data() {
    return new Float32Array(this.host.memory.buffer, this.live("Tensor.data"), this.size);
  }
  /** A JS-owned copy of the elements. */
  toArray() {
    return new Float32Array(this.host.memory.buffer, this.live("Tensor.toArray"), this.size).slice();
  }
  live(where) {
    if (this.disposed) fail(where, `tensor used after ${this.deadReason()} (shape ${fmtShape(this.shape)})`);
    return this._ptr;
  }
  /** True after dispose(), and for a module's output after the module's next call or dispose(). */
  get disposed() {
    return this._ptr < 0 || this.lease !== null && !this.lease.alive;
  }
  /** @internal Why a disposed tensor is dead, for error messages. */
  deadReason() {
    if (this._ptr >= 0 && this.lease && !this.lease.alive) {
      return `its module's next call or dispose() (it was an output of ${this.lease.owner}, valid until then)`;
    }
    return this.freedByRuntime ? "its runtime's dispose()" : "dispose()";
  }
  /** Frees the memory (idempotent). Views taken from `data` must not be used afterwards. On a module output this
   *  only detaches the object (the module owns the memory). */
  dispose() {
    if (this._ptr < 0) return;
    if (this.owned) {
      this.host.free(this._ptr);
      this.host.forget?.(this);
    }
    this._ptr = -1;
  }
  /** @internal rt.dispose(): frees the tensor like dispose(), and later use says why. */
  disposeWithRuntime() {
    this.freedByRuntime = true;
    this.dispose();
  }
  /** `using t = rt.tensor(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};

// bindings/api/operand.ts
function checkTensor(rt, where, name, x) {
  if (x.host !== rt) failType(where, `${name} is a Tensor of another runtime; tensors cannot move between runtimes`);
  if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
}
function checkInput(rt, where, name, x, expected, expr) {
  if (x instanceof Tensor) {
    checkTensor(rt, where, name, x);
    checkLength(where, name, x.size, expected, expr);
  } else if (x instanceof Float32Array) {
    checkLength(where, name, x.length, expected, expr);
  } else {
    failType(where, `${name} must be a Float32Array or a Tensor, got ${describe(x)}`);
  }
}
function checkOutput(rt, where, out, expected, expr) {
  if (out === void 0) return;
  checkInput(rt, where, "out", out, expected, expr);
}
function overlaps(x, out) {
  return out instanceof Tensor && out.host === x.host && x.ptr < out.ptr + out.size * 4 && out.ptr < x.ptr + x.size * 4;
}
function borrowInput(rt, where, name, x, expected, expr, out, inPlace = false) {
  checkInput(rt, where, name, x, expected, expr);
  if (x instanceof Tensor) {
    const same = out instanceof Tensor && out.ptr === x.ptr && out.size === x.size;
    if (!overlaps(x, out) || inPlace && same) return { ptr: x.ptr, release() {
    } };
  }
  const ptr = rt.alloc(expected * 4, where);
  rt.f32(ptr, expected).set(x instanceof Tensor ? x.data : x);
  return { ptr, release: () => rt.free(ptr) };
}
function borrowOutput(rt, where, out, expected, expr) {
  if (out instanceof Tensor) {
    checkTensor(rt, where, "out", out);
    checkLength(where, "out", out.size, expected, expr);
    return { ptr: out.ptr, finish: () => out, release() {
    } };
  }
  if (out !== void 0 && !(out instanceof Float32Array)) {
    failType(where, `out must be a Float32Array or a Tensor, got ${describe(out)}`);
  }
  if (out instanceof Float32Array) checkLength(where, "out", out.length, expected, expr);
  const ptr = rt.alloc(expected * 4, where);
  return {
    ptr,
    finish() {
      const view = rt.f32(ptr, expected);
      if (out instanceof Float32Array) {
        out.set(view);
        return out;
      }
      return view.slice();
    },
    release: () => rt.free(ptr)
  };
}

// bindings/ops/elementwise.ts
function splitElements(rt, fn, n, ptrs) {
  const job = parallel(rt, n, fn === "relu_f32" || fn === "add_f32" ? MIN_CHEAP_ELEMENTS : MIN_MATH_ELEMENTS);
  if (job === null) return false;
  const rs = ranges(n, threadSlots(rt), 16);
  for (let i = 0; i + 1 < rs.length; i++) job.task().call(fn, [rs[i + 1] - rs[i], ...ptrs.map((p) => p + 4 * rs[i])]);
  job.run(rt.journal.where);
  return true;
}
function unary(rt, f, n, x, y) {
  if (splitElements(rt, `${f}_f32`, n, [x, y])) return;
  const k = rt.exports;
  switch (f) {
    case "relu":
      k.relu_f32(n, x, y);
      break;
    case "gelu":
      k.gelu_f32(n, x, y);
      break;
    case "gelu_tanh":
      k.gelu_tanh_f32(n, x, y);
      break;
    case "exp":
      k.exp_f32(n, x, y);
      break;
    case "tanh":
      k.tanh_f32(n, x, y);
      break;
  }
}

// bindings/api/activation.ts
function size(where, x) {
  if (x instanceof Tensor) return x.size;
  if (x instanceof Float32Array) return x.length;
  failType(where, `x must be a Float32Array or a Tensor, got ${describe(x)}`);
}
function unaryOp(rt, where, x, out, f) {
  const n = size(where, x);
  checkInput(rt, where, "x", x, n);
  checkOutput(rt, where, out, n, "x.length");
  const held = [];
  try {
    const X = borrowInput(rt, where, "x", x, n, void 0, out, true);
    held.push(X);
    const Y = borrowOutput(rt, where, out, n, "x.length");
    held.push(Y);
    unary(rt, f, n, X.ptr, Y.ptr);
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}
function gelu(rt, x, options = {}) {
  checkOptions("gelu", options, ["approximate", "out"]);
  const approx = options.approximate === void 0 ? "none" : checkEnum("gelu", "approximate", options.approximate, ["none", "tanh"]);
  return unaryOp(rt, "gelu", x, options.out, approx === "tanh" ? "gelu_tanh" : "gelu");
}
function relu(rt, x, options = {}) {
  checkOptions("relu", options, ["out"]);
  return unaryOp(rt, "relu", x, options.out, "relu");
}

// bindings/ops/additive.ts
function additiveScores(rt, a) {
  const job = parallel(rt, a.batch * a.nq * a.nk * a.hidden, MIN_GEMM_MACS);
  if (job === null) {
    rt.exports.additive_scores_f32(a.batch, a.nq, a.nk, a.hidden, a.qp, a.kp, a.wv, a.out);
    return;
  }
  const P = threadSlots(rt);
  const rs = ranges(a.nq, Math.max(1, Math.ceil(2 * P / a.batch)), 1);
  for (let b = 0; b < a.batch; b++) {
    for (let i = 0; i + 1 < rs.length; i++) {
      const i0 = rs[i];
      job.task().call("additive_scores_f32", [
        1,
        rs[i + 1] - i0,
        a.nk,
        a.hidden,
        a.qp + 4 * (b * a.nq + i0) * a.hidden,
        a.kp + 4 * b * a.nk * a.hidden,
        a.wv,
        a.out + 4 * (b * a.nq + i0) * a.nk
      ]);
    }
  }
  job.run(rt.journal.where);
}

// bindings/api/additive.ts
var OPTIONS = ["batch", "nq", "nk", "hidden", "out"];
var W = "additiveScores";
function additiveScores2(rt, qp, kp, wv, options) {
  if (options === void 0 || options === null) failType(W, "options { batch, nq, nk, hidden } are required");
  checkOptions(W, options, OPTIONS);
  const batch = checkPositiveInt(W, "batch", options.batch);
  const nq = checkPositiveInt(W, "nq", options.nq);
  const nk = checkPositiveInt(W, "nk", options.nk);
  const h = checkPositiveInt(W, "hidden", options.hidden);
  if (batch * nq * nk * h > 2 ** 31) fail(W, `batch*nq*nk*hidden = ${batch * nq * nk * h} is too large`);
  const qExpr = `batch*nq*hidden = ${batch}*${nq}*${h}`, kExpr = `batch*nk*hidden = ${batch}*${nk}*${h}`;
  checkInput(rt, W, "qp", qp, batch * nq * h, qExpr);
  checkInput(rt, W, "kp", kp, batch * nk * h, kExpr);
  checkInput(rt, W, "wv", wv, h, "hidden");
  checkOutput(rt, W, options.out, batch * nq * nk, `batch*nq*nk = ${batch}*${nq}*${nk}`);
  const held = [];
  try {
    const Q = borrowInput(rt, W, "qp", qp, batch * nq * h, qExpr, options.out);
    held.push(Q);
    const K = borrowInput(rt, W, "kp", kp, batch * nk * h, kExpr, options.out);
    held.push(K);
    const V = borrowInput(rt, W, "wv", wv, h, "hidden", options.out);
    held.push(V);
    const O = borrowOutput(rt, W, options.out, batch * nq * nk, `batch*nq*nk = ${batch}*${nq}*${nk}`);
    held.push(O);
    additiveScores(rt, { batch, nq, nk, hidden: h, qp: Q.ptr, kp: K.ptr, wv: V.ptr, out: O.ptr });
    return O.finish();
  } finally {
    for (const x of held.reverse()) x.release();
  }
}

// bindings/ops/memory.ts
function uploadI32(rt, ptr, data) {
  new Int32Array(rt.memory.buffer, ptr, data.length).set(data);
}
function uploadU8(rt, ptr, data) {
  new Uint8Array(rt.memory.buffer, ptr, data.length).set(data);
}

// bindings/ops/norm.ts
function layerNorm(rt, a) {
  const w = a.weight ?? 0, b = a.bias ?? 0;
  const job = a.rows > 1 ? parallel(rt, a.rows * a.cols, MIN_ROW_ELEMENTS) : null;
  if (job === null) {
    rt.exports.layernorm_f32(a.rows, a.cols, a.x, a.ldx, a.y, a.ldy, w, b, a.eps);
    return;
  }
  const rs = ranges(a.rows, threadSlots(rt), 1);
  for (let i = 0; i + 1 < rs.length; i++) {
    const r0 = rs[i];
    job.task().call("layernorm_f32", [rs[i + 1] - r0, a.cols, a.x + 4 * r0 * a.ldx, a.ldx, a.y + 4 * r0 * a.ldy, a.ldy, w, b, a.eps]);
  }
  job.run(rt.journal.where);
}

// bindings/api/layernorm.ts
var OPTIONS2 = ["rows", "cols", "weight", "bias", "eps", "out"];
var W2 = "layerNorm";
function layerNorm2(rt, x, options) {
  if (options === void 0 || options === null) failType(W2, "options { rows, cols } are required");
  checkOptions(W2, options, OPTIONS2);
  const rows = checkPositiveInt(W2, "rows", options.rows);
  const cols = checkPositiveInt(W2, "cols", options.cols);
  const eps = options.eps === void 0 ? 1e-5 : options.eps;
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) {
    fail(W2, `eps must be a finite number >= 0, got ${describe(eps)}`);
  }
  const n = rows * cols, expr = `rows*cols = ${rows}*${cols}`;
  const hasW = options.weight !== void 0 && options.weight !== null, hasB = options.bias !== void 0 && options.bias !== null;
  checkInput(rt, W2, "x", x, n, expr);
  if (hasW) checkInput(rt, W2, "weight", options.weight, cols, "cols");
  if (hasB) checkInput(rt, W2, "bias", options.bias, cols, "cols");
  checkOutput(rt, W2, options.out, n, expr);
  const held = [];
  try {
    const X = borrowInput(rt, W2, "x", x, n, expr, options.out, true);
    held.push(X);
    let g = 0, b = 0;
    if (hasW) {
      const G = borrowInput(rt, W2, "weight", options.weight, cols, "cols", options.out);
      held.push(G);
      g = G.ptr;
    }
    if (hasB) {
      const B = borrowInput(rt, W2, "bias", options.bias, cols, "cols", options.out);
      held.push(B);
      b = B.ptr;
    }
    const Y = borrowOutput(rt, W2, options.out, n, expr);
    held.push(Y);
    layerNorm(rt, { rows, cols, x: X.ptr, ldx: cols, y: Y.ptr, ldy: cols, weight: g, bias: b, eps });
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}

// bindings/api/matmul.ts
var OPTIONS3 = ["m", "k", "n", "transposeB", "bias", "out"];
function matmul(rt, a, b, options) {
  const W5 = "matmul";
  if (options === void 0 || options === null) failType(W5, "options { m, k, n } are required");
  checkOptions(W5, options, OPTIONS3);
  const m = checkPositiveInt(W5, "m", options.m);
  const k = checkPositiveInt(W5, "k", options.k);
  const n = checkPositiveInt(W5, "n", options.n);
  const tb = options.transposeB === void 0 ? false : checkBoolean(W5, "transposeB", options.transposeB);
  const out = options.out;
  const aExpr = `m*k = ${m}*${k}`, bExpr = tb ? `n*k = ${n}*${k}` : `k*n = ${k}*${n}`, cExpr = `m*n = ${m}*${n}`;
  const hasBias = options.bias !== void 0 && options.bias !== null;
  checkInput(rt, W5, "a", a, m * k, aExpr);
  checkInput(rt, W5, "b", b, k * n, bExpr);
  if (hasBias) checkInput(rt, W5, "bias", options.bias, n, "n");
  checkOutput(rt, W5, out, m * n, cExpr);
  const held = [];
  try {
    const A = borrowInput(rt, W5, "a", a, m * k, aExpr, out);
    held.push(A);
    const B = borrowInput(rt, W5, "b", b, k * n, bExpr, out);
    held.push(B);
    let biasPtr = 0;
    if (hasBias) {
      const bias = borrowInput(rt, W5, "bias", options.bias, n, "n", out);
      held.push(bias);
      biasPtr = bias.ptr;
    }
    const C = borrowOutput(rt, W5, out, m * n, cExpr);
    held.push(C);
    const floats = gemmScratchFloats(rt, m, n, k);
    const scratch = floats > 0 ? rt.alloc(floats * 4, W5) : 0;
    if (scratch) held.push({ ptr: scratch, release: () => rt.free(scratch) });
    gemm(rt, { m, n, k, a: A.ptr, lda: k, b: B.ptr, ldb: tb ? k : n, transposeB: tb, c: C.ptr, ldc: n, bias: biasPtr, scratch });
    return C.finish();
  } finally {
    for (const h of held) h.release();
  }
}

// bindings/ops/softmax.ts
function softmaxRows(rt, a) {
  const mask = a.mask ?? 0, ldm = a.ldm ?? 0, bmask = a.bmask ?? 0, ldbm = a.ldbm ?? 0, lens = a.lens ?? 0;
  const scale = a.scale ?? 1, causal = a.causal ? 1 : 0, off = a.causalOffset ?? 0;
  const job = a.rows > 1 ? parallel(rt, a.rows * a.cols, MIN_ROW_ELEMENTS) : null;
  if (job === null) {
    rt.exports.softmax_rows_f32(a.rows, a.cols, a.x, a.ldx, a.y, a.ldy, mask, ldm, bmask, ldbm, lens, scale, causal, off);
    return;
  }
  const rs = ranges(a.rows, threadSlots(rt), 1);
  for (let i = 0; i + 1 < rs.length; i++) {
    const r0 = rs[i];
    job.task().call("softmax_rows_f32", [
      rs[i + 1] - r0,
      a.cols,
      a.x + 4 * r0 * a.ldx,
      a.ldx,
      a.y + 4 * r0 * a.ldy,
      a.ldy,
      mask && ldm ? mask + 4 * r0 * ldm : mask,
      ldm,
      bmask && ldbm ? bmask + r0 * ldbm : bmask,
      ldbm,
      lens ? lens + 4 * r0 : 0,
      scale,
      causal,
      off + r0
    ]);
  }
  job.run(rt.journal.where);
}

// bindings/ops/sdpa.ts
function sdpaFusedScratchFloats(rt, L, S, hd, hdv) {
  return slotted(rt, rt.exports.sdpa_scratch_size_f32(L, S, hd, hdv));
}
var SDPA_SCRATCH_ARG = 19;
function sliceArgs(a, r0, r1) {
  return [
    r1 - r0,
    a.S,
    a.E,
    a.Ev,
    a.q + 4 * r0 * a.ldq,
    a.ldq,
    a.k,
    a.ldk,
    a.v,
    a.ldv,
    a.out + 4 * r0 * a.ldo,
    a.ldo,
    a.mask && a.ldm ? a.mask + 4 * r0 * a.ldm : a.mask,
    a.ldm,
    a.bmask && a.ldbm ? a.bmask + r0 * a.ldbm : a.bmask,
    a.ldbm,
    a.scale,
    a.causal ? 1 : 0,
    a.causalOffset + r0,
    a.scratch
  ];
}
function sdpaSlicesJob(rt, slices, L, S, E, Ev) {
  const per = rt.exports.sdpa_scratch_size_f32(L, S, E, Ev);
  const job = parallel(rt, slices * L * S * (E + Ev), MIN_GEMM_MACS, slotFloats(per) * 4);
  if (job === null) return null;
  const P = threadSlots(rt);
  return { job, rowParts: slices >= 2 * P ? 1 : Math.max(1, Math.min(Math.ceil(2 * P / slices), Math.floor(L / 16))) };
}
function addSlice(job, rowParts, a) {
  const local = a.scratch ? 1 << SDPA_SCRATCH_ARG : 0;
  const rs = ranges(a.L, rowParts, 1);
  for (let i = 0; i + 1 < rs.length; i++) job.task().call("sdpa_f32", sliceArgs(a, rs[i], rs[i + 1]), local);
}
function sdpaSlice(rt, a) {
  rt.exports.sdpa_f32(
    a.L,
    a.S,
    a.E,
    a.Ev,
    a.q,
    a.ldq,
    a.k,
    a.ldk,
    a.v,
    a.ldv,
    a.out,
    a.ldo,
    a.mask,
    a.ldm,
    a.bmask,
    a.ldbm,
    a.scale,
    a.causal ? 1 : 0,
    a.causalOffset,
    a.scratch
  );
}

// bindings/api/sdpa.ts
var OPTIONS4 = ["attnMask", "isCausal", "scale", "enableGqa", "layout", "numHeads", "numKVHeads", "out"];
var W3 = "scaledDotProductAttention";
function shapeOfOperand(name, x) {
  if (x instanceof Tensor) return { shape: x.shape, data: x };
  const o = x;
  if (!x || typeof x !== "object" || !Array.isArray(o.shape) || !(o.data instanceof Float32Array)) {
    failType(W3, `${name} must be a Tensor or { data: Float32Array, shape: number[] }, got ${describe(x)}`);
  }
  const shape = o.shape;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) fail(W3, `${name}.shape ${JSON.stringify(shape)} must hold non-negative integers`);
  const size3 = shape.reduce((a, b) => a * b, 1);
  if (size3 !== o.data.length) fail(W3, `${name} has ${o.data.length} values but shape ${fmtShape(shape)} needs ${size3}`);
  return { shape, data: o.data };
}
var prod = (s) => s.reduce((a, b) => a * b, 1);
function scaledDotProductAttention(rt, query, key, value, options = {}) {
  checkOptions(W3, options, OPTIONS4);
  const Q = shapeOfOperand("query", query), K = shapeOfOperand("key", key), V = shapeOfOperand("value", value);
  const layout = options.layout === void 0 ? "heads" : checkEnum(W3, "layout", options.layout, ["heads", "rows"]);
  const gqa = options.enableGqa === void 0 ? false : checkBoolean(W3, "enableGqa", options.enableGqa);
  const isCausal = options.isCausal === void 0 ? false : checkBoolean(W3, "isCausal", options.isCausal);
  const hasMask = options.attnMask !== void 0 && options.attnMask !== null;
  if (isCausal && hasMask) fail(W3, 'attnMask and isCausal cannot both be set (PyTorch: "Explicit attn_mask should not be set when is_causal=True")');
  let qb, kb, H, Hkv, L, S, E, Ev;
  if (layout === "rows") {
    if (Q.shape.length !== 3) fail(W3, `query must be [N, L, H\xB7E] with layout 'rows', got shape ${fmtShape(Q.shape)}`);
    if (K.shape.length !== 3) fail(W3, `key must be [N, S, Hkv\xB7E] with layout 'rows', got shape ${fmtShape(K.shape)}`);
    if (V.shape.length !== 3) fail(W3, `value must be [N, S, Hkv\xB7Ev] with layout 'rows', got shape ${fmtShape(V.shape)}`);
    H = checkPositiveInt(W3, "numHeads", options.numHeads);
    Hkv = options.numKVHeads === void 0 ? H : checkPositiveInt(W3, "numKVHeads", options.numKVHeads);
    const [N, Lq, QE] = Q.shape, [Nk, Sk, KE] = K.shape, [Nv, Sv, VE] = V.shape;
    if (QE % H !== 0) fail(W3, `query features ${QE} must be divisible by numHeads ${H} (shape ${fmtShape(Q.shape)})`);
    if (KE % Hkv !== 0 || VE % Hkv !== 0) fail(W3, `key and value features (${KE}, ${VE}) must be divisible by numKVHeads ${Hkv}`);
    if (Nk !== N || Nv !== N) fail(W3, `batch sizes differ: query ${N}, key ${Nk}, value ${Nv}`);
    if (Sv !== Sk) fail(W3, `key and value must have the same length, got ${Sk} and ${Sv}`);
    L = Lq;
    S = Sk;
    E = QE / H;
    Ev = VE / Hkv;
    if (KE / Hkv !== E) fail(W3, `key head size ${KE / Hkv} (${KE} / numKVHeads ${Hkv}) must equal the query head size ${E} (${QE} / numHeads ${H})`);
    qb = [N, H];
    kb = [N, Hkv];
  } else {
    const r = Q.shape.length;
    if (r < 2) fail(W3, `query must be [..., L, E] (rank >= 2), got shape ${fmtShape(Q.shape)}`);
    if (K.shape.length !== r || V.shape.length !== r) {
      fail(W3, `query, key and value must have the same rank, got shapes ${fmtShape(Q.shape)}, ${fmtShape(K.shape)}, ${fmtShape(V.shape)}`);
    }
    [L, E] = Q.shape.slice(-2);
    [S] = K.shape.slice(-2);
    Ev = V.shape[r - 1];
    if (K.shape[r - 1] !== E) fail(W3, `key must have E = ${E} features (last dim of query), got shape ${fmtShape(K.shape)}`);
    if (V.shape[r - 2] !== S) fail(W3, `key and value must have the same length S, got ${S} and ${V.shape[r - 2]} (shapes ${fmtShape(K.shape)}, ${fmtShape(V.shape)})`);
    qb = Q.shape.slice(0, -2);
    kb = K.shape.slice(0, -2);
    const vb = V.shape.slice(0, -2);
    if (vb.some((d, i) => d !== kb[i])) fail(W3, `key and value must have the same batch dims, got shapes ${fmtShape(K.shape)} and ${fmtShape(V.shape)}`);
    H = r >= 3 ? Q.shape[r - 3] : 1;
    Hkv = r >= 3 ? K.shape[r - 3] : 1;
    for (let i = 0; i < qb.length; i++) {
      const heads = i === qb.length - 1;
      if (kb[i] === qb[i] || kb[i] === 1) continue;
      if (heads && gqa && kb[i] > 0 && qb[i] % kb[i] === 0) continue;
      if (heads && !gqa) fail(W3, `key has ${kb[i]} heads but query has ${qb[i]}: pass enableGqa: true for grouped-query attention (shapes ${fmtShape(Q.shape)}, ${fmtShape(K.shape)})`);
      fail(W3, `key and value batch dims ${fmtShape(kb)} do not broadcast to the query's ${fmtShape(qb)}${heads ? " (with enableGqa, the query heads must be a multiple of the key heads)" : ""}`);
    }
  }
  if (L < 1 || S < 1 || E < 1 || Ev < 1 || prod(qb) < 1) {
    fail(W3, `empty input: L = ${L}, S = ${S}, E = ${E}, Ev = ${Ev}, batch ${fmtShape(qb)}`);
  }
  if (layout === "rows" && Hkv !== H && !gqa) fail(W3, `numKVHeads ${Hkv} differs from numHeads ${H}: pass enableGqa: true for grouped-query attention`);
  if (layout === "rows" && H % Hkv !== 0) fail(W3, `numKVHeads ${Hkv} must divide numHeads ${H}`);
  const scale = options.scale === void 0 ? 1 / Math.sqrt(E) : checkFinite(W3, "scale", options.scale);
  const mask = hasMask ? readSdpaMask(options.attnMask, qb, L, S) : null;
  const outSize = prod(qb) * L * Ev;
  checkOutput(rt, W3, options.out, outSize, `${fmtShape([...qb, L, Ev])} = ${outSize}`);
  const slices = sliceOffsets(layout, qb, kb, L, S, E, Ev, H, Hkv, mask);
  const ld = layout === "rows" ? { q: H * E, k: Hkv * E, v: Hkv * Ev, o: H * Ev } : { q: E, k: E, v: Ev, o: Ev };
  const held = [];
  try {
    const q = borrowInput(rt, W3, "query", Q.data, prod(Q.shape), void 0, options.out);
    held.push(q);
    const k = borrowInput(rt, W3, "key", K.data, prod(K.shape), void 0, options.out);
    held.push(k);
    const v = borrowInput(rt, W3, "value", V.data, prod(V.shape), void 0, options.out);
    held.push(v);
    let mPtr = 0, bPtr = 0;
    if (mask) {
      const bytes = mask.kind === "bool" ? mask.rows * S : mask.rows * S * 4;
      const p = rt.alloc(bytes, W3);
      held.push({ ptr: p, release: () => rt.free(p) });
      mask.write(rt, p);
      if (mask.kind === "bool") bPtr = p;
      else mPtr = p;
    }
    const floats = sdpaFusedScratchFloats(rt, L, S, E, Ev);
    const scratch = floats > 0 ? rt.alloc(floats * 4, W3) : 0;
    if (scratch) held.push({ ptr: scratch, release: () => rt.free(scratch) });
    const o = borrowOutput(rt, W3, options.out, outSize);
    held.push(o);
    const ldm = mask && mask.rowStride ? S : 0;
    const par = sdpaSlicesJob(rt, slices.length, L, S, E, Ev);
    for (const s of slices) {
      const slice = {
        L,
        S,
        E,
        Ev,
        q: q.ptr + 4 * s.q,
        ldq: ld.q,
        k: k.ptr + 4 * s.k,
        ldk: ld.k,
        v: v.ptr + 4 * s.v,
        ldv: ld.v,
        out: o.ptr + 4 * s.o,
        ldo: ld.o,
        mask: mPtr ? mPtr + 4 * s.m : 0,
        ldm,
        bmask: bPtr ? bPtr + s.m : 0,
        ldbm: ldm,
        scale,
        causal: isCausal,
        causalOffset: 0,
        scratch
      };
      if (par) addSlice(par.job, par.rowParts, slice);
      else sdpaSlice(rt, slice);
    }
    par?.job.run(W3);
    return o.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}
function readSdpaMask(m, qb, L, S) {
  let data, shape = null;
  if (m instanceof Tensor) {
    data = m;
    shape = m.shape;
  } else if (m instanceof Uint8Array || m instanceof Float32Array) data = m;
  else if (m && typeof m === "object" && Array.isArray(m.shape) && (m.data instanceof Uint8Array || m.data instanceof Float32Array)) {
    data = m.data;
    shape = m.shape;
  } else {
    failType(W3, `attnMask must be a Uint8Array (boolean, 1 = take part), a Float32Array or Tensor (added) or { data, shape } of those, got ${describe(m)}`);
  }
  const full = [...qb, L, S];
  const len = data instanceof Tensor ? data.size : data.length;
  if (data instanceof Tensor && data.disposed) failType(W3, `attnMask is a Tensor that is no longer valid: used after ${data.deadReason()}`);
  if (!shape) {
    if (len === L * S) shape = [L, S];
    else if (len === prod(full)) shape = full;
    else fail(W3, `attnMask without a shape must hold L\xB7S = ${L * S} or ${fmtShape(full)} = ${prod(full)} values, got ${len}`);
  } else if (prod(shape) !== len) {
    fail(W3, `attnMask has ${len} values but its shape ${fmtShape(shape)} needs ${prod(shape)}`);
  }
  if (shape.length > full.length || shape.length < 1) fail(W3, `attnMask of shape ${fmtShape(shape)} does not broadcast to ${fmtShape(full)}`);
  const ms = [...new Array(full.length - shape.length).fill(1), ...shape];
  ms.forEach((d, i) => {
    if (d !== full[i] && d !== 1) fail(W3, `attnMask of shape ${fmtShape(shape)} does not broadcast to ${fmtShape(full)} (dim ${i - (full.length - shape.length)}: ${d})`);
  });
  const mb = ms.slice(0, -2), mL = ms[ms.length - 2], mS = ms[ms.length - 1];
  const blocks = prod(mb);
  const rowsPerBlock = mL === L ? L : 1;
  const kind = data instanceof Uint8Array ? "bool" : "float";
  const strides = ms.map((_, i) => prod(ms.slice(i + 1)));
  return {
    kind,
    rows: blocks * rowsPerBlock,
    rowStride: mL === L && L > 1,
    blockOf: (qi) => qi.reduce((acc, x, i) => acc * mb[i] + (mb[i] === 1 ? 0 : x), 0) * rowsPerBlock,
    write(rt, ptr) {
      const src = data instanceof Tensor ? data.data : data;
      const dstF = kind === "float" ? rt.f32(ptr, blocks * rowsPerBlock * S) : null;
      const dstB = kind === "bool" ? new Uint8Array(rt.memory.buffer, ptr, blocks * rowsPerBlock * S) : null;
      const nb = ms.length - 2;
      for (let b = 0; b < blocks; b++) {
        let base = 0, rem = b;
        for (let i = nb - 1; i >= 0; i--) {
          const x = rem % mb[i];
          rem = Math.floor(rem / mb[i]);
          base += x * strides[i];
        }
        for (let r = 0; r < rowsPerBlock; r++) {
          const rowBase = base + r * strides[nb], o = (b * rowsPerBlock + r) * S;
          for (let j = 0; j < S; j++) {
            const val = src[rowBase + (mS === 1 ? 0 : j)];
            if (dstF) dstF[o + j] = val;
            else dstB[o + j] = val ? 0 : 1;
          }
        }
      }
    }
  };
}
function sliceOffsets(layout, qb, kb, L, S, E, Ev, H, Hkv, mask) {
  const out = [];
  if (layout === "rows") {
    const N = qb[0], group = H / Hkv;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        out.push({
          q: n * L * H * E + h * E,
          k: n * S * Hkv * E + kh * E,
          v: n * S * Hkv * Ev + kh * Ev,
          o: n * L * H * Ev + h * Ev,
          m: mask ? mask.blockOf([n, h]) * S : 0
        });
      }
    }
    return out;
  }
  const total = prod(qb), nb = qb.length;
  const kStrides = kb.map((_, i) => prod(kb.slice(i + 1)));
  for (let t = 0; t < total; t++) {
    const qi = new Array(nb);
    let rem = t;
    for (let i = nb - 1; i >= 0; i--) {
      qi[i] = rem % qb[i];
      rem = Math.floor(rem / qb[i]);
    }
    let kIndex = 0;
    for (let i = 0; i < nb; i++) {
      const x = kb[i] === qb[i] ? qi[i] : kb[i] === 1 ? 0 : Math.floor(qi[i] / (qb[i] / kb[i]));
      kIndex += x * kStrides[i];
    }
    out.push({ q: t * L * E, k: kIndex * S * E, v: kIndex * S * Ev, o: t * L * Ev, m: mask ? mask.blockOf(qi) * S : 0 });
  }
  return out;
}

// bindings/api/softmax.ts
var OPTIONS5 = ["rows", "cols", "scale", "mask", "causal", "validLens", "out"];
var W4 = "softmax";
function softmax(rt, x, options) {
  if (options === void 0 || options === null) failType(W4, "options { rows, cols } are required");
  checkOptions(W4, options, OPTIONS5);
  const rows = checkPositiveInt(W4, "rows", options.rows);
  const cols = checkPositiveInt(W4, "cols", options.cols);
  const scale = options.scale === void 0 ? 1 : checkFinite(W4, "scale", options.scale);
  const causal = options.causal === void 0 ? false : checkBoolean(W4, "causal", options.causal);
  const n = rows * cols, expr = `rows*cols = ${rows}*${cols}`;
  checkInput(rt, W4, "x", x, n, expr);
  const mask = options.mask;
  let maskLen = 0;
  if (mask instanceof Uint8Array) {
    maskLen = mask.length;
  } else if (mask !== void 0 && mask !== null) {
    if (!(mask instanceof Float32Array) && !(mask instanceof Tensor)) {
      failType(W4, `mask must be a Float32Array or Tensor (added) or a Uint8Array (boolean), got ${describe(mask)}`);
    }
    maskLen = mask instanceof Tensor ? mask.size : mask.length;
    checkInput(rt, W4, "mask", mask, maskLen);
  }
  const maskLd = mask !== void 0 && mask !== null ? maskStride(maskLen, rows, cols) : 0;
  const lens = options.validLens !== void 0 && options.validLens !== null ? checkLens(options.validLens, rows) : null;
  checkOutput(rt, W4, options.out, n, expr);
  const held = [];
  try {
    const X = borrowInput(rt, W4, "x", x, n, expr, options.out, true);
    held.push(X);
    let maskPtr = 0, ldm = 0, bmaskPtr = 0, ldbm = 0, lensPtr = 0;
    if (mask instanceof Uint8Array) {
      ldbm = maskLd;
      bmaskPtr = rt.alloc(mask.length, W4);
      held.push({ ptr: bmaskPtr, release: () => rt.free(bmaskPtr) });
      uploadU8(rt, bmaskPtr, mask);
    } else if (mask !== void 0 && mask !== null) {
      ldm = maskLd;
      const M = borrowInput(rt, W4, "mask", mask, maskLen, void 0, options.out);
      held.push(M);
      maskPtr = M.ptr;
    }
    if (lens) {
      lensPtr = rt.alloc(rows * 4, W4);
      held.push({ ptr: lensPtr, release: () => rt.free(lensPtr) });
      uploadI32(rt, lensPtr, lens);
    }
    const Y = borrowOutput(rt, W4, options.out, n, expr);
    held.push(Y);
    softmaxRows(rt, { rows, cols, x: X.ptr, ldx: cols, y: Y.ptr, ldy: cols, scale, mask: maskPtr, ldm, bmask: bmaskPtr, ldbm, lens: lensPtr, causal });
    return Y.finish();
  } finally {
    for (const h of held.reverse()) h.release();
  }
}
function maskStride(len, rows, cols) {
  if (len === rows * cols) return cols;
  if (len === cols) return 0;
  fail(W4, `mask must have rows*cols = ${rows}*${cols} = ${rows * cols} elements (or cols = ${cols} to broadcast), got ${len}`);
}
function checkLens(v, rows) {
  if (!(v instanceof Int32Array) && !Array.isArray(v)) {
    failType(W4, `validLens must be an Int32Array or an array of numbers, got ${describe(v)}`);
  }
  const a = v;
  if (a.length !== rows) fail(W4, `validLens must have rows = ${rows} elements, got ${a.length}`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = a[i];
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0) {
      fail(W4, `validLens[${i}] must be a non-negative integer, got ${describe(l)}`);
    }
    out[i] = Math.min(l, 2147483647);
  }
  return out;
}

// bindings/api/index.ts
function bindOps(rt) {
  return {
    matmul: (a, b, o) => matmul(rt, a, b, o),
    softmax: (x, o) => softmax(rt, x, o),
    scaledDotProductAttention: (q, k, v, o) => scaledDotProductAttention(rt, q, k, v, o),
    layerNorm: (x, o) => layerNorm2(rt, x, o),
    additiveScores: (qp, kp, wv, o) => additiveScores2(rt, qp, kp, wv, o),
    gelu: (x, o) => gelu(rt, x, o),
    relu: (x, o) => relu(rt, x, o)
  };
}

// bindings/runtime/workspace.ts
var Journal = class {
  depth = 0;
  undos = [];
  commits = [];
  /** Name of the outermost public call, used in out-of-memory messages. */
  where = "alloc";
  /** Runs `fn` as one all-or-nothing call named `where`. */
  atomic(where, fn) {
    if (this.depth++ === 0) this.where = where;
    let ok = false;
    try {
      const r = fn();
      ok = true;
      return r;
    } finally {
      if (--this.depth === 0) {
        const list = ok ? this.commits : this.undos.reverse();
        this.undos = [];
        this.commits = [];
        this.where = "alloc";
        for (const f of list) f();
      }
    }
  }
  /** Records how to undo a change (run if the call fails) and what to finish if it succeeds. Outside a call the
   *  change is final at once. */
  record(undo, commit) {
    if (this.depth === 0) {
      commit?.();
      return;
    }
    if (undo) this.undos.push(undo);
    if (commit) this.commits.push(commit);
  }
  get active() {
    return this.depth > 0;
  }
};

// bindings/runtime/runtime.ts
var RUNTIME_BRAND = /* @__PURE__ */ Symbol.for("wasm-attention.Runtime");
function isSpiderMonkey() {
  const g = globalThis;
  return typeof g.InternalError === "function" || /\bFirefox\//.test(g.navigator?.userAgent ?? "");
}
var Runtime = class {
  variant;
  /** How many threads run kernels and, when fewer than asked, why (init option `threads`). */
  threads;
  /** @internal The worker pool (null: one thread). */
  pool;
  /** The GEMM register tiles in use (init option `tiles`). */
  tiles;
  exports;
  memory;
  /** @internal */
  allocator;
  /** Low-level ops (matmul, softmax, layerNorm, ...) over Float32Array or Tensor operands. */
  ops;
  /** @internal Undo log that makes each public call all-or-nothing (refuses every call once disposed). */
  journal = new RuntimeJournal(this);
  /** @internal Brand (survives two copies of the package, where instanceof would not). */
  [RUNTIME_BRAND] = true;
  /** @internal Use `init()`. */
  constructor(instance, tiles = "wide", pool = null, threads = { count: 1, requested: 1, reason: null }) {
    this.pool = pool;
    this.threads = Object.freeze({ ...threads, count: pool ? pool.size : 1 });
    this.exports = instance.exports;
    this.memory = this.exports.memory;
    this.variant = this.exports.variant_id() === 1 ? "relaxed" : "simd";
    this.tiles = tiles;
    this.exports.gemm_set_tiles(tiles === "wide" ? 1 : 0);
    this.allocator = new Allocator(this.memory, this.exports.heap_base());
    this.ops = guardOps(this, bindOps(this));
  }
  _disposed = false;
  /** Tensors made by tensor() / empty() / zeros() and not yet disposed: rt.dispose() frees them. */
  live = /* @__PURE__ */ new Set();
  /** True after dispose(). */
  get disposed() {
    return this._disposed;
  }
  /**
   * Marks the runtime disposed and frees what it can: every tensor made by tensor() / empty() / zeros() that is still
   * live is disposed. From then on tensor(), empty(), zeros(), ops.*, new modules on this runtime and every call of a
   * module or cache made from it (forward, loadStateDict, createCache) throw; dispose() of those objects stays
   * allowed (it does nothing more). Idempotent.
   *
   * The wasm memory itself cannot be freed or shrunk by a call: the engine reclaims it when the runtime and every
   * module, cache and tensor made from it are no longer referenced (garbage collection). Modules and caches do not
   * register with their runtime, so their buffers are not freed here: dispose() them first if they may outlive it.
   */
  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    this.pool?.stop();
    for (const t of [...this.live]) t.disposeWithRuntime();
    this.live.clear();
  }
  /** `using rt = await init()`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
  /** @internal A tensor made here was disposed. */
  forget(t) {
    this.live.delete(t);
  }
  /** @internal Throws `where: runtime used after dispose()` once disposed. */
  checkLive(where) {
    if (this._disposed) fail(where, "runtime used after dispose() (make a new one with `await init()`)");
  }
  /** Copies `data` (Float32Array or number[]) into a new Tensor of `shape` in this runtime's memory. */
  tensor(data, shape) {
    this.checkLive("tensor");
    const size3 = checkShape("tensor", shape);
    if (!(data instanceof Float32Array) && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
      failType("tensor", `data must be a Float32Array or an array of numbers, got ${describe(data)}`);
    }
    if (data.length !== size3) fail("tensor", `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${size3}`);
    if (Array.isArray(data)) {
      const bad = data.findIndex((v) => typeof v !== "number");
      if (bad >= 0) failType("tensor", `data[${bad}] must be a number, got ${describe(data[bad])}`);
    }
    const t = this.make("tensor", shape);
    t.data.set(data);
    return t;
  }
  /** A new Tensor of `shape` with undefined contents. */
  empty(shape) {
    return this.make("empty", shape);
  }
  make(where, shape) {
    this.checkLive(where);
    const size3 = checkShape(where, shape);
    const t = new Tensor(this, this.alloc(size3 * 4, where), shape);
    this.live.add(t);
    return t;
  }
  /** A new Tensor of `shape` filled with zeros. */
  zeros(shape) {
    const t = this.make("zeros", shape);
    t.data.fill(0);
    return t;
  }
  /** @internal Raw allocation in bytes (16-byte aligned, 16 spare bytes after); `where` names the call in an
   *  out-of-memory error. */
  alloc(bytes, where) {
    this.checkLive(where ?? this.journal.where);
    return this.allocator.alloc(bytes, where ?? this.journal.where);
  }
  /** @internal */
  free(ptr) {
    this.allocator.free(ptr);
  }
  /** @internal A fresh f32 view of `len` elements at byte offset `ptr`. */
  f32(ptr, len) {
    return new Float32Array(this.memory.buffer, ptr, len);
  }
  /** Memory use right now. */
  memoryStats() {
    return {
      memoryBytes: this.memory.buffer.byteLength,
      bytesInUse: this.allocator.bytesInUse,
      liveBlocks: this.allocator.liveBlocks
    };
  }
};
var RuntimeJournal = class extends Journal {
  constructor(rt) {
    super();
    this.rt = rt;
  }
  rt;
  atomic(where, fn) {
    if (!this.active) this.rt.checkLive(where);
    return super.atomic(where, fn);
  }
};
function guardOps(rt, ops) {
  const out = {};
  for (const [name, fn] of Object.entries(ops)) {
    out[name] = (...args) => {
      rt.checkLive(name);
      return fn(...args);
    };
  }
  return out;
}
function checkShape(where, shape) {
  if (!Array.isArray(shape)) failType(where, `shape must be an array of non-negative integers, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) fail(where, `shape ${JSON.stringify(shape)} must hold non-negative integers`);
  }
  const size3 = shape.reduce((a, b) => a * b, 1);
  if (size3 * 4 > WASM32_MAX_BYTES) {
    throw new OutOfMemoryError(where, size3 * 4, 0, 0, `shape ${fmtShape(shape)} holds ${size3} floats; wasm32 memory is at most 4 GiB`);
  }
  return size3;
}
function checkRuntime(where, rt) {
  if (rt && typeof rt === "object" && rt[RUNTIME_BRAND] === true) {
    if (rt.disposed === true) fail(where, "rt was disposed (rt.dispose()): make a new one with `await init()`");
    return rt;
  }
  const hint = rt && typeof rt.then === "function" ? " (a Promise: did you forget `await init()`?)" : "";
  failType(where, `rt must be the Runtime returned by \`await init()\`, got ${describe(rt)}${hint}`);
}
var AUTO_THREADS_MAX = 4;
function reportedCores() {
  const nav = globalThis.navigator;
  if (nav && typeof nav.hardwareConcurrency === "number" && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const proc = globalThis.process;
  const os = proc?.getBuiltinModule?.("node:os");
  return os?.availableParallelism?.() ?? os?.cpus?.().length ?? 1;
}
function threadsUnavailable() {
  const g = globalThis;
  if (g.crossOriginIsolated === false) {
    return "this page is not cross-origin isolated, so it has no SharedArrayBuffer: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
  }
  if (typeof g.SharedArrayBuffer !== "function" || typeof g.Atomics !== "object") return "this environment has no SharedArrayBuffer/Atomics";
  return null;
}
async function init(options = {}) {
  checkOptions("init", options, ["variant", "wasm", "tiles", "threads"]);
  const threadsOpt = options.threads === void 0 ? 1 : options.threads;
  if (threadsOpt !== "auto" && !(typeof threadsOpt === "number" && Number.isInteger(threadsOpt) && threadsOpt >= 1 && threadsOpt <= 256)) {
    fail("init", `threads must be an integer from 1 to 256 or 'auto', got ${describe(threadsOpt)}`);
  }
  const requestedThreads = threadsOpt === "auto" ? Math.max(1, Math.min(AUTO_THREADS_MAX, reportedCores())) : threadsOpt;
  const tilesOpt = options.tiles ?? "auto";
  if (!["auto", "wide", "narrow"].includes(tilesOpt)) {
    fail("init", `tiles must be 'auto', 'wide' or 'narrow', got ${describe(tilesOpt)}`);
  }
  const tiles = tilesOpt === "auto" ? isSpiderMonkey() ? "narrow" : "wide" : tilesOpt;
  const requested = options.variant ?? "auto";
  if (!["auto", "relaxed", "simd"].includes(requested)) {
    fail("init", `variant must be 'auto', 'relaxed' or 'simd', got ${describe(requested)}`);
  }
  const variant = requested === "auto" ? relaxedSimdSupported() ? "relaxed" : "simd" : requested;
  if (variant === "relaxed" && !relaxedSimdSupported()) {
    fail("init", "variant 'relaxed' needs relaxed SIMD, which this engine does not accept (Node 20: run with --experimental-wasm-relaxed-simd); use 'simd' or 'auto'");
  }
  const w = options.wasm;
  if (Array.isArray(w) || w && typeof w.then === "function" || w !== void 0 && w !== null && typeof w !== "object" && typeof w !== "string") {
    failType("init", `wasm must be bytes, a URL, a string path/URL, a WebAssembly.Module, a Response or { simd, relaxed } of those, got ${describe(w)}${Array.isArray(w) ? " (wrap numbers in a Uint8Array)" : ""}${typeof w?.then === "function" ? " (await it first)" : ""}`);
  }
  const perBuild = !!w && typeof w === "object" && !(w instanceof URL) && !(w instanceof WebAssembly.Module) && !ArrayBuffer.isView(w) && !(w instanceof ArrayBuffer) && !(typeof Response !== "undefined" && w instanceof Response);
  if (perBuild) checkOptions("init", w, ["simd", "relaxed", "simd-threads", "relaxed-threads"]);
  let why = requestedThreads > 1 ? threadsUnavailable() : null;
  const pick = (threaded) => {
    const build2 = threaded ? `${variant}-threads` : variant;
    return { build: build2, source: perBuild ? w[build2] : w };
  };
  let { build, source } = pick(requestedThreads > 1 && why === null);
  if (build.endsWith("-threads") && source === void 0 && perBuild && pick(false).source !== void 0) {
    why = `init({ wasm }) gave no '${build}' build (a shared-memory build is needed for threads)`;
    ({ build, source } = pick(false));
  }
  let module2;
  try {
    module2 = await compileWasm(source ?? defaultWasmURL(build));
  } catch (e) {
    if (e instanceof Error && /^init:/.test(e.message)) throw e;
    if (source === void 0) throw new Error(`init: could not compile the packaged ${build} build (${defaultWasmURL(build).href}): ${e.message}`, { cause: e });
    throw new TypeError(`init: wasm is not a valid WebAssembly module: ${e.message}`, { cause: e });
  }
  let memory;
  if (importsMemory(module2)) {
    try {
      memory = new WebAssembly.Memory({ initial: THREADS_INITIAL_PAGES, maximum: THREADS_MAXIMUM_PAGES, shared: true });
    } catch (e) {
      throw new Error(`init: could not create the shared memory of the ${build} build: ${e.message}` + (requestedThreads > 1 ? " (use threads: 1)" : ""), { cause: e });
    }
  } else if (requestedThreads > 1 && why === null) {
    why = "init({ wasm }) gave a build without shared memory (a threads build is needed for threads)";
  }
  let instance;
  try {
    instance = await instantiateWasm(module2, memory);
  } catch (e) {
    throw new TypeError(`init: wasm is not a wasm-attention build: ${e.message}`, { cause: e });
  }
  const ex = instance.exports;
  if (!(ex.memory instanceof WebAssembly.Memory) || typeof ex.variant_id !== "function" || typeof ex.heap_base !== "function") {
    throw new TypeError(`init: wasm is not a wasm-attention build (it lacks the exports memory, variant_id, heap_base)`);
  }
  let pool = null;
  if (memory && requestedThreads > 1 && why === null) {
    ({ pool, reason: why } = await Pool.start(requestedThreads - 1, module2, memory, ex, tiles === "wide"));
    if (pool && pool.size < requestedThreads && why === null) why = `only ${pool.size - 1} of ${requestedThreads - 1} workers started`;
  }
  return new Runtime(instance, tiles, pool, { count: pool ? pool.size : 1, requested: requestedThreads, reason: why });
}
var THREADS_INITIAL_PAGES = 16;
var THREADS_MAXIMUM_PAGES = 65536;

// bindings/adapters/tfjs.ts
var KERNELS2 = ["BatchMatMul", "_FusedMatMul"];
var BACKENDS = ["wasm", "cpu"];
var OURS = /* @__PURE__ */ Symbol.for("wasm-attention.tfjsKernel");
async function installTfjsKernels(tf, options = {}) {
  const W5 = "installTfjsKernels";
  if (!tf || typeof tf.getKernel !== "function" || typeof tf.registerKernel !== "function" || typeof tf.unregisterKernel !== "function") {
    failType(W5, `tf must be the tfjs namespace (with getKernel, registerKernel, unregisterKernel), got ${describe(tf)}`);
  }
  checkOptions(W5, options, ["backends", "runtime"]);
  let backends;
  if (options.backends === void 0) {
    backends = BACKENDS.filter((b) => KERNELS2.every((k) => tf.getKernel(k, b)));
  } else {
    if (!Array.isArray(options.backends)) failType(W5, `backends must be an array of 'wasm' / 'cpu', got ${describe(options.backends)}`);
    backends = [...new Set(options.backends)];
    for (const b of backends) {
      if (!BACKENDS.includes(b)) fail(W5, `backend ${describe(b)} is not supported (expected 'wasm' or 'cpu')`);
      const missing = KERNELS2.filter((k) => !tf.getKernel(k, b));
      if (missing.length) fail(W5, `backend '${b}' has no ${missing.join(" / ")} kernel registered (import @tensorflow/tfjs-backend-${b} before installing)`);
    }
  }
  for (const b of backends) {
    for (const k of KERNELS2) {
      if (tf.getKernel(k, b)[OURS]) fail(W5, `${k} of backend '${b}' is already ours: uninstall() the earlier installation first`);
    }
  }
  const rt = options.runtime === void 0 ? await init() : checkRuntime(W5, options.runtime);
  const stats = { ours: { BatchMatMul: 0, _FusedMatMul: 0 }, fallback: { BatchMatMul: 0, _FusedMatMul: 0 } };
  const installed = [];
  for (const b of backends) {
    for (const k of KERNELS2) {
      const original = tf.getKernel(k, b);
      const ours = makeKernel(rt, k, b, original, stats);
      tf.unregisterKernel(k, b);
      tf.registerKernel(ours);
      installed.push({ original, ours });
    }
  }
  let done = false;
  return {
    runtime: rt,
    backends,
    stats,
    resetStats() {
      for (const k of KERNELS2) {
        stats.ours[k] = 0;
        stats.fallback[k] = 0;
      }
    },
    uninstall() {
      if (done) return;
      done = true;
      for (const { original, ours } of installed) {
        if (tf.getKernel(original.kernelName, original.backendName) !== ours) continue;
        tf.unregisterKernel(original.kernelName, original.backendName);
        tf.registerKernel(original);
      }
    }
  };
}
var ACTIVATIONS = ["linear", "relu", "relu6", "elu", "leakyrelu", "sigmoid", "prelu"];
function makeKernel(rt, kernelName, backendName, original, stats) {
  const fused = kernelName === "_FusedMatMul";
  const config = {
    kernelName,
    backendName,
    // the originals' setup (e.g. the wasm backend's cwrap of its C++ kernel) still runs when the backend initialises,
    // so the fallback works whether we were installed before or after that
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc(args) {
      const plan = planCall(args, fused);
      if (typeof plan === "string") {
        if (fused && backendName === "wasm" && args.inputs.bias) {
          throw new Error(`_FusedMatMul (wasm-attention): ${plan}; not passed to tfjs-backend-wasm's kernel, which adds biases wrongly`);
        }
        stats.fallback[kernelName]++;
        return original.kernelFunc(args);
      }
      stats.ours[kernelName]++;
      return run(rt, backendName, args, plan);
    }
  };
  Object.defineProperty(config, OURS, { value: true });
  return config;
}
function isF32(t) {
  return !!t && t.dtype === "float32";
}
function planCall({ inputs, attrs }, fused) {
  const { a, b } = inputs;
  if (!isF32(a) || !isF32(b)) return `dtypes ${a?.dtype} x ${b?.dtype} (float32 only)`;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return `rank ${ra} x ${rb} (2 or more each)`;
  const transposeA = !!attrs.transposeA, transposeB = !!attrs.transposeB;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const kA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (kA !== kB) return `inner dims ${kA} and ${kB} differ`;
  const bb = broadcastBatch(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!bb) return `batch dims [${a.shape.slice(0, -2)}] and [${b.shape.slice(0, -2)}] do not broadcast`;
  const outShape = [...bb.shape, m, n];
  let bias = null, prelu = null;
  let act = "linear", alpha = 0;
  if (fused) {
    const actName = attrs.activation ?? "linear";
    if (!ACTIVATIONS.includes(actName)) return `activation ${describe(actName)}`;
    act = actName;
    alpha = attrs.leakyreluAlpha ?? 0.2;
    if (inputs.bias) {
      if (!isF32(inputs.bias)) return `bias dtype ${inputs.bias.dtype}`;
      const br = broadcastTo(inputs.bias.shape, outShape);
      if (!br) return `bias shape [${inputs.bias.shape}] does not broadcast to [${outShape}]`;
      bias = { data: null, ...br };
    }
    if (act === "prelu") {
      const w = inputs.preluActivationWeights;
      if (!w || !isF32(w)) return "prelu without float32 weights";
      const br = broadcastTo(w.shape, outShape);
      if (!br) return `prelu weights shape [${w.shape}] do not broadcast to [${outShape}]`;
      prelu = { data: null, ...br };
    }
  }
  return {
    m,
    n,
    k: kA,
    transposeA,
    transposeB,
    aItems: size2(a.shape.slice(0, -2)),
    bItems: size2(b.shape.slice(0, -2)),
    outShape,
    batch: bb.batch,
    aIndex: bb.aIndex,
    bIndex: bb.bIndex,
    bias,
    act,
    alpha,
    prelu
  };
}
function size2(shape) {
  return shape.reduce((p, v) => p * v, 1);
}
function broadcastTo(shape, out) {
  const s = [...shape];
  while (s.length > out.length && s[0] === 1) s.shift();
  if (s.length > out.length) return null;
  const R = out.length;
  const st = new Array(R).fill(0);
  for (let d = R - 1, p = 1, j = s.length - 1; d >= 0; d--, j--) {
    const v = j >= 0 ? s[j] : 1;
    if (v !== 1 && v !== out[d]) return null;
    if (v !== 1) st[d] = p;
    p *= v;
  }
  const rows = size2(out.slice(0, -1));
  const rowOffset = new Int32Array(rows);
  const idx = new Array(R - 1).fill(0);
  let perColumn = true;
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let d = 0; d < R - 1; d++) off += idx[d] * st[d];
    rowOffset[r] = off;
    if (off !== 0) perColumn = false;
    for (let d = R - 2; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return { rowOffset, colStride: st[R - 1], perColumn };
}
function read(backendName, backend, t) {
  const v = backendName === "wasm" ? backend.typedArrayFromHeap(t) : backend.data.get(t.dataId).values;
  if (!(v instanceof Float32Array)) throw new TypeError(`wasm-attention tfjs adapter: ${backendName} tensor data is not a Float32Array`);
  return v;
}
function transposeInto(src, dst, items, rows, cols) {
  const T = 32;
  for (let it = 0, base = 0; it < items; it++, base += rows * cols) {
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = Math.min(r0 + T, rows);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = Math.min(c0 + T, cols);
        for (let r = r0; r < r1; r++) {
          const s = base + r * cols;
          for (let c = c0; c < c1; c++) dst[base + c * rows + r] = src[s + c];
        }
      }
    }
  }
}
function run(rt, backendName, args, p) {
  const { backend, inputs } = args;
  const { m, n, k, batch } = p;
  const total = batch * m * n;
  const outShape = p.outShape;
  const makeOut = () => {
    if (backendName === "wasm") {
      const info = backend.makeOutput(outShape, "float32");
      return { info, dst: backend.typedArrayFromHeap(info), finish: () => info };
    }
    const dst = new Float32Array(total);
    return { info: null, dst, finish: () => backend.makeTensorInfo(outShape, "float32", dst) };
  };
  if (total === 0) return makeOut().finish();
  const readBias = () => ({ ...p.bias, data: read(backendName, backend, inputs.bias) });
  const kernelBias = !!p.bias && p.bias.perColumn;
  const kernelRelu = p.act === "relu" && (!p.bias || kernelBias);
  const act = p.act === "relu" && kernelRelu ? "linear" : p.act;
  const aLen = p.aItems * m * k, bLen = p.bItems * k * n;
  const scratchFloats = batchGemmScratchFloats(rt, { m, n, k, batch, aIndex: p.aIndex, bIndex: p.bIndex });
  const floats = [aLen, bLen, total, kernelBias ? n : 0, scratchFloats];
  const offs = [];
  let bytes = 0;
  for (const f of floats) {
    offs.push(bytes);
    bytes += Math.ceil(f / 4) * 16;
  }
  const block = rt.alloc(bytes, "tfjs BatchMatMul");
  try {
    const [pa, pb, pc, pbias, pscratch] = offs.map((o) => block + o);
    const srcA = read(backendName, backend, inputs.a), srcB = read(backendName, backend, inputs.b);
    if (p.transposeA) transposeInto(srcA, rt.f32(pa, aLen), p.aItems, k, m);
    else rt.f32(pa, aLen).set(srcA.subarray(0, aLen));
    rt.f32(pb, bLen).set(srcB.subarray(0, bLen));
    if (kernelBias) {
      const bias = readBias(), v = rt.f32(pbias, n);
      if (bias.colStride === 0) v.fill(bias.data[0]);
      else v.set(bias.data.subarray(0, n));
    }
    batchGemm(rt, {
      m,
      n,
      k,
      batch,
      a: pa,
      aIndex: p.aIndex,
      b: pb,
      bIndex: p.bIndex,
      transposeB: p.transposeB,
      c: pc,
      bias: kernelBias ? pbias : 0,
      act: kernelRelu ? "relu" : "none",
      scratch: scratchFloats > 0 ? pscratch : 0
    });
    const out = makeOut();
    const c = rt.f32(pc, total);
    if (p.bias && !kernelBias) addBroadcast(c, readBias(), n);
    applyInto(
      c,
      out.dst,
      act,
      n,
      p.alpha,
      p.prelu ? { ...p.prelu, data: read(backendName, backend, inputs.preluActivationWeights) } : null
    );
    return out.finish();
  } finally {
    rt.free(block);
  }
}
function addBroadcast(c, op, n) {
  const rows = c.length / n, d = op.data, cs = op.colStride;
  for (let r = 0; r < rows; r++) {
    const o = op.rowOffset[r], base = r * n;
    for (let j = 0; j < n; j++) c[base + j] += d[o + j * cs];
  }
}
function applyInto(c, dst, act, n, alpha, prelu) {
  const len = c.length;
  switch (act) {
    case "linear":
      dst.set(c);
      return;
    case "relu":
      for (let i = 0; i < len; i++) {
        const v = c[i];
        dst[i] = v < 0 ? 0 : v;
      }
      return;
    case "relu6":
      for (let i = 0; i < len; i++) {
        const v = c[i];
        dst[i] = v < 0 ? 0 : v > 6 ? 6 : v;
      }
      return;
    case "elu":
      for (let i = 0; i < len; i++) {
        const v = c[i];
        dst[i] = v >= 0 ? v : Math.expm1(v);
      }
      return;
    case "leakyrelu":
      for (let i = 0; i < len; i++) {
        const v = c[i];
        dst[i] = v < 0 ? alpha * v : v;
      }
      return;
    case "sigmoid":
      for (let i = 0; i < len; i++) dst[i] = 1 / (1 + Math.exp(-c[i]));
      return;
    case "prelu": {
      const w = prelu, d = w.data, cs = w.colStride, rows = len / n;
      for (let r = 0; r < rows; r++) {
        const o = w.rowOffset[r], base = r * n;
        for (let j = 0; j < n; j++) {
          const v = c[base + j];
          dst[base + j] = v < 0 ? d[o + j * cs] * v : v;
        }
      }
      return;
    }
  }
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  installTfjsKernels
});
