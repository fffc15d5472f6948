import {
  checkOptions,
  checkRuntime,
  describe,
  fail,
  failType,
  gemm,
  gemmScratchFloats,
  init
} from "../shared-DPB7X6MZ.js";

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

// bindings/adapters/tfjs.ts
var KERNELS = ["BatchMatMul", "_FusedMatMul"];
var BACKENDS = ["wasm", "cpu"];
var OURS = /* @__PURE__ */ Symbol.for("wasm-attention.tfjsKernel");
async function installTfjsKernels(tf, options = {}) {
  const W = "installTfjsKernels";
  if (!tf || typeof tf.getKernel !== "function" || typeof tf.registerKernel !== "function" || typeof tf.unregisterKernel !== "function") {
    failType(W, `tf must be the tfjs namespace (with getKernel, registerKernel, unregisterKernel), got ${describe(tf)}`);
  }
  checkOptions(W, options, ["backends", "runtime"]);
  let backends;
  if (options.backends === void 0) {
    backends = BACKENDS.filter((b) => KERNELS.every((k) => tf.getKernel(k, b)));
  } else {
    if (!Array.isArray(options.backends)) failType(W, `backends must be an array of 'wasm' / 'cpu', got ${describe(options.backends)}`);
    backends = [...new Set(options.backends)];
    for (const b of backends) {
      if (!BACKENDS.includes(b)) fail(W, `backend ${describe(b)} is not supported (expected 'wasm' or 'cpu')`);
      const missing = KERNELS.filter((k) => !tf.getKernel(k, b));
      if (missing.length) fail(W, `backend '${b}' has no ${missing.join(" / ")} kernel registered (import @tensorflow/tfjs-backend-${b} before installing)`);
    }
  }
  for (const b of backends) {
    for (const k of KERNELS) {
      if (tf.getKernel(k, b)[OURS]) fail(W, `${k} of backend '${b}' is already ours: uninstall() the earlier installation first`);
    }
  }
  const rt = options.runtime === void 0 ? await init() : checkRuntime(W, options.runtime);
  const stats = { ours: { BatchMatMul: 0, _FusedMatMul: 0 }, fallback: { BatchMatMul: 0, _FusedMatMul: 0 } };
  const installed = [];
  for (const b of backends) {
    for (const k of KERNELS) {
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
      for (const k of KERNELS) {
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
    aItems: size(a.shape.slice(0, -2)),
    bItems: size(b.shape.slice(0, -2)),
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
function size(shape) {
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
  const rows = size(out.slice(0, -1));
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
export {
  installTfjsKernels
};
