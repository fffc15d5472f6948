import {
  DISPOSE,
  LayerNormParams,
  MIN_GEMM_MACS,
  Outputs,
  Runtime,
  Tensor,
  Workspace,
  actCode,
  add,
  additiveScores,
  appendRows,
  appendToCache,
  checkBoolean,
  checkDropout,
  checkEnum,
  checkFinite,
  checkLength,
  checkNonNegativeInt,
  checkOptions,
  checkPositiveInt,
  checkRuntime,
  copy,
  describe,
  fail,
  failType,
  fill,
  fmtShape,
  gemmBatched,
  gemmScratchFloats,
  gemmSplit,
  headsView,
  init,
  parallel,
  ranges,
  relaxedSimdSupported,
  scaledDotProductAttention,
  scaledDotProductAttentionFused,
  sdpaFusedScratchFloats,
  sdpaScratchFloats,
  slotFloats,
  slotted,
  softmaxRows,
  threadSlots,
  unary,
  upload,
  uploadI32
} from "./shared-inline-XUQBVTRL.js";

// bindings/nn/inputs.ts
function shapeOf(where, name, x) {
  if (x instanceof Tensor) {
    if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
    return x.shape;
  }
  const a = x;
  if (!a || typeof a !== "object" || !Array.isArray(a.shape)) {
    failType(where, `${name} must be a Tensor or { data: Float32Array, shape: number[] }, got ${describe(x)}`);
  }
  if (!(a.data instanceof Float32Array)) failType(where, `${name}.data must be a Float32Array, got ${describe(a.data)}`);
  const size = a.shape.reduce((p, d) => p * d, 1);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(where, `${name}.shape ${JSON.stringify(a.shape)} must hold non-negative integers`);
  if (size !== a.data.length) fail(where, `${name} has ${a.data.length} values but shape ${fmtShape(a.shape)} needs ${size}`);
  return a.shape;
}
function checkTensorInput(rt, where, name, x) {
  if (!(x instanceof Tensor)) return;
  if (x.host !== rt) failType(where, `${name} is a Tensor of another runtime; tensors cannot move between runtimes`);
  if (x.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${x.deadReason()}`);
}
function stage(rt, ws, where, name, x, slot, own = null) {
  const shape = shapeOf(where, name, x);
  checkTensorInput(rt, where, name, x);
  if (x instanceof Tensor && (own === null || x.lease !== own)) return { ptr: x.ptr, shape };
  const n = x instanceof Tensor ? x.size : x.data.length;
  const ptr = ws.get(slot, n);
  rt.f32(ptr, n).set(x instanceof Tensor ? x.data : x.data);
  return { ptr, shape };
}
function expectRank(where, name, shape, ranks, spelled) {
  if (!ranks.includes(shape.length)) fail(where, `${name} must be ${spelled}, got shape ${fmtShape(shape)}`);
}
function readMask(where, name, m) {
  if (m === void 0 || m === null) return null;
  if (m instanceof Tensor && m.disposed) failType(where, `${name} is a Tensor that is no longer valid: used after ${m.deadReason()}`);
  let data = m, shape = null;
  if (!ArrayBuffer.isView(m) && typeof m === "object") {
    const o = m;
    if (!Array.isArray(o.shape)) failType(where, `${name} must be a Uint8Array (boolean, 1 = masked), a Float32Array (added) or { data, shape }, got ${describe(m)}`);
    data = o.data;
    shape = o.shape;
  }
  if (data instanceof Uint8Array) return { kind: "bool", data, shape };
  if (data instanceof Float32Array) return { kind: "float", data, shape };
  failType(where, `${name} must be a Uint8Array (boolean, 1 = masked) or a Float32Array (added to the scores), got ${describe(data)}`);
}
function matchMask(where, name, m, allowed) {
  const spelled = allowed.map(fmtShape).join(" or ");
  if (m.shape) {
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (size !== m.data.length) fail(where, `${name} has ${m.data.length} values but its shape ${fmtShape(m.shape)} needs ${size}`);
    const hit2 = allowed.find((s) => s.length === m.shape.length && s.every((d, i) => d === m.shape[i]));
    if (!hit2) fail(where, `${name} must have shape ${spelled}, got ${fmtShape(m.shape)}`);
    return hit2;
  }
  const hit = allowed.find((s) => s.reduce((a, b) => a * b, 1) === m.data.length);
  if (!hit) fail(where, `${name} must have shape ${spelled} (${allowed.map((s) => s.reduce((a, b) => a * b, 1)).join(" or ")} values), got ${m.data.length} values`);
  return hit;
}

// bindings/ops/linear.ts
var PANEL = 8;
var PackedLinear = class _PackedLinear {
  outF;
  inF;
  rt;
  packed;
  // packed_b_size_f32(inF, outF) floats
  bias;
  // 0 = none, else outF floats
  owner;
  // set on slices: the memory belongs to it
  /** Packs `weight` [outF, inF] (nn.Linear layout, row-major) and copies `bias` [outF] (or none). Allocates
   *  nothing on failure (an out-of-memory error leaves the runtime as it was). */
  constructor(rt, weight, bias, outF, inF) {
    const where = "PackedLinear";
    this.outF = checkPositiveInt(where, "outF", outF);
    this.inF = checkPositiveInt(where, "inF", inF);
    if (!(weight instanceof Float32Array)) failType(where, `weight must be a Float32Array, got ${describe(weight)}`);
    checkLength(where, "weight", weight.length, outF * inF, `outF*inF = ${outF}*${inF}`);
    if (bias !== null && bias !== void 0) {
      if (!(bias instanceof Float32Array)) failType(where, `bias must be a Float32Array or null, got ${describe(bias)}`);
      checkLength(where, "bias", bias.length, outF, "outF");
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
      x.pack_b_f32(inF, outF, tmp, inF, this.packed, 1);
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
  slice(r0, r1) {
    if (r0 % PANEL !== 0 || r1 % PANEL !== 0 && r1 !== this.outF || r0 >= r1 || r1 > this.outF) return null;
    const s = Object.create(_PackedLinear.prototype);
    Object.assign(s, {
      outF: r1 - r0,
      inF: this.inF,
      rt: this.rt,
      owner: this,
      packed: this.packed + r0 * this.inF * 4,
      // panel r0/8 starts at (r0/8)·inF·8 floats
      bias: this.bias ? this.bias + r0 * 4 : 0
    });
    return s;
  }
  /** Floats of scratch forward() needs for `rows` rows (0 for one row). */
  scratchFloats(rows) {
    return gemmScratchFloats(this.rt, rows, this.outF, this.inF);
  }
  /** y[rows, outF] = act(x[rows, inF]·Wᵀ + b). x, y: byte pointers, contiguous rows; scratch: scratchFloats(rows). */
  forward(x, rows, y, scratch, act = "none") {
    if (this.packed === 0 || this.owner && this.owner.packed === 0) fail("PackedLinear", "forward() after dispose()");
    const { outF, inF, packed, bias } = this, a = actCode(act);
    gemmSplit(this.rt, "gemm_f32_packed_b", rows, outF, inF, (r0, r1, c0, c1) => [rows, outF, inF, r0, r1, c0, c1, x, inF, packed, y, outF, bias, a, scratch]);
  }
  /** Frees the packed weight and bias (idempotent; a slice frees nothing). */
  dispose() {
    if (this.owner === null) {
      if (this.packed !== 0) this.rt.free(this.packed);
      if (this.bias !== 0) this.rt.free(this.bias);
    }
    this.packed = 0;
    this.bias = 0;
  }
};

// bindings/io/safetensors.ts
var DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64
};
var MAX_HEADER_SIZE = 1e8;
var MAX_JSON_NESTING = 127;
var USIZE_MAX = (1n << 64n) - 1n;
var SafetensorsError = class extends Error {
  /** The message without the name of the call. */
  detail;
  /** `where`: the public call (loadSafetensors, saveSafetensors, ...) or 'safetensors' deep inside one. */
  constructor(message, where = "safetensors") {
    super(`${where}: ${message}`);
    this.name = "SafetensorsError";
    this.detail = message;
  }
};
function named(where, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SafetensorsError && !e.message.startsWith(`${where}:`)) throw new SafetensorsError(e.detail, where);
    if (e instanceof TypeError && !/^\w+:/.test(e.message)) throw new TypeError(`${where}: ${e.message}`);
    throw e;
  }
}
var isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function fmtOffsets(o) {
  return `[${o[0]}, ${o[1]}]`;
}
function fmtShape2(s) {
  return `[${s.join(", ")}]`;
}
function describeArg(x) {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (x instanceof Map) return "a Map";
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}...` : x)}`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "no prototype"})`;
  return typeof x === "function" ? "a function" : `${typeof x} ${String(x)}`;
}
function asBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`loadSafetensors: input must be a Uint8Array, ArrayBuffer or other ArrayBufferView, got ${describeArg(input)}`);
}
var NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
var HEX4 = /^[0-9a-fA-F]{4}$/;
var HeaderParser = class {
  constructor(text) {
    this.text = text;
  }
  text;
  pos = 0;
  depth = 0;
  /** Top-level key whose value is being parsed, to name the tensor in syntax errors. */
  topKey = null;
  fail(what, at = this.pos) {
    const where = this.topKey === null ? "" : ` (in the entry for ${JSON.stringify(this.topKey)})`;
    throw new SafetensorsError(`header is not valid JSON: ${what} at character ${at}${where}`);
  }
  /** JSON whitespace only (space, \t, \n, \r), like serde_json; a BOM or NUL is not whitespace. */
  skipWs() {
    const t = this.text;
    for (; ; ) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else return;
    }
  }
  unexpected(expected) {
    if (this.pos >= this.text.length) this.fail(`unexpected end, expected ${expected}`);
    this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}, expected ${expected}`);
  }
  value() {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return { kind: "string", value: this.string() };
    if (c === "-" || c >= "0" && c <= "9") return this.number();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: "literal", value };
      }
    }
    return this.unexpected("a JSON value");
  }
  /** Counts nesting exactly like serde_json's recursion budget (see MAX_JSON_NESTING). */
  enter() {
    if (++this.depth > MAX_JSON_NESTING) {
      this.fail(`arrays/objects nested ${this.depth} deep (serde_json, the reference parser, allows at most ${MAX_JSON_NESTING})`);
    }
    this.pos++;
  }
  object() {
    this.enter();
    const entries = [];
    let seen = null;
    this.skipWs();
    if (this.text[this.pos] === "}") {
      this.pos++;
    } else {
      for (; ; ) {
        this.skipWs();
        if (this.text[this.pos] !== '"') this.unexpected("a string key");
        const keyAt = this.pos;
        const key = this.string();
        if (seen === null && entries.length >= 8) seen = new Set(entries.map((kv) => kv[0]));
        if (seen ? seen.has(key) : entries.some((kv) => kv[0] === key)) {
          throw new SafetensorsError(`header repeats the key ${JSON.stringify(key)} (character ${keyAt})`);
        }
        seen?.add(key);
        this.skipWs();
        if (this.text[this.pos] !== ":") this.unexpected('":"');
        this.pos++;
        if (this.depth === 1) this.topKey = key;
        entries.push([key, this.value()]);
        if (this.depth === 1) this.topKey = null;
        this.skipWs();
        const c = this.text[this.pos++];
        if (c === "}") break;
        if (c !== ",") {
          this.pos--;
          this.unexpected('"," or "}"');
        }
      }
    }
    this.depth--;
    return { kind: "object", entries };
  }
  array() {
    this.enter();
    const items = [];
    this.skipWs();
    if (this.text[this.pos] === "]") {
      this.pos++;
    } else {
      for (; ; ) {
        items.push(this.value());
        this.skipWs();
        const c = this.text[this.pos++];
        if (c === "]") break;
        if (c !== ",") {
          this.pos--;
          this.unexpected('"," or "]"');
        }
      }
    }
    this.depth--;
    return { kind: "array", items };
  }
  number() {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("invalid number");
    const raw = m[0];
    this.pos = start + raw.length;
    const plain = m[1] === void 0 && m[2] === void 0 && raw[0] !== "-";
    const u64 = plain && raw.length <= 20 && BigInt(raw) <= USIZE_MAX ? BigInt(raw) : null;
    if (u64 === null && !Number.isFinite(Number(raw))) this.fail(`number ${raw.length > 40 ? `${raw.slice(0, 40)}...` : raw} out of range`, start);
    return { kind: "number", raw, u64 };
  }
  /** A string starting at `pos` (on the quote). Rules of serde_json's `parse_str` with validation on. */
  string() {
    const t = this.text;
    let out = "";
    let run = ++this.pos;
    for (; ; ) {
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        out += t.slice(run, this.pos++);
        return out;
      }
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c < 32) this.fail(`control character U+${c.toString(16).padStart(4, "0")} inside a string (must be escaped)`);
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += t.slice(run, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "/":
          out += "/";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "	";
          break;
        case "u": {
          const hi = this.hex4();
          if (hi >= 56320 && hi <= 57343) this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 6);
          if (hi >= 55296 && hi <= 56319) {
            if (t[this.pos] !== "\\" || t[this.pos + 1] !== "u") this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 6);
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 56320 || lo > 57343) this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 12);
            out += String.fromCharCode(hi, lo);
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          this.fail(`invalid escape ${JSON.stringify(`\\${e ?? ""}`)}`, this.pos - 2);
      }
      run = this.pos;
    }
  }
  hex4() {
    const h = this.text.slice(this.pos, this.pos + 4);
    if (!HEX4.test(h)) this.fail(`invalid \\u escape ${JSON.stringify(`\\u${h}`)}`, this.pos - 2);
    this.pos += 4;
    return parseInt(h, 16);
  }
};
function parseHeader(text) {
  const p = new HeaderParser(text);
  p.skipWs();
  if (text[p.pos] !== "{") {
    throw new SafetensorsError(`header must be a JSON object (optional whitespace, then "{"), got ${JSON.stringify(text.slice(0, 16))}`);
  }
  const top = p.object();
  p.skipWs();
  if (p.pos < text.length) p.unexpected("only whitespace after the top-level object");
  return top.entries;
}
function show(v) {
  if (v === void 0) return "nothing";
  let s;
  switch (v.kind) {
    case "number":
      s = v.raw;
      break;
    case "string":
      s = JSON.stringify(v.value);
      break;
    case "literal":
      s = String(v.value);
      break;
    case "array":
      s = `[${v.items.map(show).join(", ")}]`;
      break;
    case "object":
      s = `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}: ${show(x)}`).join(", ")}}`;
      break;
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
function isDtype(s) {
  return Object.prototype.hasOwnProperty.call(DTYPE_BITS, s);
}
var DTYPE_LIST = Object.keys(DTYPE_BITS).join(", ");
function parseEntry(name, v) {
  const where = `tensor ${JSON.stringify(name)}`;
  let dtypeV, shapeV, offsetsV;
  if (v.kind === "object") {
    for (const [k, x] of v.entries) {
      if (k === "dtype") dtypeV = x;
      else if (k === "shape") shapeV = x;
      else if (k === "data_offsets") offsetsV = x;
    }
  } else if (v.kind === "array" && v.items.length === 3) {
    [dtypeV, shapeV, offsetsV] = v.items;
  } else if (v.kind === "array") {
    throw new SafetensorsError(`${where}: a header entry given as an array must be [dtype, shape, data_offsets] (3 items), got ${v.items.length} items`);
  } else {
    throw new SafetensorsError(`${where}: header entry must be an object {dtype, shape, data_offsets}, got ${show(v)}`);
  }
  let dtype;
  if (dtypeV?.kind === "string") dtype = dtypeV.value;
  else if (dtypeV?.kind === "object" && dtypeV.entries.length === 1 && dtypeV.entries[0][1].kind === "literal" && dtypeV.entries[0][1].value === null) dtype = dtypeV.entries[0][0];
  else throw new SafetensorsError(`${where}: "dtype" must be a string, got ${show(dtypeV)}`);
  if (!isDtype(dtype)) throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${DTYPE_LIST})`);
  const usize = (x) => x.kind === "number" ? x.u64 : null;
  const shape = shapeV?.kind === "array" ? shapeV.items.map(usize) : null;
  if (shape === null || shape.includes(null)) {
    throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers (plain digits, at most 2^64 - 1), got ${show(shapeV)}`);
  }
  const offsets = offsetsV?.kind === "array" && offsetsV.items.length === 2 ? offsetsV.items.map(usize) : null;
  if (offsets === null || offsets.includes(null)) {
    throw new SafetensorsError(`${where}: "data_offsets" must be [begin, end] non-negative integers (plain digits, at most 2^64 - 1), got ${show(offsetsV)}`);
  }
  const [b, e] = offsets;
  if (e < b) throw new SafetensorsError(`${where}: data_offsets ${fmtOffsets([b, e])} end before they begin`);
  return { name, dtype, shape, offsets: [b, e] };
}
function parseMetadata(v) {
  const out = /* @__PURE__ */ Object.create(null);
  if (v.kind === "literal" && v.value === null) return out;
  if (v.kind !== "object") {
    throw new SafetensorsError(`"__metadata__" must be an object mapping strings to strings (or null), got ${show(v)}`);
  }
  for (const [k, s] of v.entries) {
    if (s.kind !== "string") throw new SafetensorsError(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${show(s)}`);
    out[k] = s.value;
  }
  return out;
}
function validateLayout(entries) {
  const cmp = (x, y) => x < y ? -1 : x > y ? 1 : 0;
  entries.sort((a, b) => cmp(a.offsets[0], b.offsets[0]) || cmp(a.offsets[1], b.offsets[1]));
  let end = 0n;
  let prev = null;
  for (const e of entries) {
    const [b, f] = e.offsets;
    const where = `tensor ${JSON.stringify(e.name)} data_offsets ${fmtOffsets(e.offsets)}`;
    if (b > end) {
      const after = prev ? `after tensor ${JSON.stringify(prev.name)}` : "at the start of the byte buffer";
      throw new SafetensorsError(`${where} leave a hole of ${b - end} bytes ${after} (expected begin ${end})`);
    }
    if (b < end) {
      throw new SafetensorsError(`${where} overlap tensor ${JSON.stringify(prev.name)} data_offsets ${fmtOffsets(prev.offsets)}`);
    }
    let count = 1n;
    for (const d of e.shape) {
      count *= d;
      if (count > USIZE_MAX) {
        throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: element count of shape ${fmtShape2(e.shape)} overflows 64 bits`);
      }
    }
    const bits = count * BigInt(DTYPE_BITS[e.dtype]);
    if (bits > USIZE_MAX) {
      throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: bit size of ${e.dtype} shape ${fmtShape2(e.shape)} overflows 64 bits`);
    }
    if (bits % 8n !== 0n) {
      throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: ${e.dtype} shape ${fmtShape2(e.shape)} is ${bits} bits, not a whole number of bytes`);
    }
    if (bits / 8n !== f - b) {
      throw new SafetensorsError(`${where} hold ${f - b} bytes but ${e.dtype} shape ${fmtShape2(e.shape)} needs ${bits / 8n}`);
    }
    end = f;
    prev = e;
  }
  return end;
}
function loadSafetensors(input) {
  return named("loadSafetensors", () => parseFile(input));
}
function parseFile(input) {
  const bytes = asBytes(input);
  if (bytes.length < 8) {
    throw new SafetensorsError(`file is ${bytes.length} bytes, too small for the 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_SIZE) throw new SafetensorsError(`header length ${n} exceeds the maximum ${MAX_HEADER_SIZE}`);
  if (n > bytes.length - 8) {
    throw new SafetensorsError(`header length ${n} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError("header is not valid UTF-8");
  }
  let metadata = /* @__PURE__ */ Object.create(null);
  const entries = [];
  for (const [name, v] of parseHeader(text)) {
    if (name === "__metadata__") metadata = parseMetadata(v);
    else entries.push(parseEntry(name, v));
  }
  const bufferEnd = validateLayout(entries);
  if (BigInt(8 + n) + bufferEnd !== BigInt(bytes.length)) {
    throw new SafetensorsError(
      `file is ${bytes.length} bytes but the header (8 + ${n}) and tensors (${bufferEnd}) account for ${BigInt(8 + n) + bufferEnd}`
    );
  }
  const tensors = /* @__PURE__ */ Object.create(null);
  const start = 8 + n;
  for (const e of entries) {
    const view2 = bytes.subarray(start + Number(e.offsets[0]), start + Number(e.offsets[1]));
    tensors[e.name] = new LoadedTensor(e.name, e.dtype, e.shape, view2);
  }
  const names = entries.map((e) => e.name);
  return {
    tensors,
    metadata,
    names,
    stateDict() {
      const sd = /* @__PURE__ */ Object.create(null);
      for (const name of names) sd[name] = tensors[name].data;
      return sd;
    }
  };
}
var LoadedTensor = class {
  constructor(name, dtype, shape, bytes) {
    this.name = name;
    this.dtype = dtype;
    this.bytes = bytes;
    this.exactShape = Object.freeze(shape);
    this.shape = shape.map(Number);
  }
  name;
  dtype;
  bytes;
  #data = null;
  shape;
  exactShape;
  get data() {
    return this.#data ??= toFloat32(this.name, this.dtype, this.bytes);
  }
};
function toFloat32(name, dtype, bytes) {
  const bits = DTYPE_BITS[dtype];
  const count = bytes.length * 8 / bits;
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32":
      if (isLittleEndian && bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    case "F16": {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) {
        const h = bytes[2 * i] | bytes[2 * i + 1] << 8;
        const sign = (h & 32768) << 16;
        const exp = h >> 10 & 31;
        const man = h & 1023;
        if (exp === 31) u32[i] = sign | 2139095040 | man << 13;
        else if (exp !== 0) u32[i] = sign | exp + 112 << 23 | man << 13;
        else if (man === 0) u32[i] = sign;
        else out[i] = (sign ? -man : man) * 2 ** -24;
      }
      return out;
    }
    case "BF16": {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = (bytes[2 * i] | bytes[2 * i + 1] << 8) << 16;
      return out;
    }
    case "F64":
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    case "BOOL":
      for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
      return out;
    case "U8":
      for (let i = 0; i < count; i++) out[i] = bytes[i];
      return out;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      return out;
    case "U16":
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true);
      return out;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true);
      return out;
    case "U32":
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, true);
      return out;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
      return out;
    case "U64":
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(8 * i, true));
      return out;
    case "I64":
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true));
      return out;
    default:
      throw new SafetensorsError(
        `tensor ${JSON.stringify(name)} has dtype ${dtype}, which cannot be read as Float32 (supported: F32, F16, BF16, F64, integer and BOOL dtypes)`
      );
  }
}
function isIndex(v) {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
function isPlainRecord(x) {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Map) && !ArrayBuffer.isView(x) && !(x instanceof ArrayBuffer);
}
function saveSafetensors(tensors, metadata) {
  return named("saveSafetensors", () => writeFile(tensors, metadata));
}
function writeFile(tensors, metadata) {
  if (!isPlainRecord(tensors)) {
    throw new TypeError(`saveSafetensors: tensors must be an object {name: Float32Array | {data: Float32Array, shape: number[]}}, got ${describeArg(tensors)}`);
  }
  const header = {};
  if (metadata !== void 0 && metadata !== null) {
    if (!isPlainRecord(metadata)) {
      throw new TypeError(`saveSafetensors: metadata must be an object mapping strings to strings, got ${describeArg(metadata)}`);
    }
    const md = {};
    for (const [k, s] of Object.entries(metadata)) {
      if (typeof s !== "string") {
        throw new SafetensorsError(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${describeArg(s)}`);
      }
      Object.defineProperty(md, k, { value: s, enumerable: true, writable: true, configurable: true });
    }
    header.__metadata__ = md;
  }
  const names = Object.keys(tensors).sort();
  const items = [];
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
    const t = tensors[name];
    const data = t instanceof Float32Array ? t : t?.data;
    const shape = t instanceof Float32Array ? [t.length] : t?.shape;
    if (!(data instanceof Float32Array) || !Array.isArray(shape) || !shape.every(isIndex)) {
      throw new SafetensorsError(`tensor ${JSON.stringify(name)}: expected a Float32Array or {data: Float32Array, shape: number[]}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape ${fmtShape2([...shape])} needs ${size} values, data has ${data.length}`);
    }
    Object.defineProperty(header, name, {
      value: { dtype: "F32", shape: [...shape], data_offsets: [offset, offset + 4 * size] },
      enumerable: true,
      writable: true,
      configurable: true
    });
    items.push({ data, begin: offset });
    offset += 4 * size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true);
  out.set(json, 8);
  out.fill(32, 8 + json.length, 8 + padded);
  const base = 8 + padded;
  for (const { data, begin } of items) {
    if (isLittleEndian) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base + begin);
    else for (let i = 0; i < data.length; i++) dv.setFloat32(base + begin + 4 * i, data[i], true);
  }
  return out;
}
function toStateDict(x) {
  return named("toStateDict", () => stateDictOf(x));
}
function stateDictOf(x) {
  const out = /* @__PURE__ */ new Map();
  if (isSafetensorsFile(x)) {
    for (const name of x.names) {
      const t = x.tensors[name];
      out.set(name, { get data() {
        return t.data;
      }, shape: t.shape.slice() });
    }
    return out;
  }
  if (typeof x !== "object" || x === null) throw new TypeError(`state dict must be an object, a Map or a loaded safetensors file, got ${describeArg(x)}`);
  const entries = x instanceof Map ? [...x.entries()] : Object.entries(x);
  for (const [name, v] of entries) {
    if (v instanceof Float32Array) {
      out.set(name, { data: v, shape: null });
    } else if (v && typeof v === "object" && v.data instanceof Float32Array && Array.isArray(v.shape)) {
      const shape = [...v.shape];
      const size = shape.reduce((a, b) => a * b, 1);
      if (!shape.every(isIndex) || size !== v.data.length) {
        throw new TypeError(`state dict entry "${name}": shape ${fmtShape2(shape)} does not match ${v.data.length} values`);
      }
      out.set(name, { data: v.data, shape });
    } else {
      throw new TypeError(`state dict entry "${name}" must be a Float32Array or {data: Float32Array, shape: number[]}`);
    }
  }
  return out;
}
function isSafetensorsFile(x) {
  const f = x;
  return typeof x === "object" && x !== null && !(x instanceof Map) && typeof f.stateDict === "function" && Array.isArray(f.names) && typeof f.tensors === "object" && f.tensors !== null;
}

// bindings/io/statedict.ts
var LOAD_OPTIONS = ["prefix", "strict"];
function readLoadOptions(where, options) {
  if (options === void 0) return { prefix: "", strict: true };
  if (typeof options === "string") {
    failType(where, `options must be an object { prefix, strict }, got string ${JSON.stringify(options)} (write { prefix: ${JSON.stringify(options)} })`);
  }
  checkOptions(where, options, LOAD_OPTIONS);
  const o = options;
  if (o.prefix !== void 0 && typeof o.prefix !== "string") failType(where, `prefix must be a string, got ${describe(o.prefix)}`);
  if (o.strict !== void 0 && typeof o.strict !== "boolean") failType(where, `strict must be a boolean, got ${describe(o.strict)}`);
  return { prefix: o.prefix ?? "", strict: o.strict ?? true };
}
function isSafetensorsFile2(x) {
  const f = x;
  return !(x instanceof Map) && typeof f.stateDict === "function" && Array.isArray(f.names) && typeof f.tensors === "object" && f.tensors !== null;
}
function readStateDict(where, input, params, options) {
  if (input === null || typeof input !== "object") {
    failType(where, `state dict must be an object, a Map or a loaded safetensors file, got ${describe(input)}`);
  }
  const { prefix, strict } = readLoadOptions(where, options);
  const full = (name) => prefix + name;
  const raw = /* @__PURE__ */ new Map();
  const file = isSafetensorsFile2(input) ? toStateDict(input) : null;
  const lazy = new Set(file ? file.values() : []);
  const all = file ? [...file] : input instanceof Map ? [...input.entries()] : Object.entries(input);
  for (const [k, v] of all) {
    const key = String(k);
    if (key.startsWith(prefix)) raw.set(key.slice(prefix.length), v);
  }
  const entry = (name) => {
    const v = raw.get(name);
    if (lazy.has(v)) return v;
    if (v instanceof Tensor && v.disposed) failType(where, `"${full(name)}" is a Tensor that is no longer valid: used after ${v.deadReason()}`);
    try {
      return toStateDict(/* @__PURE__ */ new Map([[full(name), v]])).get(full(name));
    } catch (e) {
      const msg = e.message.replace(/^toStateDict: /, "");
      if (e instanceof TypeError) failType(where, msg);
      fail(where, msg);
    }
  };
  const read = (name, shape) => {
    const t = entry(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      fail(where, `"${full(name)}" must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
    }
    let data;
    try {
      data = t.data;
    } catch (e) {
      failType(where, `"${full(name)}" cannot be read: ${e.message}`);
    }
    if (!t.shape && data.length !== size) {
      fail(where, `"${full(name)}" must have ${size} elements (shape ${fmtShape(shape)}), got ${data.length}`);
    }
    return data;
  };
  const out = /* @__PURE__ */ new Map();
  const missing = [];
  const known = /* @__PURE__ */ new Set();
  for (const p of params) {
    known.add(p.name);
    const sep = separateQKV(p);
    const given = sep ? sep.names.filter((n) => raw.has(n)) : [];
    if (sep && given.length) {
      given.forEach((n) => known.add(n));
      if (raw.has(p.name)) {
        fail(where, `both "${full(p.name)}" and ${given.map((n) => `"${full(n)}"`).join(", ")} given: use one layout, the packed in_proj_weight or the separate q_proj_weight, k_proj_weight, v_proj_weight`);
      }
      const parts = [];
      for (const n of sep.names) {
        if (raw.has(n)) parts.push(read(n, sep.shape));
        else missing.push(full(n));
      }
      if (parts.length === 3) {
        const packed = new Float32Array(3 * parts[0].length);
        parts.forEach((d, i) => packed.set(d, i * d.length));
        out.set(p.name, packed);
      }
      continue;
    }
    if (!raw.has(p.name)) {
      missing.push(full(p.name));
      continue;
    }
    out.set(p.name, read(p.name, p.shape));
  }
  const unexpected = strict ? [...raw.keys()].filter((k) => !known.has(k)).map(full) : [];
  if (missing.length || unexpected.length) {
    const parts = [];
    if (missing.length) {
      let hint = "";
      if (prefix && raw.size === 0) {
        hint = ` (no key starts with prefix ${JSON.stringify(prefix)})`;
      } else if (prefix && !prefix.endsWith(".") && [...raw.keys()].some((k) => k.startsWith("."))) {
        hint = ` (prefix ${JSON.stringify(prefix)} leaves keys starting with "."; did you mean ${JSON.stringify(`${prefix}.`)}?)`;
      } else if (!strict) {
        hint = " (strict: false ignores unexpected keys only: every parameter is required)";
      }
      parts.push(`missing keys: ${missing.join(", ")}${hint}`);
    }
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(", ")}`);
    fail(where, parts.join("; "));
  }
  return out;
}
function separateQKV(p) {
  if (!/(^|\.)in_proj_weight$/.test(p.name) || p.shape.length !== 2 || p.shape[0] !== 3 * p.shape[1]) return null;
  const base = p.name.slice(0, -"in_proj_weight".length);
  return { names: ["q", "k", "v"].map((x) => `${base}${x}_proj_weight`), shape: [p.shape[1], p.shape[1]] };
}
function subStateDict(input, prefix) {
  const out = /* @__PURE__ */ new Map();
  for (const [k, v] of toStateDict(input)) {
    if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v.shape ? { data: v.data, shape: v.shape } : v.data);
  }
  return out;
}

// bindings/nn/attention.ts
var CTOR_OPTIONS = ["score", "querySize", "keySize", "numHiddens", "bias", "dropout"];
var SCORES = ["dot", "scaledDot", "general", "additive"];
var Attention = class {
  score;
  querySize;
  keySize;
  numHiddens;
  bias;
  rt;
  ws;
  Wq = null;
  // additive: W_q [h, q]; general: W_a [q, k] applied to keys
  Wk = null;
  // additive: W_k [h, k]
  wv = 0;
  // additive: w_v [h] in wasm memory
  outputs;
  disposed = false;
  constructor(rt, options) {
    const where = "Attention";
    checkRuntime(where, rt);
    checkOptions(where, options, CTOR_OPTIONS);
    if (!options) failType(where, "options { score } are required");
    checkDropout(where, options.dropout);
    this.score = checkEnum(where, "score", options.score, SCORES);
    const needSizes = this.score === "general" || this.score === "additive";
    const size = (name, need) => options[name] === void 0 ? need ? fail(where, `${name} is required for score '${this.score}'`) : void 0 : checkPositiveInt(where, name, options[name]);
    this.querySize = size("querySize", needSizes);
    this.keySize = size("keySize", needSizes);
    this.numHiddens = size("numHiddens", this.score === "additive");
    this.bias = options.bias === void 0 ? false : checkBoolean(where, "bias", options.bias);
    if (this.bias && this.score !== "general") fail(where, `bias applies to score 'general' only, got score '${this.score}'`);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, "Attention.forward");
  }
  /** Parameters with d2l / PyTorch names: additive W_q.weight [h, q], W_k.weight [h, k], w_v.weight [1, h];
   *  general W_a.weight [q, k] (+ W_a.bias [q]); none for dot products. */
  parameterShapes() {
    const q = this.querySize, k = this.keySize, h = this.numHiddens;
    if (this.score === "additive") return [{ name: "W_q.weight", shape: [h, q] }, { name: "W_k.weight", shape: [h, k] }, { name: "w_v.weight", shape: [1, h] }];
    if (this.score === "general") return this.bias ? [{ name: "W_a.weight", shape: [q, k] }, { name: "W_a.bias", shape: [q] }] : [{ name: "W_a.weight", shape: [q, k] }];
    return [];
  }
  /** Loads the parameters of parameterShapes(). options.prefix selects and strips keys ('decoder.attention.');
   *  options.strict (default true) false ignores unexpected keys (every parameter is still required). All or
   *  nothing: on any error the module keeps the weights it had. */
  loadStateDict(sd, options) {
    const where = "Attention.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      let Wq = null, Wk = null, wv = 0;
      try {
        if (this.score === "additive") {
          const h = this.numHiddens;
          Wq = new PackedLinear(this.rt, w.get("W_q.weight"), null, h, this.querySize);
          Wk = new PackedLinear(this.rt, w.get("W_k.weight"), null, h, this.keySize);
          wv = this.rt.alloc(h * 4);
          upload(this.rt, wv, w.get("w_v.weight"));
        } else if (this.score === "general") {
          Wq = new PackedLinear(this.rt, w.get("W_a.weight"), this.bias ? w.get("W_a.bias") : null, this.querySize, this.keySize);
        }
      } catch (e) {
        Wq?.dispose();
        Wk?.dispose();
        if (wv) this.rt.free(wv);
        throw e;
      }
      this.release();
      this.Wq = Wq;
      this.Wk = Wk;
      this.wv = wv;
      return this;
    });
  }
  get hasParameters() {
    return this.score === "additive" || this.score === "general";
  }
  /**
   * queries [B, Q, dq], keys [B, K, dk], values [B, K, dv] -> { output [B, Q, dv], weights [B, Q, K] }.
   * The returned tensors live in this module's memory until its next forward() or dispose().
   */
  forward(queries, keys, values, options = {}) {
    const where = "Attention.forward";
    this.checkLive(where);
    checkOptions(where, options, ["validLens"]);
    if (this.hasParameters && !this.Wq) fail(where, "no weights loaded: call loadStateDict() first");
    const qs = shapeOf(where, "queries", queries), ks = shapeOf(where, "keys", keys), vs = shapeOf(where, "values", values);
    checkTensorInput(this.rt, where, "queries", queries);
    checkTensorInput(this.rt, where, "keys", keys);
    checkTensorInput(this.rt, where, "values", values);
    expectRank(where, "queries", qs, [3], "(B, Q, querySize)");
    expectRank(where, "keys", ks, [3], "(B, K, keySize)");
    expectRank(where, "values", vs, [3], "(B, K, valueSize)");
    const [B, Q, dq] = qs, [Bk, K2, dk] = ks, [Bv, Kv, dv] = vs;
    if (Bk !== B || Bv !== B) fail(where, `batch sizes differ: queries ${B}, keys ${Bk}, values ${Bv}`);
    if (Kv !== K2) fail(where, `keys and values must have the same number of keys, got ${K2} and ${Kv} (shapes ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (this.querySize !== void 0 && dq !== this.querySize) fail(where, `queries must have querySize = ${this.querySize} features, got shape ${fmtShape(qs)}`);
    if (this.keySize !== void 0 && dk !== this.keySize) fail(where, `keys must have keySize = ${this.keySize} features, got shape ${fmtShape(ks)}`);
    if ((this.score === "dot" || this.score === "scaledDot") && dq !== dk) {
      fail(where, `score '${this.score}' needs queries and keys of the same size, got ${dq} and ${dk}`);
    }
    if (B < 1 || Q < 1) fail(where, `queries must not be empty, got shape ${fmtShape(qs)}`);
    if (K2 < 1) fail(where, `keys and values must not be empty, got shapes ${fmtShape(ks)} and ${fmtShape(vs)}`);
    const lensIn = this.checkLens(where, options.validLens, B, Q, K2);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, own = this.outputs.lease;
      const q = stage(rt, ws, where, "queries", queries, "in.q", own);
      const k = keys === queries ? q : stage(rt, ws, where, "keys", keys, "in.k", own);
      const v = values === keys ? k : stage(rt, ws, where, "values", values, "in.v", own);
      const h = this.numHiddens ?? 0, d = this.score === "general" ? dq : dk;
      const scores = ws.get("weights", B * Q * K2);
      const out = ws.get("out", B * Q * dv);
      const qp = this.score === "additive" ? ws.get("qp", B * Q * h) : 0;
      const kp = this.score === "additive" ? ws.get("kp", B * K2 * h) : 0;
      const kw = this.score === "general" ? ws.get("kw", B * K2 * dq) : 0;
      const lens = lensIn ? ws.get("lens", B * Q) : 0;
      const scratch = ws.get("gemm", Math.max(
        1,
        gemmScratchFloats(rt, Q, K2, d),
        gemmScratchFloats(rt, Q, dv, K2),
        this.Wq?.scratchFloats(this.score === "additive" ? B * Q : B * K2) ?? 0,
        this.Wk?.scratchFloats(B * K2) ?? 0
      ));
      if (lensIn) uploadI32(rt, lens, lensIn);
      if (this.score === "additive") {
        this.Wq.forward(q.ptr, B * Q, qp, scratch);
        this.Wk.forward(k.ptr, B * K2, kp, scratch);
        additiveScores(rt, { batch: B, nq: Q, nk: K2, hidden: h, qp, kp, wv: this.wv, out: scores });
      } else {
        let kk = k.ptr;
        if (this.score === "general") {
          this.Wq.forward(k.ptr, B * K2, kw, scratch);
          kk = kw;
        }
        gemmBatched(rt, {
          batch: B,
          m: Q,
          n: K2,
          k: d,
          a: q.ptr,
          lda: d,
          sa: Q * d,
          b: kk,
          ldb: d,
          sb: K2 * d,
          transposeB: true,
          c: scores,
          ldc: K2,
          sc: Q * K2,
          scratch
        });
      }
      const scale = this.score === "scaledDot" ? 1 / Math.sqrt(dq) : 1;
      softmaxRows(rt, { rows: B * Q, cols: K2, x: scores, ldx: K2, y: scores, ldy: K2, scale, lens });
      gemmBatched(rt, {
        batch: B,
        m: Q,
        n: dv,
        k: K2,
        a: scores,
        lda: K2,
        sa: Q * K2,
        b: v.ptr,
        ldb: dv,
        sb: K2 * dv,
        c: out,
        ldc: dv,
        sc: Q * dv,
        scratch
      });
      const lease = this.outputs.next();
      return { output: new Tensor(rt, out, [B, Q, dv], false, lease), weights: new Tensor(rt, scores, [B, Q, K2], false, lease) };
    });
  }
  // validLens -> one length per query row (null = no masking), checked before any work starts
  checkLens(where, vl, B, Q, K2) {
    if (vl === void 0 || vl === null) return null;
    if (typeof vl !== "object" || typeof vl.length !== "number") {
      failType(where, `validLens must be an array of lengths of shape [${B}] or [${B}, ${Q}], got ${describe(vl)}`);
    }
    const a = vl;
    if (a.length !== B && a.length !== B * Q) {
      fail(where, `validLens must have shape [B] = [${B}] or [B, Q] = [${B}, ${Q}] (${B} or ${B * Q} values), got ${a.length} values`);
    }
    const lens = new Int32Array(B * Q);
    for (let r = 0; r < B * Q; r++) {
      const len = a.length === B ? a[Math.floor(r / Q)] : a[r];
      if (typeof len !== "number" || !(len >= 0)) fail(where, `validLens values must be non-negative numbers, got ${describe(len)}`);
      lens[r] = Math.min(Math.ceil(len), K2);
    }
    return lens;
  }
  release() {
    this.Wq?.dispose();
    this.Wk?.dispose();
    this.Wq = this.Wk = null;
    if (this.wv) {
      this.rt.free(this.wv);
      this.wv = 0;
    }
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  dispose() {
    if (this.disposed) return;
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
  /** `using att = new Attention(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};

// bindings/nn/cache.ts
var KVCache = class {
  batch;
  maxLength;
  /** @internal Feature size of a key/value row. */
  width;
  /** @internal The module the cache belongs to. */
  owner;
  /** @internal k, v: [batch, maxLength, width] f32, batch-major. */
  k;
  v;
  len = 0;
  rt;
  /** @internal Use module.createCache(). */
  constructor(rt, owner, batch, maxLength, width) {
    this.rt = rt;
    this.owner = owner;
    this.batch = batch;
    this.maxLength = maxLength;
    this.width = width;
    const bytes = batch * maxLength * width * 4;
    this.k = rt.alloc(bytes, "createCache");
    try {
      this.v = rt.alloc(bytes, "createCache");
    } catch (e) {
      rt.free(this.k);
      throw e;
    }
  }
  /** Positions held (the same for every sequence of the batch). */
  get length() {
    return this.len;
  }
  get disposed() {
    return this.k === 0;
  }
  /** Empties the cache for the next sequence (keeps its memory). */
  reset() {
    this.len = 0;
  }
  /** Forgets every position from `length` on (beam search, speculative decoding): the cache then holds
   *  min(length, this.length) positions. */
  truncate(length) {
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new RangeError(`KVCache.truncate: length must be a non-negative integer, got ${String(length)}`);
    }
    this.len = Math.min(this.len, length);
  }
  /** @internal Advances the length when the call in progress succeeds. */
  advance(by) {
    const before = this.len;
    this.len += by;
    this.rt.journal.record(() => {
      this.len = before;
    }, null);
  }
  /** @internal Throws unless the cache is live, belongs to `owner` and has room for `more` positions. */
  check(where, owner, batch, more) {
    if (this.disposed) fail(where, "cache is disposed");
    if (this.owner !== owner) fail(where, "cache was made by another module (use this module's createCache())");
    if (batch !== this.batch) fail(where, `cache holds batch = ${this.batch} sequences, got a batch of ${batch}`);
    if (this.len + more > this.maxLength) {
      fail(where, `cache is full: it holds ${this.len} of maxLength = ${this.maxLength} positions and ${more} more do not fit (reset() it or make a longer one)`);
    }
  }
  /** Frees the memory (idempotent). */
  dispose() {
    if (this.k === 0) return;
    this.rt.free(this.k);
    this.rt.free(this.v);
    this.k = this.v = 0;
    this.len = 0;
  }
  /** `using cache = mha.createCache(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};
var TransformerCache = class {
  batch;
  maxLength;
  /** @internal */
  owner;
  /** @internal */
  layers;
  /** @internal Use transformer.createCache(). */
  constructor(owner, batch, maxLength, layers) {
    this.owner = owner;
    this.batch = batch;
    this.maxLength = maxLength;
    this.layers = layers;
  }
  /** Positions held (the same for every sequence of the batch). */
  get length() {
    return this.layers[0].self.length;
  }
  get disposed() {
    return this.layers[0].self.disposed;
  }
  /** Empties the cache for the next sequence (keeps its memory; a decoder projects the next memory again). */
  reset() {
    for (const l of this.layers) {
      l.self.reset();
      l.cross?.reset();
    }
  }
  /** Forgets every position from `length` on in every layer (the memory's projection stays). */
  truncate(length) {
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new RangeError(`TransformerCache.truncate: length must be a non-negative integer, got ${String(length)}`);
    }
    for (const l of this.layers) l.self.truncate(length);
  }
  /** Frees the memory (idempotent). */
  dispose() {
    for (const l of this.layers) {
      l.self.dispose();
      l.cross?.dispose();
    }
  }
  /** `using cache = transformer.createCache(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};

// bindings/ops/masks.ts
function term(m, i) {
  return m.kind === "bool" ? m.data[i] ? -Infinity : 0 : m.data[i];
}
function maskSize(s) {
  const { N, H, L, S, extra, attn, kpm } = s;
  const hasAttn = !!attn || s.causal;
  if (!hasAttn && !kpm) return 0;
  const blocks = attn && s.attn3d ? N * H : kpm ? N : 1;
  return blocks * (hasAttn ? L : 1) * (S + extra);
}
function fillMask(rt, ptr, s) {
  const { N, H, L, S, extra, attn, kpm } = s;
  const Sx = S + extra;
  const hasAttn = !!attn || s.causal;
  const blocks = attn && s.attn3d ? N * H : kpm ? N : 1;
  const rows = hasAttn ? L : 1;
  const out = rt.f32(ptr, blocks * rows * Sx);
  for (let b = 0; b < blocks; b++) {
    const n = attn && s.attn3d ? Math.floor(b / H) : b;
    for (let i = 0; i < rows; i++) {
      const o = (b * rows + i) * Sx;
      for (let j = 0; j < S; j++) {
        let v = 0;
        if (attn) v += term(attn, ((attn && s.attn3d ? b : 0) * L + i) * S + j);
        else if (s.causal && j > i) v = -Infinity;
        if (kpm) v += term(kpm, n * S + j);
        out[o + j] = v;
      }
      for (let j = S; j < Sx; j++) out[o + j] = 0;
    }
  }
  const blockSize = rows * Sx;
  if (attn && s.attn3d) return { ptr, ld: Sx, nStride: H * blockSize, hStride: blockSize };
  if (kpm) return { ptr, ld: hasAttn ? Sx : 0, nStride: blockSize, hStride: 0 };
  return { ptr, ld: Sx, nStride: 0, hStride: 0 };
}

// bindings/nn/multihead.ts
function useFused(rt, L, S, weights) {
  if (weights) return false;
  return L * S > (rt.variant === "simd" ? 65536 : 4096);
}
var CTOR_OPTIONS2 = ["embedDim", "numHeads", "dropout", "bias", "addBiasKV", "addZeroAttn", "kdim", "vdim", "batchFirst"];
var FORWARD_OPTIONS = ["keyPaddingMask", "attnMask", "needWeights", "averageAttnWeights", "isCausal", "cache"];
var MultiHead = class {
  embedDim;
  numHeads;
  headDim;
  kdim;
  vdim;
  bias;
  addBiasKV;
  addZeroAttn;
  batchFirst;
  rt;
  ws;
  name;
  loaded = false;
  biasKV = null;
  // bias_k, bias_v [E] (addBiasKV)
  linears = /* @__PURE__ */ new Map();
  outputs;
  disposed = false;
  constructor(rt, options, name = "MultiHead") {
    this.name = name;
    checkRuntime(name, rt);
    checkOptions(name, options, CTOR_OPTIONS2);
    if (!options) failType(name, "options { embedDim, numHeads } are required");
    checkDropout(name, options.dropout);
    this.embedDim = checkPositiveInt(name, "embedDim", options.embedDim);
    this.numHeads = checkPositiveInt(name, "numHeads", options.numHeads);
    if (this.embedDim % this.numHeads !== 0) {
      fail(name, `embedDim (${this.embedDim}) must be divisible by numHeads (${this.numHeads})`);
    }
    this.headDim = this.embedDim / this.numHeads;
    this.kdim = options.kdim === void 0 || options.kdim === null ? this.embedDim : checkPositiveInt(name, "kdim", options.kdim);
    this.vdim = options.vdim === void 0 || options.vdim === null ? this.embedDim : checkPositiveInt(name, "vdim", options.vdim);
    this.bias = options.bias === void 0 ? true : checkBoolean(name, "bias", options.bias);
    this.addBiasKV = options.addBiasKV === void 0 ? false : checkBoolean(name, "addBiasKV", options.addBiasKV);
    this.addZeroAttn = options.addZeroAttn === void 0 ? false : checkBoolean(name, "addZeroAttn", options.addZeroAttn);
    this.batchFirst = options.batchFirst === void 0 ? false : checkBoolean(name, "batchFirst", options.batchFirst);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.forward`);
  }
  /** True when q, k and v share one packed [3E, E] in_proj_weight (kdim = vdim = embedDim). */
  get packedInProj() {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }
  /** The parameters this module expects, with PyTorch names and shapes (the packed in_proj_weight when kdim = vdim =
   *  embedDim; loadStateDict also takes q_proj_weight, k_proj_weight, v_proj_weight [E, E] in its place). */
  parameterShapes() {
    const E = this.embedDim;
    const p = this.packedInProj ? [{ name: "in_proj_weight", shape: [3 * E, E] }] : [{ name: "q_proj_weight", shape: [E, E] }, { name: "k_proj_weight", shape: [E, this.kdim] }, { name: "v_proj_weight", shape: [E, this.vdim] }];
    if (this.bias) p.push({ name: "in_proj_bias", shape: [3 * E] });
    p.push({ name: "out_proj.weight", shape: [E, E] });
    if (this.bias) p.push({ name: "out_proj.bias", shape: [E] });
    if (this.addBiasKV) p.push({ name: "bias_k", shape: [1, 1, E] }, { name: "bias_v", shape: [1, 1, E] });
    return p;
  }
  /**
   * Loads nn.MultiheadAttention weights (names as in its state_dict) and packs them once. With kdim = vdim = embedDim
   * the q/k/v projection may be the packed in_proj_weight [3E, E] or the separate q_proj_weight, k_proj_weight,
   * v_proj_weight [E, E] (same results, bit for bit); in_proj_bias [3E] is packed in both layouts, as in PyTorch.
   * options.prefix selects and strips keys ('layers.0.self_attn.'); options.strict (default true) false ignores
   * unexpected keys (every parameter is still required). All or nothing: on any error the module keeps the weights
   * it had.
   */
  loadStateDict(sd, options) {
    const where = `${this.name}.loadStateDict`;
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      const made = /* @__PURE__ */ new Map();
      try {
        this.packAll(w, made);
      } catch (e) {
        for (const l of made.values()) l.dispose();
        throw e;
      }
      const old = { linears: this.linears, biasKV: this.biasKV, loaded: this.loaded };
      this.linears = made;
      this.biasKV = this.addBiasKV ? [w.get("bias_k").slice(), w.get("bias_v").slice()] : null;
      this.loaded = true;
      this.rt.journal.record(() => {
        for (const l of made.values()) l.dispose();
        Object.assign(this, old);
      }, () => {
        for (const l of old.linears.values()) l.dispose();
      });
      return this;
    });
  }
  // Packed projections: 'qkv' (self-attention, one GEMM), 'q', 'kv' (key === value), 'k', 'v', 'out'. With the
  // packed [3E, E] weight and E a multiple of the 8-wide panel, q/k/v/kv are views of the 'qkv' panels.
  packAll(w, made) {
    const E = this.embedDim, rt = this.rt;
    const inBias = this.bias ? w.get("in_proj_bias") : null;
    const rowsOf = { q: [0, 1], kv: [1, 3], k: [1, 2], v: [2, 3] };
    made.set("out", new PackedLinear(rt, w.get("out_proj.weight"), this.bias ? w.get("out_proj.bias") : null, E, E));
    if (this.packedInProj) {
      const W4 = w.get("in_proj_weight");
      const qkv = new PackedLinear(rt, W4, inBias, 3 * E, E);
      made.set("qkv", qkv);
      for (const [name, [r0, r1]] of Object.entries(rowsOf)) {
        made.set(name, qkv.slice(r0 * E, r1 * E) ?? new PackedLinear(rt, W4.subarray(r0 * E * E, r1 * E * E), inBias ? inBias.subarray(r0 * E, r1 * E) : null, (r1 - r0) * E, E));
      }
    } else {
      for (const name of ["q", "k", "v"]) {
        const inF = name === "q" ? E : name === "k" ? this.kdim : this.vdim;
        const [r0, r1] = rowsOf[name];
        made.set(name, new PackedLinear(rt, w.get(`${name}_proj_weight`), inBias ? inBias.subarray(r0 * E, r1 * E) : null, E, inF));
      }
    }
  }
  linear(which) {
    return this.linears.get(which);
  }
  /**
   * Attention of `query` over `key`/`value` (PyTorch argument order and shapes). Inputs: Tensor of this runtime
   * (used in place) or { data: Float32Array, shape }. The returned tensors live in this module's memory until
   * its next forward() or dispose(), and throw when used after that: copy with toArray() to keep them.
   * All or nothing: on any error (bad input, out of memory) the module and every tensor are as before the call.
   */
  forward(query, key, value, options = {}) {
    const where = `${this.name}.forward`;
    this.checkLive(where);
    checkOptions(where, options, FORWARD_OPTIONS);
    if (!this.loaded) fail(where, "no weights loaded: call loadStateDict() first");
    const E = this.embedDim, H = this.numHeads;
    const qs = shapeOf(where, "query", query), ks = shapeOf(where, "key", key), vs = shapeOf(where, "value", value);
    checkTensorInput(this.rt, where, "query", query);
    checkTensorInput(this.rt, where, "key", key);
    checkTensorInput(this.rt, where, "value", value);
    const bf = this.batchFirst;
    expectRank(where, "query", qs, [2, 3], bf ? "(L, E) or (N, L, E) (batchFirst)" : "(L, E) or (L, N, E)");
    const batched = qs.length === 3;
    const spell = (d) => batched ? bf ? `(N, S, ${d})` : `(S, N, ${d})` : `(S, ${d})`;
    if (ks.length !== qs.length) fail(where, `key must be ${spell("kdim")} like query (rank ${qs.length}), got shape ${fmtShape(ks)}`);
    if (vs.length !== qs.length) fail(where, `value must be ${spell("vdim")} like query (rank ${qs.length}), got shape ${fmtShape(vs)}`);
    const dims = (s) => batched ? bf ? [s[0], s[1], s[2]] : [s[1], s[0], s[2]] : [1, s[0], s[1]];
    const [N, L, Eq] = dims(qs), [Nk, S, Ek] = dims(ks), [Nv, Sv, Ev] = dims(vs);
    if (Eq !== E) fail(where, `query must have embedDim = ${E} features (last dim), got shape ${fmtShape(qs)}`);
    if (Ek !== this.kdim) fail(where, `key must have kdim = ${this.kdim} features (last dim), got shape ${fmtShape(ks)}`);
    if (Ev !== this.vdim) fail(where, `value must have vdim = ${this.vdim} features (last dim), got shape ${fmtShape(vs)}`);
    if (Nk !== N || Nv !== N) fail(where, `batch sizes differ: query ${N}, key ${Nk}, value ${Nv} (shapes ${fmtShape(qs)}, ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (Sv !== S) fail(where, `key and value must have the same length, got ${S} and ${Sv} (shapes ${fmtShape(ks)}, ${fmtShape(vs)})`);
    if (N < 1 || L < 1) fail(where, `query must not be empty, got shape ${fmtShape(qs)}`);
    if (S < 1) fail(where, `key and value must not be empty, got shapes ${fmtShape(ks)} and ${fmtShape(vs)}`);
    const cache = readCache(where, options.cache, this, N, S);
    const past = cache ? cache.length : 0;
    const masks = parseMasks(where, options, { batched, N, H, L, S: past + S });
    const needWeights = options.needWeights === void 0 ? true : checkBoolean(where, "needWeights", options.needWeights);
    const average = options.averageAttnWeights === void 0 ? true : checkBoolean(where, "averageAttnWeights", options.averageAttnWeights);
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const q = stage(this.rt, this.ws, where, "query", query, "in.q", own);
      const k = key === query ? q : stage(this.rt, this.ws, where, "key", key, "in.k", own);
      const v = value === key ? k : stage(this.rt, this.ws, where, "value", value, "in.v", own);
      const r = this.run(q, k, v, { N, L, S }, masks, needWeights ? { average } : null, cache);
      const lease = this.outputs.next();
      const outShape = batched ? bf ? [N, L, E] : [L, N, E] : [L, E];
      const output = new Tensor(this.rt, r.out, outShape, false, lease);
      let weights = null;
      if (r.weights) {
        const wShape = average ? [N, L, r.Sx] : [N, H, L, r.Sx];
        weights = new Tensor(this.rt, r.weights, batched ? wShape : wShape.slice(1), false, lease);
      }
      return { output, weights };
    });
  }
  /**
   * A key/value cache for step-by-step decoding: `forward(qNew, kNew, vNew, { cache, isCausal: true })` then takes
   * only the new positions, appends their projected keys and values and attends over every cached position (new
   * query i sits at absolute position cache.length + i). Preallocated: a decode loop allocates nothing.
   */
  createCache(options) {
    const where = `${this.name}.createCache`;
    this.checkLive(where);
    checkOptions(where, options, ["batch", "maxLength"]);
    if (!options) failType(where, "options { batch, maxLength } are required");
    const batch = checkPositiveInt(where, "batch", options.batch);
    const maxLength = checkPositiveInt(where, "maxLength", options.maxLength);
    if (this.addBiasKV || this.addZeroAttn) fail(where, "a cache cannot be used with addBiasKV or addZeroAttn (their extra key comes after all positions)");
    return this.rt.journal.atomic(where, () => new KVCache(this.rt, this, batch, maxLength, this.embedDim));
  }
  /**
   * @internal Every buffer run() writes, allocated before anything is written, so that a failed allocation
   * changes nothing. proj: 'self' (q, k, v one input), 'kv' (key === value), 'separate', or 'query' (keys and
   * values all from the cache: S = 0); past: positions already in the cache (keys attended: past + S).
   */
  reserve(proj, d, masks, weights, past = 0) {
    const ws = this.ws, E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const { N, L, S } = d;
    if (!this.packedInProj && proj !== "separate" && proj !== "query") proj = "separate";
    const extra = (this.addBiasKV ? 1 : 0) + (this.addZeroAttn ? 1 : 0);
    const St = past + S, Sx = St + extra;
    const explicitCausal = masks.isCausal && !masks.attn && extra > 0;
    const maskFloats = maskSize({ N, H, L, S: St, extra, attn: masks.attn, attn3d: masks.attn3d, kpm: masks.kpm, causal: explicitCausal });
    const lin = (which, rows) => this.linear(which).scratchFloats(rows);
    const projScratch = proj === "self" ? lin("qkv", N * L) : proj === "query" ? lin("q", N * L) : Math.max(lin("q", N * L), proj === "kv" ? lin("kv", N * S) : Math.max(lin("k", N * S), lin("v", N * S)));
    const fused = useFused(this.rt, L, Sx, weights);
    const attn = fused ? sdpaFusedScratchFloats(this.rt, L, Sx, hd, hd) : sdpaScratchFloats(this.rt, L, Sx, hd, hd);
    const gemm = Math.max(projScratch, lin("out", N * L), attn);
    return {
      proj,
      Sx,
      explicitCausal,
      gemm: gemm ? ws.get("gemm", gemm) : 0,
      qkv: proj === "self" ? ws.get("qkv", N * L * 3 * E) : 0,
      q: proj === "self" ? 0 : ws.get("q", N * L * E),
      kv: proj === "kv" ? ws.get("kv", N * S * 2 * E) : 0,
      k: proj === "separate" ? ws.get("k", N * S * E) : 0,
      v: proj === "separate" ? ws.get("v", N * S * E) : 0,
      kx: extra ? ws.get("kx", N * Sx * E) : 0,
      vx: extra ? ws.get("vx", N * Sx * E) : 0,
      mask: maskFloats ? ws.get("mask", maskFloats) : 0,
      fused,
      // (with a pool the scores sit in each thread's slot of the attention scratch)
      scores: !fused && !(weights && !weights.average) && !this.rt.pool ? ws.get("heads.scores", L * Sx) : 0,
      weights: weights ? ws.get("weights", N * (weights.average ? 1 : H) * L * Sx) : 0,
      attn: ws.get("attn", N * L * E),
      out: ws.get("out", N * L * E)
    };
  }
  /**
   * @internal The computation on staged operands (layout as the inputs: seq-first or batch-first rows).
   * Returns pointers into this module's workspace: out [N·L, E], weights, and the key count with extras.
   * With a cache, k and v hold the S new positions: their projections are appended to it and the attention runs
   * over every cached position; with reuse, k and v are not read (S = 0): the keys and values are the cache's
   * (cross-attention over a memory projected at the first step). `reserved`: the result of reserve() with the same
   * arguments, when the caller reserved already.
   */
  run(q, k, v, d, masks, weights, cache = null, reuse = false, reserved = null) {
    const rt = this.rt, E = this.embedDim, H = this.numHeads, hd = this.headDim;
    const { N, L, S } = d;
    const bf = this.batchFirst;
    const past = cache ? cache.length : 0;
    const b = reserved ?? this.reserve(reuse ? "query" : q === k && k === v ? "self" : k === v ? "kv" : "separate", d, masks, weights, past);
    const St = past + S, Sx = b.Sx, extra = Sx - St;
    const view2 = (ptr, width, len, col) => headsView(ptr, width, N, len, col, bf, hd);
    let qv, kv, vv;
    if (b.proj === "self") {
      this.linear("qkv").forward(q.ptr, N * L, b.qkv, b.gemm);
      qv = view2(b.qkv, 3 * E, L, 0);
      kv = view2(b.qkv, 3 * E, L, E);
      vv = view2(b.qkv, 3 * E, L, 2 * E);
    } else {
      this.linear("q").forward(q.ptr, N * L, b.q, b.gemm);
      qv = view2(b.q, E, L, 0);
      kv = vv = qv;
      if (b.proj === "query") {
      } else if (b.proj === "kv") {
        this.linear("kv").forward(k.ptr, N * S, b.kv, b.gemm);
        kv = view2(b.kv, 2 * E, S, 0);
        vv = view2(b.kv, 2 * E, S, E);
      } else {
        this.linear("k").forward(k.ptr, N * S, b.k, b.gemm);
        this.linear("v").forward(v.ptr, N * S, b.v, b.gemm);
        kv = view2(b.k, E, S, 0);
        vv = view2(b.v, E, S, 0);
      }
    }
    if (cache) {
      kv = appendToCache(rt, cache.k, kv, N, S, E, past, cache.maxLength);
      vv = appendToCache(rt, cache.v, vv, N, S, E, past, cache.maxLength);
      cache.advance(S);
    }
    if (extra) {
      kv = appendRows(rt, b.kx, kv, N, St, E, extra, this.biasKV ? this.biasKV[0] : null);
      vv = appendRows(rt, b.vx, vv, N, St, E, extra, this.biasKV ? this.biasKV[1] : null);
    }
    const plan = b.mask ? fillMask(rt, b.mask, { N, H, L, S: St, extra, attn: masks.attn, attn3d: masks.attn3d, kpm: masks.kpm, causal: b.explicitCausal }) : null;
    const kernelCausal = masks.isCausal && !masks.attn && !b.explicitCausal;
    const args = {
      N,
      H,
      L,
      S: Sx,
      hd,
      hdv: hd,
      q: qv,
      k: kv,
      v: vv,
      out: view2(b.attn, E, L, 0),
      scale: 1 / Math.sqrt(hd),
      mask: plan,
      causal: kernelCausal,
      causalOffset: past,
      scores: b.scores,
      scratch: b.gemm,
      weights: weights ? { ptr: b.weights, average: weights.average } : null
    };
    if (b.fused) scaledDotProductAttentionFused(rt, args);
    else scaledDotProductAttention(rt, args);
    this.linear("out").forward(b.attn, N * L, b.out, b.gemm);
    return { out: b.out, weights: b.weights, Sx };
  }
  releaseLinears() {
    for (const l of this.linears.values()) l.dispose();
    this.linears.clear();
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  /** Frees packed weights and buffers; outputs of earlier forwards die with them. */
  dispose() {
    if (this.disposed) return;
    this.releaseLinears();
    this.ws.dispose();
    this.outputs.end();
    this.loaded = false;
    this.disposed = true;
  }
  /** `using mha = new MultiHead(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};
function parseMasks(where, o, d, names = { kpm: "keyPaddingMask", attn: "attnMask", causal: "isCausal" }) {
  const { batched, N, H, L, S } = d;
  const kpm = readMask(where, names.kpm, o.keyPaddingMask);
  if (kpm) matchMask(where, names.kpm, kpm, [batched ? [N, S] : [S]]);
  const attn = readMask(where, names.attn, o.attnMask);
  let attn3d = false;
  if (attn) {
    const shape = matchMask(where, names.attn, attn, [[L, S], [batched ? N * H : H, L, S]]);
    attn3d = shape.length === 3 && !(N * H === 1 && !attn.shape);
  }
  const isCausal = o.isCausal === void 0 ? false : checkBoolean(where, names.causal, o.isCausal);
  return { attn, attn3d, kpm, isCausal };
}
function readCache(where, c, owner, N, S) {
  if (c === void 0 || c === null) return null;
  if (!(c instanceof KVCache)) failType(where, `cache must be a KVCache from createCache(), got ${describe(c)}`);
  c.check(where, owner, N, S);
  return c;
}

// bindings/nn/transformer.ts
var CTOR_OPTIONS3 = [
  "dModel",
  "nhead",
  "dimFeedforward",
  "activation",
  "layerNormEps",
  "normFirst",
  "batchFirst",
  "bias",
  "numLayers",
  "norm",
  "kind",
  "dropout"
];
function loadNorm(rt, w, name, eps, bias) {
  return LayerNormParams.load(rt, w.get(`${name}.weight`), bias ? w.get(`${name}.bias`) : null, eps);
}
function normParams(name, E, bias) {
  return bias ? [{ name: `${name}.weight`, shape: [E] }, { name: `${name}.bias`, shape: [E] }] : [{ name: `${name}.weight`, shape: [E] }];
}
var Layer = class {
  constructor(rt, c, name) {
    this.c = c;
    this.rt = rt;
    this.ws = new Workspace(rt);
    const mha = { embedDim: c.E, numHeads: c.H, bias: c.bias, batchFirst: c.batchFirst };
    this.selfAttn = new MultiHead(rt, mha, `${name}.self_attn`);
    this.crossAttn = c.decoder ? new MultiHead(rt, mha, `${name}.multihead_attn`) : null;
  }
  c;
  rt;
  ws;
  selfAttn;
  crossAttn;
  linear1 = null;
  linear2 = null;
  norms = [];
  parameterShapes() {
    const { E, F, bias } = this.c;
    const sub = (prefix, m) => m.parameterShapes().map((p2) => ({ name: `${prefix}.${p2.name}`, shape: p2.shape }));
    const p = [...sub("self_attn", this.selfAttn)];
    if (this.crossAttn) p.push(...sub("multihead_attn", this.crossAttn));
    p.push({ name: "linear1.weight", shape: [F, E] });
    if (bias) p.push({ name: "linear1.bias", shape: [F] });
    p.push({ name: "linear2.weight", shape: [E, F] });
    if (bias) p.push({ name: "linear2.bias", shape: [E] });
    for (let i = 1; i <= (this.crossAttn ? 3 : 2); i++) p.push(...normParams(`norm${i}`, E, bias));
    return p;
  }
  // Inside a journal call: the old weights are freed when the whole call succeeds, restored if it fails.
  load(where, sd) {
    const w = readStateDict(where, sd, this.parameterShapes());
    const { E, F, bias, eps } = this.c;
    const part = (prefix) => new Map([...w].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    this.selfAttn.loadStateDict(part("self_attn."));
    this.crossAttn?.loadStateDict(part("multihead_attn."));
    let l1 = null, l2 = null;
    const norms = [];
    try {
      l1 = new PackedLinear(this.rt, w.get("linear1.weight"), bias ? w.get("linear1.bias") : null, F, E);
      l2 = new PackedLinear(this.rt, w.get("linear2.weight"), bias ? w.get("linear2.bias") : null, E, F);
      for (let i = 1; i <= (this.crossAttn ? 3 : 2); i++) norms.push(loadNorm(this.rt, w, `norm${i}`, eps, bias));
    } catch (e) {
      l1?.dispose();
      l2?.dispose();
      for (const nrm of norms) nrm.dispose();
      throw e;
    }
    const old = { linear1: this.linear1, linear2: this.linear2, norms: this.norms };
    this.linear1 = l1;
    this.linear2 = l2;
    this.norms = norms;
    this.rt.journal.record(() => {
      l1.dispose();
      l2.dispose();
      for (const nrm of norms) nrm.dispose();
      Object.assign(this, old);
    }, () => {
      old.linear1?.dispose();
      old.linear2?.dispose();
      for (const nrm of old.norms) nrm.dispose();
    });
  }
  get loaded() {
    return this.linear1 !== null;
  }
  // Every buffer forward() writes (this layer's and its attention modules'), allocated before anything is written;
  // forward() then runs on exactly these buffers.
  reserve(d, selfMasks, mem, cache = null) {
    const { E, F } = this.c;
    const rows = d.N * d.L, ws = this.ws;
    const reuse = !!cache?.cross && cache.cross.length > 0;
    return {
      x: ws.get("x", rows * E),
      tmp: ws.get("tmp", rows * E),
      ffh: ws.get("ff.h", rows * F),
      ffy: ws.get("ff.y", rows * E),
      gemm: ws.get("gemm", Math.max(this.linear1.scratchFloats(rows), this.linear2.scratchFloats(rows), 1)),
      self: this.selfAttn.reserve("self", { N: d.N, L: d.L, S: d.L }, selfMasks, null, cache ? cache.self.length : 0),
      cross: this.crossAttn && mem ? this.crossAttn.reserve(reuse ? "query" : "kv", { N: d.N, L: d.L, S: reuse ? 0 : mem.S }, mem.masks, null, reuse ? mem.S : 0) : null
    };
  }
  // x: [rows, E] in the input layout -> returns the layer output [rows, E] (this layer's buffer b.x)
  forward(x, d, selfMasks, mem, cache, b) {
    const { E, normFirst } = this.c;
    const rt = this.rt;
    const rows = d.N * d.L, n = rows * E;
    const cur = b.x, tmp = b.tmp;
    const staged = (ptr) => ({ ptr, shape: x.shape });
    const sublayer = (i, block) => {
      const norm = this.norms[i];
      if (normFirst) {
        norm.apply(cur, tmp, rows);
        const y = block(tmp);
        add(rt, n, cur, y, cur);
      } else {
        const y = block(cur);
        add(rt, n, cur, y, tmp);
        norm.apply(tmp, cur, rows);
      }
    };
    copy(rt, n, x.ptr, cur);
    sublayer(0, (inp) => {
      const s = staged(inp);
      return this.selfAttn.run(s, s, s, { N: d.N, L: d.L, S: d.L }, selfMasks, null, cache?.self ?? null, false, b.self).out;
    });
    if (this.crossAttn && mem) {
      const cross = cache?.cross ?? null, reuse = !!cross && cross.length > 0;
      sublayer(1, (inp) => this.crossAttn.run(
        staged(inp),
        mem.st,
        mem.st,
        { N: d.N, L: d.L, S: reuse ? 0 : mem.S },
        mem.masks,
        null,
        cross,
        reuse,
        b.cross
      ).out);
    }
    sublayer(this.crossAttn ? 2 : 1, (inp) => this.feedForward(inp, rows, b));
    return cur;
  }
  // linear2(act(linear1(x))): [rows, E] -> [rows, F] -> [rows, E]
  feedForward(x, rows, b) {
    const { F, act } = this.c;
    this.linear1.forward(x, rows, b.ffh, b.gemm, act === "relu" ? "relu" : "none");
    if (act !== "relu") unary(this.rt, act, rows * F, b.ffh, b.ffh);
    this.linear2.forward(b.ffh, rows, b.ffy, b.gemm);
    return b.ffy;
  }
  release() {
    this.linear1?.dispose();
    this.linear2?.dispose();
    this.linear1 = this.linear2 = null;
    for (const nrm of this.norms) nrm.dispose();
    this.norms = [];
  }
  dispose() {
    this.release();
    this.selfAttn.dispose();
    this.crossAttn?.dispose();
    this.ws.dispose();
  }
};
var Transformer = class {
  dModel;
  nhead;
  dimFeedforward;
  activation;
  layerNormEps;
  normFirst;
  batchFirst;
  bias;
  numLayers;
  norm;
  kind;
  rt;
  ws;
  layers;
  finalNorm = null;
  outputs;
  disposed = false;
  constructor(rt, options) {
    const where = "Transformer";
    checkRuntime(where, rt);
    checkOptions(where, options, CTOR_OPTIONS3);
    if (!options) failType(where, "options { dModel, nhead } are required");
    checkDropout(where, options.dropout);
    this.dModel = checkPositiveInt(where, "dModel", options.dModel);
    this.nhead = checkPositiveInt(where, "nhead", options.nhead);
    if (this.dModel % this.nhead !== 0) fail(where, `dModel (${this.dModel}) must be divisible by nhead (${this.nhead})`);
    this.dimFeedforward = options.dimFeedforward === void 0 ? 2048 : checkPositiveInt(where, "dimFeedforward", options.dimFeedforward);
    this.activation = options.activation === void 0 ? "relu" : checkEnum(where, "activation", options.activation, ["relu", "gelu", "gelu_tanh"]);
    this.layerNormEps = options.layerNormEps === void 0 ? 1e-5 : checkFinite(where, "layerNormEps", options.layerNormEps);
    if (this.layerNormEps < 0) fail(where, `layerNormEps must be >= 0, got ${this.layerNormEps}`);
    this.normFirst = options.normFirst === void 0 ? false : checkBoolean(where, "normFirst", options.normFirst);
    this.batchFirst = options.batchFirst === void 0 ? false : checkBoolean(where, "batchFirst", options.batchFirst);
    this.bias = options.bias === void 0 ? true : checkBoolean(where, "bias", options.bias);
    this.numLayers = options.numLayers === void 0 ? void 0 : checkPositiveInt(where, "numLayers", options.numLayers);
    this.norm = options.norm === void 0 ? false : checkBoolean(where, "norm", options.norm);
    this.kind = options.kind === void 0 ? "encoder" : checkEnum(where, "kind", options.kind, ["encoder", "decoder"]);
    if (this.norm && this.numLayers === void 0) {
      fail(where, "norm: true needs numLayers: the final 'norm.*' LayerNorm belongs to a stack (nn.TransformerEncoder(layer, numLayers, norm)), whose layers are named 'layers.{i}.*'");
    }
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, "Transformer.forward");
    const c = {
      E: this.dModel,
      H: this.nhead,
      F: this.dimFeedforward,
      act: this.activation,
      eps: this.layerNormEps,
      normFirst: this.normFirst,
      bias: this.bias,
      batchFirst: this.batchFirst,
      decoder: this.kind === "decoder"
    };
    const count = this.numLayers ?? 1;
    this.layers = Array.from({ length: count }, (_, i) => new Layer(rt, c, this.numLayers === void 0 ? "Transformer" : `Transformer.layers.${i}`));
  }
  prefix(i) {
    return this.numLayers === void 0 ? "" : `layers.${i}.`;
  }
  /** Every parameter with its PyTorch state-dict name and shape. */
  parameterShapes() {
    const p = [];
    this.layers.forEach((l, i) => p.push(...l.parameterShapes().map((s) => ({ name: this.prefix(i) + s.name, shape: s.shape }))));
    if (this.norm) p.push(...normParams("norm", this.dModel, this.bias));
    return p;
  }
  /**
   * Loads PyTorch names ('self_attn.in_proj_weight', 'linear1.weight', 'norm1.weight', ...; 'layers.{i}.' for stacks).
   * options.prefix selects and strips keys: 'encoder.' / 'decoder.' of an nn.Transformer, 'encoder.layers.0.' for one
   * of its layers. options.strict (default true) false ignores unexpected keys (every parameter is still required).
   * Attention projections may be packed (in_proj_weight) or separate (q_proj_weight, k_proj_weight, v_proj_weight).
   * All or nothing: on any error every layer keeps the weights it had.
   */
  loadStateDict(sd, options) {
    const where = "Transformer.loadStateDict";
    this.checkLive(where);
    const all = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      this.layers.forEach((l, i) => l.load(where, subStateDict(all, this.prefix(i))));
      const norm = this.norm ? loadNorm(this.rt, all, "norm", this.layerNormEps, this.bias) : null;
      const old = this.finalNorm;
      this.finalNorm = norm;
      this.rt.journal.record(() => {
        norm?.dispose();
        this.finalNorm = old;
      }, () => old?.dispose());
      return this;
    });
  }
  forward(x, a, b) {
    const where = "Transformer.forward";
    this.checkLive(where);
    if (!this.layers[0].loaded) fail(where, "no weights loaded: call loadStateDict() first");
    const decoder = this.kind === "decoder";
    if (decoder && (a === void 0 || a === null)) fail(where, "a decoder needs forward(tgt, memory, options)");
    const opts = (decoder ? b : a) ?? {};
    checkOptions(where, opts, decoder ? ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "memoryIsCausal", "cache"] : ["mask", "srcKeyPaddingMask", "isCausal", "cache"]);
    const E = this.dModel, bf = this.batchFirst;
    const xName = decoder ? "tgt" : "src";
    const xs = shapeOf(where, xName, x);
    checkTensorInput(this.rt, where, xName, x);
    expectRank(where, xName, xs, [2, 3], bf ? "(S, E) or (N, S, E) (batchFirst)" : "(S, E) or (S, N, E)");
    const batched = xs.length === 3;
    const dims = (s) => batched ? bf ? [s[0], s[1], s[2]] : [s[1], s[0], s[2]] : [1, s[0], s[1]];
    const [N, L, Ex] = dims(xs);
    if (Ex !== E) fail(where, `${xName} must have dModel = ${E} features (last dim), got shape ${fmtShape(xs)}`);
    if (L < 1 || N < 1) fail(where, `empty ${xName}: shape ${fmtShape(xs)}`);
    const H = this.nhead;
    const cache = this.readCache(where, opts.cache, N, L);
    const past = cache ? cache.length : 0;
    let selfMasks, mem = null;
    if (decoder) {
      const o = opts;
      const ms = shapeOf(where, "memory", a);
      if (ms.length !== xs.length) fail(where, `memory must have the rank of tgt (${xs.length}), got shape ${fmtShape(ms)}`);
      const [Nm, S, Em] = dims(ms);
      if (Em !== E) fail(where, `memory must have dModel = ${E} features (last dim), got shape ${fmtShape(ms)}`);
      if (Nm !== N) fail(where, `memory batch size ${Nm} differs from tgt batch size ${N}`);
      if (S < 1) fail(where, `memory must not be empty, got shape ${fmtShape(ms)}`);
      const cross = cache?.layers[0].cross;
      if (cross && cross.length > 0 && cross.length !== S) {
        fail(where, `memory has ${S} positions but the cache holds the projection of a memory of ${cross.length} (reset() the cache for a new sequence)`);
      }
      selfMasks = parseMasks(
        where,
        { keyPaddingMask: o.tgtKeyPaddingMask, attnMask: o.tgtMask, isCausal: o.tgtIsCausal },
        { batched, N, H, L, S: past + L },
        { kpm: "tgtKeyPaddingMask", attn: "tgtMask", causal: "tgtIsCausal" }
      );
      const memMasks = parseMasks(
        where,
        { keyPaddingMask: o.memoryKeyPaddingMask, attnMask: o.memoryMask, isCausal: o.memoryIsCausal },
        { batched, N, H, L, S },
        { kpm: "memoryKeyPaddingMask", attn: "memoryMask", causal: "memoryIsCausal" }
      );
      checkTensorInput(this.rt, where, "memory", a);
      mem = { st: { ptr: 0, shape: ms }, S, masks: memMasks };
    } else {
      const o = opts;
      selfMasks = parseMasks(
        where,
        { keyPaddingMask: o.srcKeyPaddingMask, attnMask: o.mask, isCausal: o.isCausal },
        { batched, N, H, L, S: past + L },
        { kpm: "srcKeyPaddingMask", attn: "mask", causal: "isCausal" }
      );
    }
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      let cur = stage(this.rt, this.ws, where, xName, x, "in.x", own);
      if (mem) mem.st = stage(this.rt, this.ws, where, "memory", a, "in.memory", own);
      if (cache && mem) this.layers.forEach((layer, i) => this.crossCacheFor(cache.layers[i], layer, N, mem.S));
      const buffers = this.layers.map((layer, i) => layer.reserve({ N, L }, selfMasks, mem, cache ? cache.layers[i] : null));
      const y = this.finalNorm ? this.ws.get("out", N * L * E) : 0;
      this.layers.forEach((layer, i) => {
        cur = { ptr: layer.forward(cur, { N, L }, selfMasks, mem, cache ? cache.layers[i] : null, buffers[i]), shape: xs };
      });
      if (this.finalNorm) {
        this.finalNorm.apply(cur.ptr, y, N * L);
        cur = { ptr: y, shape: xs };
      }
      return new Tensor(this.rt, cur.ptr, xs, false, this.outputs.next());
    });
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  /**
   * Caches for step-by-step decoding: `forward(xNew, { cache, isCausal: true })` (decoder: `forward(tgtNew, memory,
   * { cache, tgtIsCausal: true })`) takes only the new positions, appends every layer's new keys and values and
   * attends over all cached positions. A decoder projects `memory` for cross-attention once per sequence (at the
   * first step after createCache() or reset()). Preallocated to maxLength: a decode loop allocates nothing.
   */
  createCache(options) {
    const where = "Transformer.createCache";
    this.checkLive(where);
    checkOptions(where, options, ["batch", "maxLength"]);
    if (!options) failType(where, "options { batch, maxLength } are required");
    const batch = checkPositiveInt(where, "batch", options.batch);
    const maxLength = checkPositiveInt(where, "maxLength", options.maxLength);
    return this.rt.journal.atomic(where, () => {
      const made = [];
      try {
        for (const l of this.layers) made.push({ self: l.selfAttn.createCache({ batch, maxLength }), cross: null });
      } catch (e) {
        for (const m of made) m.self.dispose();
        throw e;
      }
      return new TransformerCache(this, batch, maxLength, made);
    });
  }
  readCache(where, c, N, L) {
    if (c === void 0 || c === null) return null;
    if (!(c instanceof TransformerCache)) failType(where, `cache must be a TransformerCache from createCache(), got ${describe(c)}`);
    if (c.owner !== this) fail(where, "cache was made by another module (use this module's createCache())");
    if (c.disposed) fail(where, "cache is disposed");
    c.layers[0].self.check(where, this.layers[0].selfAttn, N, L);
    return c;
  }
  // A layer's cross cache with room for a memory of S positions (made, or grown, inside the journal call).
  crossCacheFor(lc, layer, N, S) {
    if (lc.cross && lc.cross.length > 0) return;
    if (lc.cross && lc.cross.maxLength >= S) return;
    const old = lc.cross, fresh = layer.crossAttn.createCache({ batch: N, maxLength: S });
    lc.cross = fresh;
    this.rt.journal.record(() => {
      fresh.dispose();
      lc.cross = old;
    }, () => old?.dispose());
  }
  /** Frees weights and buffers; outputs of earlier forwards die with them. */
  dispose() {
    if (this.disposed) return;
    for (const l of this.layers) l.dispose();
    this.finalNorm?.dispose();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
  /** `using enc = new Transformer(...)`: calls dispose() at the end of the scope. */
  [DISPOSE]() {
    this.dispose();
  }
};

// bindings/viz/heatmap.ts
var W = "attentionHeatmapSVG";
var OPTIONS = ["rowLabels", "colLabels", "title", "domain", "cellSize", "digits", "showValues", "fontFamily"];
var DEFAULT_FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans', 'Microsoft YaHei', 'Noto Sans CJK JP', 'Yu Gothic', 'Meiryo', 'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif";
var RAMP = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37]
];
var NAN_FILL = "#bdbdbd";
var CHAR_W = 0.6;
function isWide(cp) {
  return cp >= 4352 && cp <= 4447 || cp >= 11904 && cp <= 12350 || cp >= 12353 && cp <= 13311 || cp >= 13312 && cp <= 19903 || cp >= 19968 && cp <= 40959 || cp >= 40960 && cp <= 42191 || cp >= 44032 && cp <= 55203 || cp >= 63744 && cp <= 64255 || cp >= 65072 && cp <= 65103 || cp >= 65280 && cp <= 65376 || cp >= 65504 && cp <= 65510 || cp >= 127744 && cp <= 129791 || cp >= 131072 && cp <= 262141;
}
function textWidth(s) {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)) ? 1 : CHAR_W;
  return w;
}
function colorBarTicks(lo, hi) {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new RangeError(`colorBarTicks: lo and hi must be finite, got ${lo}, ${hi}`);
  if (!(hi > lo)) return [lo];
  const e0 = Math.floor(Math.log10(hi - lo)) - 2;
  let fallback = null;
  for (let e = e0; e <= e0 + 4; e++) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** e;
      const k0 = Math.ceil(lo / step - 1e-9), k1 = Math.floor(hi / step + 1e-9), n = k1 - k0 + 1;
      if (n > 6 || n < 3) continue;
      if (m === 2.5) {
        fallback ??= [k0, k1, step];
        continue;
      }
      return ticksOf(k0, k1, step);
    }
  }
  return fallback ? ticksOf(...fallback) : [lo, hi];
}
function ticksOf(k0, k1, step) {
  const ticks = [];
  for (let k = k0; k <= k1; k++) ticks.push(Number((k * step).toPrecision(12)) + 0);
  return ticks;
}
function fmtTick(v) {
  return String(Number(v.toPrecision(12)));
}
function hex2(v) {
  return Math.round(v).toString(16).padStart(2, "0");
}
function viridis(t) {
  if (typeof t !== "number" || Number.isNaN(t)) throw new TypeError(`viridis: t must be a number in [0, 1], got ${describe(t)}`);
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]];
  return `#${hex2(a[0] + (b[0] - a[0]) * f)}${hex2(a[1] + (b[1] - a[1]) * f)}${hex2(a[2] + (b[2] - a[2]) * f)}`;
}
function escapeXml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
}
function px(v) {
  return String(Math.round(v * 100) / 100);
}
function fmtValue(v, digits) {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}
function isArrayLike(v) {
  return v !== null && typeof v === "object" && typeof v.length === "number";
}
function toMatrix(weights) {
  if (Array.isArray(weights)) {
    const rows = weights.length;
    const cols = rows ? weights[0]?.length : 0;
    weights.forEach((row, r) => {
      if (!isArrayLike(row)) {
        throw new TypeError(`${W}: weights[${r}] is not an array of numbers, got ${describe(row)}`);
      }
      if (row.length !== cols) {
        throw new RangeError(`${W}: weights must be rectangular; row 0 has ${cols} values, row ${r} has ${row.length}`);
      }
    });
    check(rows, cols);
    return { rows, cols, at: (r, c) => Number(weights[r][c]) };
  }
  if (weights && typeof weights === "object" && "shape" in weights && "data" in weights) {
    if (weights.disposed === true) throw new TypeError(`${W}: weights is a Tensor that is no longer valid (disposed)`);
    if (!Array.isArray(weights.shape)) throw new TypeError(`${W}: weights.shape must be an array [rows, cols], got ${describe(weights.shape)}`);
    const shape = [...weights.shape];
    if (shape.length !== 2) {
      throw new RangeError(`${W}: weights has the wrong rank: expected a 2-D matrix [rows, cols], got shape [${shape.join(", ")}]` + (shape.length > 2 ? " (select one batch/head first)" : ""));
    }
    const [rows, cols] = shape;
    const data = weights.data;
    if (!isArrayLike(data)) throw new TypeError(`${W}: weights.data must be an array or typed array of numbers, got ${describe(data)}`);
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`${W}: weights.shape [${rows}, ${cols}] must hold non-negative integers`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(`${W}: weights shape [${rows}, ${cols}] needs ${rows * cols} values, data has ${data.length}`);
    }
    check(rows, cols);
    return { rows, cols, at: (r, c) => data[r * cols + c] };
  }
  throw new TypeError(`${W}: weights must be {data, shape: [rows, cols]} or an array of rows, got ${describe(weights)}`);
}
function check(rows, cols) {
  if (!(rows >= 1 && cols >= 1)) throw new RangeError(`${W}: weights matrix is empty (${rows} x ${cols})`);
}
function labels(given, n, what) {
  if (given === void 0) return Array.from({ length: n }, (_, i) => String(i));
  if (!Array.isArray(given)) throw new TypeError(`${W}: ${what} must be an array of labels, got ${describe(given)}`);
  if (given.length !== n) throw new RangeError(`${W}: ${what} has ${given.length} labels but the matrix has ${n} ${what === "rowLabels" ? "rows" : "columns"}`);
  return given.map(String);
}
function attentionHeatmapSVG(weights, options = {}) {
  checkOptions(W, options, OPTIONS);
  const { rows, cols, at } = toMatrix(weights);
  const rowLabels = labels(options.rowLabels, rows, "rowLabels");
  const colLabels = labels(options.colLabels, cols, "colLabels");
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new RangeError(`${W}: digits must be an integer in 1..21, got ${describe(digits)}`);
  if (options.title !== void 0 && typeof options.title !== "string") throw new TypeError(`${W}: title must be a string, got ${describe(options.title)}`);
  if (options.showValues !== void 0 && typeof options.showValues !== "boolean") {
    throw new TypeError(`${W}: showValues must be a boolean, got ${describe(options.showValues)}`);
  }
  if (options.fontFamily !== void 0 && (typeof options.fontFamily !== "string" || !options.fontFamily.trim())) {
    throw new TypeError(`${W}: fontFamily must be a non-empty string (a CSS font-family list), got ${describe(options.fontFamily)}`);
  }
  const FONT = `font-family="${escapeXml(options.fontFamily ?? DEFAULT_FONT_FAMILY).replace(/&apos;/g, "'")}"`;
  let lo = 0;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = at(r, c);
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (hi === -Infinity) hi = 0;
  if (options.domain !== void 0) {
    if (!Array.isArray(options.domain) || options.domain.length !== 2) {
      throw new TypeError(`${W}: domain must be [lo, hi], got ${describe(options.domain)}`);
    }
    [lo, hi] = options.domain;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new RangeError(`${W}: domain must be finite [lo, hi] with lo <= hi, got [${lo}, ${hi}]`);
    }
  }
  const span = hi - lo;
  const norm = (v) => span > 0 ? (v - lo) / span : v > lo ? 1 : 0;
  const cell = options.cellSize ?? Math.max(4, Math.min(28, Math.floor(640 / Math.max(rows, cols))));
  if (typeof cell !== "number" || !(cell > 0 && cell < Infinity)) throw new RangeError(`${W}: cellSize must be a positive finite number, got ${describe(cell)}`);
  const font = Math.max(6, Math.min(12, cell * 0.8));
  const drawLabels = cell >= 6;
  const pad = 8;
  const maxLen = (ls) => ls.reduce((m, s) => Math.max(m, textWidth(s)), 0);
  const rowLabelW = drawLabels ? maxLen(rowLabels) * font + 6 : 0;
  const colTextW = maxLen(colLabels) * font;
  const rotate = colTextW > cell - 2;
  const colLabelH = drawLabels ? (rotate ? colTextW : font) + 6 : 0;
  const titleH = options.title ? 22 : 0;
  const gridX = pad + rowLabelW;
  const gridY = pad + titleH + colLabelH;
  const gridW = cols * cell;
  const gridH = rows * cell;
  const legendX = gridX + gridW + 16;
  const legendW = 12;
  const legendH = Math.max(gridH, 60);
  const yOf = (v) => gridY + legendH * (1 - norm(v));
  const ticks = colorBarTicks(lo, hi).map((v) => ({ y: yOf(v), text: fmtTick(v) }));
  const ends = [{ y: gridY, text: fmtValue(hi, digits), baseline: "hanging" }, { y: gridY + legendH, text: fmtValue(lo, digits), baseline: "auto" }].filter((e, i) => !(i === 1 && span === 0) && ticks.every((t) => t.text !== e.text && Math.abs(t.y - e.y) >= 12));
  const legendTextW = Math.max(...ticks.map((t) => textWidth(t.text)), ...ends.map((e) => textWidth(e.text))) * 10;
  const width = Math.max(
    legendX + legendW + 6 + legendTextW + pad,
    options.title ? textWidth(options.title) * 14 + 2 * pad : 0
  );
  const height = gridY + legendH + pad;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}">`);
  out.push('<defs><linearGradient id="wasm-attention-viridis" x1="0" y1="1" x2="0" y2="0">');
  RAMP.forEach((_, i) => out.push(`<stop offset="${i / (RAMP.length - 1)}" stop-color="${viridis(i / (RAMP.length - 1))}"/>`));
  out.push("</linearGradient></defs>");
  if (options.title) {
    out.push(`<text x="${px(width / 2)}" y="${pad + 14}" text-anchor="middle" ${FONT} font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  }
  if (drawLabels) {
    out.push(`<g ${FONT} font-size="${px(font)}" fill="#222">`);
    rowLabels.forEach((l, r) => out.push(
      `<text x="${px(gridX - 4)}" y="${px(gridY + (r + 0.5) * cell)}" text-anchor="end" dominant-baseline="central">${escapeXml(l)}</text>`
    ));
    colLabels.forEach((l, c) => {
      const x = gridX + (c + 0.5) * cell;
      const y = gridY - 4;
      out.push(rotate ? `<text x="${px(x)}" y="${px(y)}" transform="rotate(-90 ${px(x)} ${px(y)})" dominant-baseline="central">${escapeXml(l)}</text>` : `<text x="${px(x)}" y="${px(y)}" text-anchor="middle">${escapeXml(l)}</text>`);
    });
    out.push("</g>");
  }
  out.push('<g shape-rendering="crispEdges">');
  const valueFont = px(Math.max(6, Math.min(11, cell * 0.32)));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = at(r, c);
      const t = norm(v);
      const fill2 = Number.isNaN(v) ? NAN_FILL : viridis(t);
      const x = gridX + c * cell;
      const y = gridY + r * cell;
      const value = fmtValue(v, digits);
      out.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(cell)}" height="${px(cell)}" fill="${fill2}"><title>query ${escapeXml(rowLabels[r])} / key ${escapeXml(colLabels[c])}: ${value}</title></rect>`);
      if (options.showValues) {
        out.push(`<text x="${px(x + cell / 2)}" y="${px(y + cell / 2)}" text-anchor="middle" dominant-baseline="central" ${FONT} font-size="${valueFont}" fill="${t > 0.6 && !Number.isNaN(v) ? "#000" : "#fff"}" pointer-events="none">${value}</text>`);
      }
    }
  }
  out.push("</g>");
  out.push(`<rect x="${px(legendX)}" y="${px(gridY)}" width="${legendW}" height="${px(legendH)}" fill="url(#wasm-attention-viridis)" stroke="#444" stroke-width="0.5"/>`);
  out.push(`<g class="colorbar-ticks" stroke="#444" stroke-width="1">`);
  for (const t of ticks) out.push(`<line x1="${px(legendX + legendW)}" y1="${px(t.y)}" x2="${px(legendX + legendW + 3)}" y2="${px(t.y)}"/>`);
  out.push("</g>");
  out.push(`<g ${FONT} font-size="10" fill="#222">`);
  for (const t of ticks) {
    out.push(`<text class="colorbar-tick" x="${px(legendX + legendW + 5)}" y="${px(t.y)}" dominant-baseline="central">${t.text}</text>`);
  }
  for (const e of ends) {
    out.push(`<text class="colorbar-end" x="${px(legendX + legendW + 5)}" y="${px(e.y)}"${e.baseline === "hanging" ? ' dominant-baseline="hanging"' : ""}>${e.text}</text>`);
  }
  out.push("</g>");
  out.push("</svg>");
  return out.join("\n");
}

// bindings/ops/seq2seq.ts
function gatherRows(rt, table, cols, ids, dst, ldd = cols) {
  const n = ids.length;
  if (n === 0) return;
  const out = rt.f32(dst, (n - 1) * ldd + cols);
  for (let i = 0; i < n; i++) out.set(rt.f32(table + ids[i] * cols * 4, cols), i * ldd);
}
function copyRows(rt, rows, cols, src, lds, dst, ldd) {
  if (rows <= 0 || cols <= 0) return;
  const s = rt.f32(src, (rows - 1) * lds + cols), d = rt.f32(dst, (rows - 1) * ldd + cols);
  for (let r = 0; r < rows; r++) d.set(s.subarray(r * lds, r * lds + cols), r * ldd);
}
function transposeBatched(rt, batch, rows, cols, src, dst) {
  const n = batch * rows * cols;
  const s = rt.f32(src, n), d = rt.f32(dst, n);
  for (let b = 0; b < batch; b++) {
    const o = b * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[o + c * rows + r] = s[o + r * cols + c];
  }
}
function addRowVector(rt, rows, cols, y, v, every) {
  const yy = rt.f32(y, rows * cols), vv = rt.f32(v, Math.ceil(rows / every) * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols, p = Math.floor(r / every) * cols;
    for (let c = 0; c < cols; c++) yy[o + c] += vv[p + c];
  }
}
function elu(rt, n, x, y) {
  const xx = rt.f32(x, n), yy = rt.f32(y, n);
  for (let i = 0; i < n; i++) {
    const v = xx[i];
    yy[i] = v > 0 ? v : Math.expm1(v);
  }
}
function featurePool(rt, batch, n, d, p, x, out, w) {
  const pp = rt.f32(p, batch * d * n), xx = rt.f32(x, batch * n * d), oo = rt.f32(out, batch * d), ww = rt.f32(w, batch * n * d);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      const pr = (b * d + k) * n;
      for (let t = 0; t < n; t++) {
        const v = pp[pr + t];
        ww[(b * n + t) * d + k] = v;
        s += v * xx[(b * n + t) * d + k];
      }
      oo[b * d + k] = s;
    }
  }
}
function gramPenalty(rt, batch, r, g, penalty) {
  const gg = rt.f32(g, batch * r * r), out = rt.f32(penalty, batch);
  for (let b = 0; b < batch; b++) {
    let s = 0;
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) {
      const v = gg[(b * r + i) * r + j] - (i === j ? 1 : 0);
      s += v * v;
    }
    out[b] = s;
  }
}
function zero(rt, n, ptr) {
  if (n > 0) rt.f32(ptr, n).fill(0);
}

// bindings/nn/multidim.ts
function lensPerRow(where, vl, B, rowsPerBatch, cols, name = "validLens") {
  if (vl === void 0 || vl === null) return null;
  if (typeof vl !== "object" || typeof vl.length !== "number") {
    failType(where, `${name} must be an array of ${B} lengths (shape [B]), got ${describe(vl)}`);
  }
  const a = vl;
  if (a.length !== B) fail(where, `${name} must have shape [B] = [${B}], got ${a.length} values`);
  const lens = new Int32Array(B * rowsPerBatch);
  for (let b = 0; b < B; b++) {
    const len = a[b];
    if (typeof len !== "number" || !(len >= 0)) fail(where, `${name} values must be non-negative numbers, got ${describe(len)}`);
    lens.fill(Math.min(Math.ceil(len), cols), b * rowsPerBatch, (b + 1) * rowsPerBatch);
  }
  return lens;
}
var StructuredSelfAttention = class {
  inputSize;
  attentionSize;
  hops;
  bias;
  rt;
  ws;
  outputs;
  W1 = null;
  w2 = 0;
  // W_s2 [r, da] row-major, unpacked: the A operand of the batched GEMM (shared by all batches)
  disposed = false;
  constructor(rt, options) {
    const where = "StructuredSelfAttention";
    checkRuntime(where, rt);
    checkOptions(where, options, ["inputSize", "attentionSize", "hops", "bias"]);
    if (!options) failType(where, "options { inputSize, attentionSize, hops } are required");
    this.inputSize = checkPositiveInt(where, "inputSize", options.inputSize);
    this.attentionSize = checkPositiveInt(where, "attentionSize", options.attentionSize);
    this.hops = checkPositiveInt(where, "hops", options.hops);
    this.bias = options.bias === void 0 ? false : checkBoolean(where, "bias", options.bias);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
  }
  /** W_s1.weight [d_a, d], W_s2.weight [r, d_a] (+ W_s1.bias [d_a], W_s2.bias [r] with bias). */
  parameterShapes() {
    const d = this.inputSize, da = this.attentionSize, r = this.hops;
    const p = [{ name: "W_s1.weight", shape: [da, d] }, { name: "W_s2.weight", shape: [r, da] }];
    if (this.bias) p.push({ name: "W_s1.bias", shape: [da] }, { name: "W_s2.bias", shape: [r] });
    return p;
  }
  /** All or nothing. W_s2.bias adds a constant to each row of scores, which the softmax over positions cancels: it is
   *  read (and shape-checked) but changes nothing. */
  loadStateDict(sd, options) {
    const where = "StructuredSelfAttention.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      let W1 = null, w2 = 0;
      try {
        W1 = new PackedLinear(this.rt, w.get("W_s1.weight"), this.bias ? w.get("W_s1.bias") : null, this.attentionSize, this.inputSize);
        w2 = this.rt.alloc(this.hops * this.attentionSize * 4);
        upload(this.rt, w2, w.get("W_s2.weight"));
      } catch (e) {
        W1?.dispose();
        if (w2) this.rt.free(w2);
        throw e;
      }
      this.release();
      this.W1 = W1;
      this.w2 = w2;
      return this;
    });
  }
  /** H [B, n, d] -> { output M [B, r, d], weights A [B, r, n], penalty [B] }; valid until the next forward(). */
  forward(H, options = {}) {
    const where = "StructuredSelfAttention.forward";
    this.checkLive(where);
    checkOptions(where, options, ["validLens"]);
    if (!this.W1) fail(where, "no weights loaded: call loadStateDict() first");
    const hs = shapeOf(where, "H", H);
    checkTensorInput(this.rt, where, "H", H);
    expectRank(where, "H", hs, [3], "(B, n, inputSize)");
    const [B, n, d] = hs;
    if (d !== this.inputSize) fail(where, `H must have inputSize = ${this.inputSize} features, got shape ${fmtShape(hs)}`);
    if (B < 1 || n < 1) fail(where, `H must not be empty, got shape ${fmtShape(hs)}`);
    const r = this.hops, da = this.attentionSize;
    const lensIn = lensPerRow(where, options.validLens, B, r, n);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws;
      const h = stage(rt, ws, where, "H", H, "in.h", this.outputs.lease);
      const u = ws.get("u", B * n * da);
      const A = ws.get("weights", B * r * n);
      const M = ws.get("out", B * r * d);
      const gram = ws.get("gram", B * r * r);
      const pen = ws.get("penalty", B);
      const lens = lensIn ? ws.get("lens", B * r) : 0;
      const scratch = ws.get("gemm", Math.max(
        1,
        this.W1.scratchFloats(B * n),
        gemmScratchFloats(rt, r, n, da),
        gemmScratchFloats(rt, r, d, n),
        gemmScratchFloats(rt, r, r, n)
      ));
      if (lensIn) uploadI32(rt, lens, lensIn);
      this.W1.forward(h.ptr, B * n, u, scratch);
      unary(rt, "tanh", B * n * da, u, u);
      gemmBatched(rt, {
        batch: B,
        m: r,
        n,
        k: da,
        a: this.w2,
        lda: da,
        sa: 0,
        b: u,
        ldb: da,
        sb: n * da,
        transposeB: true,
        c: A,
        ldc: n,
        sc: r * n,
        scratch
      });
      softmaxRows(rt, { rows: B * r, cols: n, x: A, ldx: n, y: A, ldy: n, lens });
      gemmBatched(rt, { batch: B, m: r, n: d, k: n, a: A, lda: n, sa: r * n, b: h.ptr, ldb: d, sb: n * d, c: M, ldc: d, sc: r * d, scratch });
      gemmBatched(rt, {
        batch: B,
        m: r,
        n: r,
        k: n,
        a: A,
        lda: n,
        sa: r * n,
        b: A,
        ldb: n,
        sb: r * n,
        transposeB: true,
        c: gram,
        ldc: r,
        sc: r * r,
        scratch
      });
      gramPenalty(rt, B, r, gram, pen);
      const lease = this.outputs.next();
      return {
        output: new Tensor(rt, M, [B, r, d], false, lease),
        weights: new Tensor(rt, A, [B, r, n], false, lease),
        penalty: new Tensor(rt, pen, [B], false, lease)
      };
    });
  }
  release() {
    this.W1?.dispose();
    this.W1 = null;
    if (this.w2) {
      this.rt.free(this.w2);
      this.w2 = 0;
    }
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  dispose() {
    if (this.disposed) return;
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
};
var MultiDimensionalAttention = class {
  inputSize;
  hiddenSize;
  querySize;
  activation;
  rt;
  ws;
  outputs;
  W1 = null;
  W2 = null;
  W = null;
  disposed = false;
  constructor(rt, options) {
    const where = "MultiDimensionalAttention";
    checkRuntime(where, rt);
    checkOptions(where, options, ["inputSize", "hiddenSize", "querySize", "activation", "dropout"]);
    if (!options) failType(where, "options { inputSize } are required");
    checkDropout(where, options.dropout);
    this.inputSize = checkPositiveInt(where, "inputSize", options.inputSize);
    this.hiddenSize = options.hiddenSize === void 0 ? this.inputSize : checkPositiveInt(where, "hiddenSize", options.hiddenSize);
    this.querySize = options.querySize === void 0 || options.querySize === null ? null : checkPositiveInt(where, "querySize", options.querySize);
    this.activation = options.activation === void 0 ? "elu" : checkEnum(where, "activation", options.activation, ["elu", "tanh", "relu"]);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
  }
  /** W1.weight [h, d], W1.bias [h], (W2.weight [h, q] with a query), W.weight [d, h], W.bias [d]. */
  parameterShapes() {
    const d = this.inputSize, h = this.hiddenSize;
    const p = [{ name: "W1.weight", shape: [h, d] }, { name: "W1.bias", shape: [h] }];
    if (this.querySize !== null) p.push({ name: "W2.weight", shape: [h, this.querySize] });
    p.push({ name: "W.weight", shape: [d, h] }, { name: "W.bias", shape: [d] });
    return p;
  }
  loadStateDict(sd, options) {
    const where = "MultiDimensionalAttention.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    return this.rt.journal.atomic(where, () => {
      const made = [];
      let W1 = null, W22 = null, W4 = null;
      try {
        W1 = new PackedLinear(this.rt, w.get("W1.weight"), w.get("W1.bias"), this.hiddenSize, this.inputSize);
        made.push(W1);
        if (this.querySize !== null) {
          W22 = new PackedLinear(this.rt, w.get("W2.weight"), null, this.hiddenSize, this.querySize);
          made.push(W22);
        }
        W4 = new PackedLinear(this.rt, w.get("W.weight"), w.get("W.bias"), this.inputSize, this.hiddenSize);
        made.push(W4);
      } catch (e) {
        made.forEach((l) => l.dispose());
        throw e;
      }
      this.release();
      this.W1 = W1;
      this.W2 = W22;
      this.W = W4;
      return this;
    });
  }
  /** x [B, n, d] (+ query [B, q] when querySize) -> { output s [B, d], weights P [B, n, d] }. */
  forward(x, options = {}) {
    const where = "MultiDimensionalAttention.forward";
    this.checkLive(where);
    checkOptions(where, options, ["query", "validLens"]);
    if (!this.W) fail(where, "no weights loaded: call loadStateDict() first");
    const xs = shapeOf(where, "x", x);
    checkTensorInput(this.rt, where, "x", x);
    expectRank(where, "x", xs, [3], "(B, n, inputSize)");
    const [B, n, d] = xs;
    if (d !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features, got shape ${fmtShape(xs)}`);
    if (B < 1 || n < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const q = options.query ?? null;
    if (this.querySize !== null && q === null) fail(where, `query [B, ${this.querySize}] is required (the module was made with querySize)`);
    if (this.querySize === null && q !== null) fail(where, "query given, but the module was made without querySize");
    if (q !== null) {
      const qs = shapeOf(where, "query", q);
      checkTensorInput(this.rt, where, "query", q);
      if (qs.length !== 2 || qs[0] !== B || qs[1] !== this.querySize) fail(where, `query must be [B, querySize] = [${B}, ${this.querySize}], got shape ${fmtShape(qs)}`);
    }
    const lensIn = lensPerRow(where, options.validLens, B, d, n);
    const h = this.hiddenSize;
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, own = this.outputs.lease;
      const xin = stage(rt, ws, where, "x", x, "in.x", own);
      const qin = q !== null ? stage(rt, ws, where, "query", q, "in.q", own) : null;
      const pre = ws.get("pre", B * n * h);
      const qp = qin ? ws.get("qp", B * h) : 0;
      const scores = ws.get("scores", B * n * d);
      const P = ws.get("p", B * d * n);
      const out = ws.get("out", B * d);
      const weights = ws.get("weights", B * n * d);
      const lens = lensIn ? ws.get("lens", B * d) : 0;
      const scratch = ws.get("gemm", Math.max(1, this.W1.scratchFloats(B * n), this.W.scratchFloats(B * n), this.W2?.scratchFloats(B) ?? 0));
      if (lensIn) uploadI32(rt, lens, lensIn);
      this.W1.forward(xin.ptr, B * n, pre, scratch);
      if (qin) {
        this.W2.forward(qin.ptr, B, qp, scratch);
        addRowVector(rt, B * n, h, pre, qp, n);
      }
      if (this.activation === "elu") elu(rt, B * n * h, pre, pre);
      else unary(rt, this.activation, B * n * h, pre, pre);
      this.W.forward(pre, B * n, scores, scratch);
      transposeBatched(rt, B, n, d, scores, P);
      softmaxRows(rt, { rows: B * d, cols: n, x: P, ldx: n, y: P, ldy: n, lens });
      featurePool(rt, B, n, d, P, xin.ptr, out, weights);
      const lease = this.outputs.next();
      return { output: new Tensor(rt, out, [B, d], false, lease), weights: new Tensor(rt, weights, [B, n, d], false, lease) };
    });
  }
  release() {
    this.W1?.dispose();
    this.W2?.dispose();
    this.W?.dispose();
    this.W1 = this.W2 = this.W = null;
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  dispose() {
    if (this.disposed) return;
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
};

// bindings/ops/rnn.ts
var gateCount = (mode) => mode === "GRU" ? 3 : 4;
var PANEL2 = 8;
var PackedRecurrent = class {
  hidden;
  gates;
  mode;
  rt;
  packed = 0;
  bias = 0;
  /** Packs `weight` W_hh [G·H, H] and copies `bias` b_hh [G·H] (or none). Allocates nothing on failure. */
  constructor(rt, mode, weight, bias, hidden) {
    const where = "PackedRecurrent";
    this.hidden = checkPositiveInt(where, "hidden", hidden);
    this.mode = mode;
    const G = this.gates = gateCount(mode);
    const H = hidden;
    checkLength(where, "weight", weight.length, G * H * H, `gates*hidden*hidden = ${G}*${H}*${H}`);
    if (bias) checkLength(where, "bias", bias.length, G * H, `gates*hidden = ${G}*${H}`);
    this.rt = rt;
    const H8 = Math.ceil(H / PANEL2) * PANEL2;
    const wr = new Float32Array(G * H8 * H);
    for (let g = 0; g < H8 / PANEL2; g++) {
      for (let q = 0; q < G; q++) {
        for (let u = 0; u < PANEL2 && PANEL2 * g + u < H; u++) {
          const src = (q * H + PANEL2 * g + u) * H, dst = ((g * G + q) * PANEL2 + u) * H;
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
  scratchFloats(batch) {
    return slotted(this.rt, this.rt.exports.rnn_step_scratch_size_f32(batch, this.hidden, this.gates));
  }
  // One step over hidden units [c0, c1) (args(c0, c1)), split over the pool by blocks of 8 units when it is big enough.
  step(fn, batch, args) {
    this.live();
    const H = this.hidden, per = this.rt.exports.rnn_step_scratch_size_f32(batch, H, this.gates);
    const job = parallel(this.rt, batch * this.gates * H * H, MIN_GEMM_MACS, slotFloats(per) * 4);
    if (job === null) {
      this.rt.exports[fn](...args(0, H));
      return;
    }
    const scratchArg = fn === "gru_step_f32" ? 12 : 16;
    const cs = ranges(H, threadSlots(this.rt), PANEL2);
    for (let i = 0; i + 1 < cs.length; i++) job.task().call(fn, args(cs[i], cs[i + 1]), per > 0 ? 1 << scratchArg : 0);
    job.run(this.rt.journal.where);
  }
  live() {
    if (this.packed === 0) fail("PackedRecurrent", "used after dispose()");
  }
  /** GRU: hout[batch, H] (ldo) from gi [batch, 3H] (ldgi, b_ih included) and h [batch, H] (ldh). hout must not
   *  overlap h. scratch: scratchFloats(batch). */
  gru(batch, gi, ldgi, h, ldh, hout, ldo, scratch) {
    const H = this.hidden;
    this.step("gru_step_f32", batch, (c0, c1) => [batch, H, c0, c1, gi, ldgi, h, ldh, this.packed, hout, ldo, this.bias, scratch]);
  }
  /** LSTM: hout, cout [batch, H] from gi [batch, 4H], h, c. hout must not overlap h; cout may be c. */
  lstm(batch, gi, ldgi, h, ldh, c, ldc, hout, ldo, cout, ldco, scratch) {
    const H = this.hidden;
    this.step("lstm_step_f32", batch, (c0, c1) => [
      batch,
      H,
      c0,
      c1,
      gi,
      ldgi,
      h,
      ldh,
      c,
      ldc,
      this.packed,
      hout,
      ldo,
      cout,
      ldco,
      this.bias,
      scratch
    ]);
  }
  /** Frees the packed weight and bias (idempotent). */
  dispose() {
    if (this.packed !== 0) this.rt.free(this.packed);
    if (this.bias !== 0) this.rt.free(this.bias);
    this.packed = 0;
    this.bias = 0;
  }
};
function copyRows2(rt, rows, cols, src, lds, dst, ldd) {
  if (lds === cols && ldd === cols) {
    rt.f32(dst, rows * cols).set(rt.f32(src, rows * cols));
    return;
  }
  const all = rt.f32(0, rt.memory.buffer.byteLength >> 2);
  const s0 = src >> 2, d0 = dst >> 2;
  for (let r = 0; r < rows; r++) all.copyWithin(d0 + r * ldd, s0 + r * lds, s0 + r * lds + cols);
}

// bindings/nn/rnn.ts
var CTOR_OPTIONS4 = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional"];
var RNNBase = class {
  mode;
  inputSize;
  hiddenSize;
  numLayers;
  bias;
  batchFirst;
  bidirectional;
  /** Directions: 2 when bidirectional, else 1. */
  numDirections;
  rt;
  ws;
  name;
  loaded = false;
  /** Per layer: the input projection of every direction stacked ([D·G·H, in]: one GEMM). */
  inProj = [];
  /** Per layer and direction (index l·D + d): W_hh and b_hh. */
  rec = [];
  outputs;
  stepOutputs;
  disposed = false;
  flip = false;
  // which of the two step buffers the last step() wrote
  constructor(rt, mode, options, name, extra = []) {
    this.name = name;
    checkRuntime(name, rt);
    checkOptions(name, options, [...CTOR_OPTIONS4, ...extra]);
    if (!options) failType(name, "options { inputSize, hiddenSize } are required");
    checkDropout(name, options.dropout);
    this.mode = mode;
    this.inputSize = checkPositiveInt(name, "inputSize", options.inputSize);
    this.hiddenSize = checkPositiveInt(name, "hiddenSize", options.hiddenSize);
    this.numLayers = options.numLayers === void 0 ? 1 : checkPositiveInt(name, "numLayers", options.numLayers);
    this.bias = options.bias === void 0 ? true : checkBoolean(name, "bias", options.bias);
    this.batchFirst = options.batchFirst === void 0 ? false : checkBoolean(name, "batchFirst", options.batchFirst);
    this.bidirectional = options.bidirectional === void 0 ? false : checkBoolean(name, "bidirectional", options.bidirectional);
    this.numDirections = this.bidirectional ? 2 : 1;
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.forward`);
    this.stepOutputs = new Outputs(rt, `${name}.step`);
  }
  /** Gate blocks: 3 (GRU) or 4 (LSTM). */
  get gates() {
    return gateCount(this.mode);
  }
  /** The parameters this module expects, with PyTorch names and shapes, in PyTorch's state_dict order. */
  parameterShapes() {
    const G = this.gates, H = this.hiddenSize, p = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? this.inputSize : this.numDirections * H;
      for (const sfx of this.bidirectional ? ["", "_reverse"] : [""]) {
        p.push({ name: `weight_ih_l${l}${sfx}`, shape: [G * H, inF] }, { name: `weight_hh_l${l}${sfx}`, shape: [G * H, H] });
        if (this.bias) p.push({ name: `bias_ih_l${l}${sfx}`, shape: [G * H] }, { name: `bias_hh_l${l}${sfx}`, shape: [G * H] });
      }
    }
    return p;
  }
  /** Loads torch.nn.GRU / LSTM weights (state_dict names) and packs them once. All or nothing. */
  loadStateDict(sd) {
    const where = `${this.name}.loadStateDict`;
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes());
    return this.rt.journal.atomic(where, () => {
      const G = this.gates, H = this.hiddenSize, D = this.numDirections;
      const inProj = [], rec = [];
      try {
        for (let l = 0; l < this.numLayers; l++) {
          const inF = l === 0 ? this.inputSize : D * H;
          const sfx = this.bidirectional ? ["", "_reverse"] : [""];
          const wih = new Float32Array(D * G * H * inF);
          const bih = this.bias ? new Float32Array(D * G * H) : null;
          sfx.forEach((s, d) => {
            wih.set(w.get(`weight_ih_l${l}${s}`), d * G * H * inF);
            if (bih) bih.set(w.get(`bias_ih_l${l}${s}`), d * G * H);
          });
          inProj.push(new PackedLinear(this.rt, wih, bih, D * G * H, inF));
          for (const s of sfx) {
            rec.push(new PackedRecurrent(
              this.rt,
              this.mode,
              w.get(`weight_hh_l${l}${s}`),
              this.bias ? w.get(`bias_hh_l${l}${s}`) : null,
              H
            ));
          }
        }
      } catch (e) {
        for (const x of [...inProj, ...rec]) x.dispose();
        throw e;
      }
      const old = { inProj: this.inProj, rec: this.rec, loaded: this.loaded };
      this.inProj = inProj;
      this.rec = rec;
      this.loaded = true;
      this.rt.journal.record(() => {
        for (const x of [...inProj, ...rec]) x.dispose();
        Object.assign(this, old);
      }, () => {
        for (const x of [...old.inProj, ...old.rec]) x.dispose();
      });
      return this;
    });
  }
  /** Checks the input sequence; returns its dims. */
  readInput(where, input) {
    const s = shapeOf(where, "input", input);
    checkTensorInput(this.rt, where, "input", input);
    const bf = this.batchFirst;
    expectRank(where, "input", s, [2, 3], bf ? "(L, inputSize) or (N, L, inputSize) (batchFirst)" : "(L, inputSize) or (L, N, inputSize)");
    const batched = s.length === 3;
    const T = batched ? bf ? s[1] : s[0] : s[0];
    const N = batched ? bf ? s[0] : s[1] : 1;
    if (s[s.length - 1] !== this.inputSize) fail(where, `input must have inputSize = ${this.inputSize} features (last dim), got shape ${fmtShape(s)}`);
    if (T < 1 || N < 1) fail(where, `input must not be empty, got shape ${fmtShape(s)}`);
    return { T, N, batched };
  }
  /** Checks a state tensor of `layers` layers: [layers, N, H] (or [layers, H] unbatched). */
  checkState(where, name, x, layers, d, spelled) {
    const s = shapeOf(where, name, x);
    checkTensorInput(this.rt, where, name, x);
    const want = d.batched ? [layers, d.N, this.hiddenSize] : [layers, this.hiddenSize];
    if (s.length !== want.length || s.some((v, i) => v !== want[i])) {
      fail(where, `${name} must be ${spelled} = ${fmtShape(want)} for input ${d.batched ? `batch ${d.N}` : "(unbatched)"}, got shape ${fmtShape(s)}`);
    }
  }
  /** The whole-sequence computation; h0/c0 staged (or null = zeros). Returns pointers in the workspace. */
  run(x, d, h0, c0) {
    const rt = this.rt, ws = this.ws, G = this.gates, H = this.hiddenSize, D = this.numDirections, Lnum = this.numLayers;
    const lstm = this.mode === "LSTM";
    const { T, N } = d;
    const rows = T * N, DH = D * H, bf = this.batchFirst && d.batched;
    let gemm = 0;
    for (const p of this.inProj) gemm = Math.max(gemm, p.scratchFloats(rows));
    gemm = Math.max(gemm, this.rec[0].scratchFloats(N));
    const b = {
      gemm: gemm ? ws.get("gemm", gemm) : 0,
      gi: ws.get("gi", rows * D * G * H),
      y: [Lnum > 1 ? ws.get("y.a", rows * DH) : 0, Lnum > 2 ? ws.get("y.b", rows * DH) : 0],
      out: ws.get("out", rows * DH),
      hn: ws.get("hn", D * Lnum * N * H),
      cn: lstm ? ws.get("cn", D * Lnum * N * H) : 0,
      zero: h0 ? 0 : ws.get("zero", N * H)
    };
    if (b.zero) fill(rt, N * H, b.zero, 0);
    const rowOf = (t) => bf ? t : t * N;
    const rs = bf ? T : 1;
    let xin = x.ptr, inF = this.inputSize;
    for (let l = 0; l < Lnum; l++) {
      const out = l === Lnum - 1 ? b.out : b.y[l % 2];
      this.inProj[l].forward(xin, rows, b.gi, b.gemm);
      const ldgi = rs * D * G * H, ldo = rs * DH;
      for (let dir = 0; dir < D; dir++) {
        const k = l * D + dir, rec = this.rec[k];
        const hInit = h0 ? h0.ptr + k * N * H * 4 : b.zero;
        const c = lstm ? b.cn + k * N * H * 4 : 0;
        if (lstm) {
          if (c0) copyRows2(rt, 1, N * H, c0.ptr + k * N * H * 4, N * H, c, N * H);
          else fill(rt, N * H, c, 0);
        }
        let hp = hInit, ldh = H;
        for (let s = 0; s < T; s++) {
          const t = dir === 0 ? s : T - 1 - s;
          const gi = b.gi + (rowOf(t) * D * G * H + dir * G * H) * 4;
          const ho = out + (rowOf(t) * DH + dir * H) * 4;
          if (lstm) rec.lstm(N, gi, ldgi, hp, ldh, c, H, ho, ldo, c, H, b.gemm);
          else rec.gru(N, gi, ldgi, hp, ldh, ho, ldo, b.gemm);
          hp = ho;
          ldh = ldo;
        }
        copyRows2(rt, N, H, hp, ldh, b.hn + k * N * H * 4, H);
      }
      xin = out;
      inF = DH;
    }
    void inF;
    return { out: b.out, hn: b.hn, cn: b.cn };
  }
  /** One timestep of every layer (unidirectional stacks): x [N, inputSize], h/c [numLayers, N, H] or null (zeros). */
  runStep(where, x, h, c) {
    const rt = this.rt, ws = this.ws, G = this.gates, H = this.hiddenSize, Lnum = this.numLayers;
    const lstm = this.mode === "LSTM";
    const xs = shapeOf(where, "x", x);
    checkTensorInput(rt, where, "x", x);
    expectRank(where, "x", xs, [1, 2], "(inputSize) or (N, inputSize)");
    const batched = xs.length === 2;
    const N = batched ? xs[0] : 1;
    if (xs[xs.length - 1] !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features (last dim), got shape ${fmtShape(xs)}`);
    if (N < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const spelled = batched ? "(numLayers, N, H)" : "(numLayers, H)";
    if (h) this.checkState(where, lstm ? "state[0] (h)" : "h", h, Lnum, { N, batched }, spelled);
    if (c) this.checkState(where, "state[1] (c)", c, Lnum, { N, batched }, spelled);
    const hx = h ? stage(rt, ws, where, "h", h, "st.in.h") : null;
    const cx = c ? stage(rt, ws, where, "c", c, "st.in.c") : null;
    const xi = stage(rt, ws, where, "x", x, "st.in.x");
    const LNH = Lnum * N * H;
    let gemm = 0;
    for (const p of this.inProj) gemm = Math.max(gemm, p.scratchFloats(N));
    gemm = Math.max(gemm, this.rec[0].scratchFloats(N));
    const bufs = {
      gemm: gemm ? ws.get("st.gemm", gemm) : 0,
      gi: ws.get("st.gi", N * G * H),
      h: [ws.get("st.h0", LNH), ws.get("st.h1", LNH)],
      c: lstm ? [ws.get("st.c0", LNH), ws.get("st.c1", LNH)] : [0, 0],
      zero: h && (!lstm || c) ? 0 : ws.get("st.zero", N * H)
    };
    if (bufs.zero) fill(rt, N * H, bufs.zero, 0);
    const overlaps = (p, q) => p !== void 0 && p < q + LNH * 4 && q < p + LNH * 4;
    let i = this.flip ? 0 : 1;
    if (overlaps(hx?.ptr, bufs.h[i]) || overlaps(cx?.ptr, bufs.c[i]) || lstm && overlaps(hx?.ptr, bufs.c[i])) i = 1 - i;
    const ho = bufs.h[i], co = bufs.c[i];
    let xin = xi.ptr;
    for (let l = 0; l < Lnum; l++) {
      const off = l * N * H * 4;
      this.inProj[l].forward(xin, N, bufs.gi, bufs.gemm);
      const hp = hx ? hx.ptr + off : bufs.zero;
      if (lstm) this.rec[l].lstm(N, bufs.gi, G * H, hp, H, cx ? cx.ptr + off : bufs.zero, H, ho + off, H, co + off, H, bufs.gemm);
      else this.rec[l].gru(N, bufs.gi, G * H, hp, H, ho + off, H, bufs.gemm);
      xin = ho + off;
    }
    const flipped = i === 0;
    rt.journal.record(null, () => {
      this.flip = flipped;
    });
    return { h: ho, c: co, N, batched, top: ho + (Lnum - 1) * N * H * 4 };
  }
  ready(where) {
    this.checkLive(where);
    if (!this.loaded) fail(where, "no weights loaded: call loadStateDict() first");
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  /** Frees packed weights and buffers; outputs of earlier calls die with them (idempotent). */
  dispose() {
    if (this.disposed) return;
    for (const x of [...this.inProj, ...this.rec]) x.dispose();
    this.inProj = [];
    this.rec = [];
    this.ws.dispose();
    this.outputs.end();
    this.stepOutputs.end();
    this.loaded = false;
    this.disposed = true;
  }
  /** Tensors of a forward's results. */
  forwardTensors(r, d) {
    const { T, N, batched } = d, H = this.hiddenSize, DH = this.numDirections * H, DL = this.numDirections * this.numLayers;
    const lease = this.outputs.next();
    const outShape = batched ? this.batchFirst ? [N, T, DH] : [T, N, DH] : [T, DH];
    const hShape = batched ? [DL, N, H] : [DL, H];
    return {
      output: new Tensor(this.rt, r.out, outShape, false, lease),
      hN: new Tensor(this.rt, r.hn, hShape, false, lease),
      cN: r.cn ? new Tensor(this.rt, r.cn, hShape, false, lease) : null
    };
  }
  stepTensors(r) {
    const H = this.hiddenSize, L = this.numLayers;
    const lease = this.stepOutputs.next();
    const shape = r.batched ? [L, r.N, H] : [L, H];
    return {
      output: new Tensor(this.rt, r.top, r.batched ? [r.N, H] : [H], false, lease),
      h: new Tensor(this.rt, r.h, shape, false, lease),
      c: r.c ? new Tensor(this.rt, r.c, shape, false, lease) : null
    };
  }
  checkStepUsable(where) {
    if (this.bidirectional) fail(where, "step() runs one timestep of a unidirectional stack; this module is bidirectional (use forward())");
  }
};
var GRU = class extends RNNBase {
  constructor(rt, options, name = "GRU") {
    super(rt, "GRU", options, name);
  }
  /**
   * The whole sequence, as torch.nn.GRU(input, h0) returns it. input: [L, N, inputSize] ([N, L, inputSize]
   * batchFirst, [L, inputSize] unbatched); h0: [D·numLayers, N, H] ([D·numLayers, H] unbatched), default zeros.
   * Outputs live in this module's memory until its next forward() or dispose() (copy with toArray() to keep).
   */
  forward(input, h0 = null) {
    const where = `${this.name}.forward`;
    this.ready(where);
    const d = this.readInput(where, input);
    const DL = this.numDirections * this.numLayers;
    if (h0 !== null && h0 !== void 0) this.checkState(where, "h0", h0, DL, d, d.batched ? "(D\xB7numLayers, N, H)" : "(D\xB7numLayers, H)");
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const x = stage(this.rt, this.ws, where, "input", input, "in.x", own);
      const h = h0 ? stage(this.rt, this.ws, where, "h0", h0, "in.h0", own) : null;
      const { output, hN } = this.forwardTensors(this.run(x, d, h, null), d);
      return { output, hN };
    });
  }
  /**
   * One timestep of every layer (unidirectional stacks only): x [N, inputSize] (or [inputSize]), h [numLayers, N, H]
   * (or [numLayers, H]; default zeros). Returns the new hidden state of every layer and the top layer's (a view),
   * in this module's memory until its next step() or dispose(); pass `h` straight back to the next step() (read in
   * place, no copy). Equals forward() over the same inputs, step by step. No allocation once the shapes are seen.
   */
  step(x, h = null) {
    const where = `${this.name}.step`;
    this.ready(where);
    this.checkStepUsable(where);
    return this.rt.journal.atomic(where, () => {
      const r = this.runStep(where, x, h ?? null, null);
      const { output, h: hT } = this.stepTensors(r);
      return { output, h: hT };
    });
  }
};
var LSTM = class extends RNNBase {
  constructor(rt, options, name = "LSTM") {
    super(rt, "LSTM", options, name, ["projSize"]);
    if (options.projSize !== void 0 && checkNonNegativeInt(name, "projSize", options.projSize) !== 0) {
      fail(name, `projSize (proj_size) is not supported, got ${describe(options.projSize)}; use 0`);
    }
  }
  /** forward(input, [h0, c0]?) as torch.nn.LSTM: output, and (h_n, c_n) as hN, cN. Shapes and lifetimes as GRU. */
  forward(input, state = null) {
    const where = `${this.name}.forward`;
    this.ready(where);
    const d = this.readInput(where, input);
    const DL = this.numDirections * this.numLayers;
    const [h0, c0] = readPair(where, state, "[h0, c0]");
    const spelled = d.batched ? "(D\xB7numLayers, N, H)" : "(D\xB7numLayers, H)";
    if (h0) this.checkState(where, "h0", h0, DL, d, spelled);
    if (c0) this.checkState(where, "c0", c0, DL, d, spelled);
    return this.rt.journal.atomic(where, () => {
      const own = this.outputs.lease;
      const x = stage(this.rt, this.ws, where, "input", input, "in.x", own);
      const h = h0 ? stage(this.rt, this.ws, where, "h0", h0, "in.h0", own) : null;
      const c = c0 ? stage(this.rt, this.ws, where, "c0", c0, "in.c0", own) : null;
      const t = this.forwardTensors(this.run(x, d, h, c), d);
      return { output: t.output, hN: t.hN, cN: t.cN };
    });
  }
  /** One timestep of every layer: x [N, inputSize], state [h, c] each [numLayers, N, H] (default zeros). Returns
   *  output (top layer's h, a view), h and c; lifetimes and reuse as GRU.step. */
  step(x, state = null) {
    const where = `${this.name}.step`;
    this.ready(where);
    this.checkStepUsable(where);
    const [h, c] = readPair(where, state, "[h, c]");
    return this.rt.journal.atomic(where, () => {
      const r = this.runStep(where, x, h, c);
      const t = this.stepTensors(r);
      return { output: t.output, h: t.h, c: t.c };
    });
  }
};
function readPair(where, s, spelled) {
  if (s === void 0 || s === null) return [null, null];
  if (!Array.isArray(s) || s.length !== 2) failType(where, `state must be ${spelled} (an array of two tensors) or null, got ${describe(s)}`);
  return [s[0], s[1]];
}

// bindings/io/tfjs_graph.ts
var W2 = "tfjsGraph";
var TfjsWeights = class {
  constructor(tensors) {
    this.tensors = tensors;
  }
  tensors;
  get names() {
    return [...this.tensors.keys()];
  }
  has(name) {
    return this.tensors.has(name);
  }
  /** The tensor `name`; throws naming close matches when absent. */
  get(name) {
    const t = this.tensors.get(name);
    if (!t) {
      const tail = name.split("/").pop();
      const near = this.names.filter((n) => n.endsWith(`/${tail}`) || n === tail).slice(0, 5);
      fail(W2, `no weight named "${name}"${near.length ? ` (weights ending in "${tail}": ${near.join(", ")})` : ""}`);
    }
    return t;
  }
  /** A float32 weight's values and shape (int32 weights are converted; bool and string are refused). */
  float(name) {
    const t = this.get(name);
    if (t.data instanceof Float32Array) return { data: t.data, shape: t.shape };
    if (t.data instanceof Int32Array) return { data: Float32Array.from(t.data), shape: t.shape };
    return failType(W2, `weight "${name}" has dtype ${t.dtype}, not a number type`);
  }
  /** A scalar (or one-element) numeric weight. */
  scalar(name) {
    const t = this.get(name);
    if (!(t.data instanceof Float32Array || t.data instanceof Int32Array) || t.data.length !== 1) {
      fail(W2, `weight "${name}" is not a numeric scalar (dtype ${t.dtype}, shape ${fmtShape(t.shape)})`);
    }
    return t.data[0];
  }
};
var ELEMENT_BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };
function parseTfjsModelJson(json) {
  let obj = json;
  if (typeof json === "string" || json instanceof Uint8Array || json instanceof ArrayBuffer) {
    const text = typeof json === "string" ? json : new TextDecoder().decode(json);
    try {
      obj = JSON.parse(text);
    } catch (e) {
      fail(W2, `model.json is not valid JSON: ${e.message}`);
    }
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) failType(W2, `model.json must be an object, got ${describe(obj)}`);
  const m = obj;
  if (!Array.isArray(m.weightsManifest)) fail(W2, 'model.json has no "weightsManifest" list');
  const seen = /* @__PURE__ */ new Set();
  m.weightsManifest.forEach((g, gi) => {
    const at = `weightsManifest[${gi}]`;
    if (g === null || typeof g !== "object") fail(W2, `${at} must be an object { paths, weights }, got ${describe(g)}`);
    const grp = g;
    if (!Array.isArray(grp.paths) || !grp.paths.every((p) => typeof p === "string")) fail(W2, `${at}.paths must be a list of file names`);
    if (!Array.isArray(grp.weights)) fail(W2, `${at}.weights must be a list`);
    grp.weights.forEach((w, wi) => {
      const wat = `${at}.weights[${wi}]`;
      if (w === null || typeof w !== "object") fail(W2, `${wat} must be an object { name, shape, dtype }, got ${describe(w)}`);
      const s = w;
      if (typeof s.name !== "string") fail(W2, `${wat}.name must be a string`);
      const who = `${wat} ("${s.name}")`;
      if (seen.has(s.name)) fail(W2, `${who}: the name appears twice in the manifest`);
      seen.add(s.name);
      if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        fail(W2, `${who}.shape must be a list of non-negative integers, got ${JSON.stringify(s.shape)}`);
      }
      if (typeof s.dtype !== "string" || !["float32", "int32", "bool", "string", "complex64"].includes(s.dtype)) {
        fail(W2, `${who}.dtype must be float32, int32, bool, string or complex64, got ${JSON.stringify(s.dtype)}`);
      }
      if (s.quantization !== void 0) {
        const q = s.quantization;
        if (q === null || typeof q !== "object") fail(W2, `${who}.quantization must be an object`);
        if (!["uint8", "uint16", "float16"].includes(q.dtype)) {
          fail(W2, `${who}.quantization.dtype must be uint8, uint16 or float16, got ${JSON.stringify(q.dtype)}`);
        }
        if (q.dtype === "float16") {
          if (s.dtype !== "float32") fail(W2, `${who}: float16 quantization needs dtype float32, got ${s.dtype}`);
        } else {
          if (s.dtype !== "float32" && s.dtype !== "int32") fail(W2, `${who}: ${q.dtype} quantization needs dtype float32 or int32, got ${s.dtype}`);
          if (typeof q.scale !== "number" || typeof q.min !== "number" || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
            fail(W2, `${who}: ${q.dtype} quantization needs finite numbers "scale" and "min"`);
          }
        }
      }
    });
  });
  return m;
}
function storedBytes(s) {
  if (s.dtype === "string") return null;
  const n = s.shape.reduce((a, b) => a * b, 1);
  return n * ELEMENT_BYTES[s.quantization ? s.quantization.dtype : s.dtype];
}
function halfToFloat(h) {
  const s = h & 32768 ? -1 : 1, e = h >> 10 & 31, f = h & 1023;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
function asBytes2(where, b) {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return failType(W2, `${where} must be bytes (Uint8Array or ArrayBuffer), got ${describe(b)}`);
}
function decodeTfjsWeights(model, shards) {
  const m = parseTfjsModelJson(model);
  if (!Array.isArray(shards)) failType(W2, `shards must be a list (one entry per manifest group), got ${describe(shards)}`);
  if (shards.length !== m.weightsManifest.length) {
    fail(W2, `shards has ${shards.length} groups but the manifest has ${m.weightsManifest.length}`);
  }
  const out = /* @__PURE__ */ new Map();
  m.weightsManifest.forEach((g, gi) => {
    const parts = shards[gi];
    const list = Array.isArray(parts) ? parts.map((p, i) => asBytes2(`shards[${gi}][${i}]`, p)) : [asBytes2(`shards[${gi}]`, parts)];
    if (Array.isArray(parts) && parts.length !== g.paths.length) {
      fail(W2, `group ${gi} lists ${g.paths.length} shard files (${g.paths.join(", ")}) but ${parts.length} were given`);
    }
    const total = list.reduce((a, b) => a + b.length, 0);
    const buf = list.length === 1 ? list[0] : new Uint8Array(total);
    if (list.length > 1) {
      let o = 0;
      for (const p of list) {
        buf.set(p, o);
        o += p.length;
      }
    }
    let off = 0;
    for (const s of g.weights) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      let bytes = storedBytes(s);
      if (bytes === null) {
        const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        const vals = [];
        let o = off;
        for (let i = 0; i < n; i++) {
          if (o + 4 > total) fail(W2, `weight "${s.name}" (string ${fmtShape(s.shape)}) runs past the end of group ${gi}'s shards (${total} bytes)`);
          const len = dv.getUint32(o, true);
          if (o + 4 + len > total) fail(W2, `weight "${s.name}" (string ${fmtShape(s.shape)}) runs past the end of group ${gi}'s shards (${total} bytes)`);
          vals.push(new TextDecoder().decode(buf.subarray(o + 4, o + 4 + len)));
          o += 4 + len;
        }
        bytes = o - off;
        out.set(s.name, { name: s.name, shape: s.shape.slice(), dtype: "string", data: vals });
        off += bytes;
        continue;
      }
      if (off + bytes > total) {
        fail(W2, `weight "${s.name}" (${s.quantization ? `${s.quantization.dtype}-quantized ` : ""}${s.dtype} ${fmtShape(s.shape)}, ${bytes} bytes at offset ${off}) runs past the end of group ${gi}'s shards (${total} bytes: ${g.paths.join(", ")})`);
      }
      if (s.dtype === "complex64") fail(W2, `weight "${s.name}": complex64 weights are not supported`);
      const raw = buf.slice(off, off + bytes);
      const rb = raw.buffer;
      let t;
      const q = s.quantization;
      if (q) {
        const qv = q.dtype === "uint8" ? raw : new Uint16Array(rb, 0, n);
        if (q.dtype === "float16") {
          const f = new Float32Array(n);
          for (let i = 0; i < n; i++) f[i] = halfToFloat(qv[i]);
          t = { name: s.name, shape: s.shape.slice(), dtype: "float32", data: f, quantized: "float16" };
        } else if (s.dtype === "int32") {
          const v = new Int32Array(n);
          for (let i = 0; i < n; i++) v[i] = Math.round(qv[i] * q.scale + q.min);
          t = { name: s.name, shape: s.shape.slice(), dtype: "int32", data: v, quantized: q.dtype };
        } else {
          const f = new Float32Array(n);
          for (let i = 0; i < n; i++) f[i] = qv[i] * q.scale + q.min;
          t = { name: s.name, shape: s.shape.slice(), dtype: "float32", data: f, quantized: q.dtype };
        }
      } else if (s.dtype === "float32") {
        t = { name: s.name, shape: s.shape.slice(), dtype: "float32", data: new Float32Array(rb, 0, n) };
      } else if (s.dtype === "int32") {
        t = { name: s.name, shape: s.shape.slice(), dtype: "int32", data: new Int32Array(rb, 0, n) };
      } else {
        const v = new Uint8Array(n);
        for (let i = 0; i < n; i++) v[i] = raw[i] ? 1 : 0;
        t = { name: s.name, shape: s.shape.slice(), dtype: "bool", data: v };
      }
      out.set(s.name, t);
      off += bytes;
    }
    if (off !== total) {
      fail(W2, `group ${gi}'s shards hold ${total} bytes but its ${g.weights.length} weights take ${off} (${g.paths.join(", ")}): wrong or truncated files?`);
    }
  });
  return new TfjsWeights(out);
}
async function loadTfjsGraphWeights(read, modelJsonPath = "model.json") {
  if (typeof read !== "function") failType(W2, `read must be a function (path) => bytes, got ${describe(read)}`);
  const model = parseTfjsModelJson(asBytes2(modelJsonPath, await read(modelJsonPath)));
  const dir = modelJsonPath.includes("/") ? modelJsonPath.slice(0, modelJsonPath.lastIndexOf("/") + 1) : "";
  const shards = await Promise.all(model.weightsManifest.map((g) => Promise.all(g.paths.map(async (p) => asBytes2(p, await read(dir + p))))));
  return { model, weights: decodeTfjsWeights(model, shards) };
}
function tfjsStateDict(weights, entries, options = {}) {
  const out = /* @__PURE__ */ new Map();
  const prefix = options.prefix ?? "", outPrefix = options.outPrefix ?? "";
  for (const [ours, ref] of Object.entries(entries)) {
    const r = typeof ref === "string" ? { name: ref } : ref;
    const w = weights.float(prefix + r.name);
    if (!r.transpose) {
      out.set(outPrefix + ours, { data: w.data, shape: w.shape.slice() });
      continue;
    }
    const dims = w.shape.slice();
    while (dims.length > 2 && dims[0] === 1) dims.shift();
    if (dims.length !== 2) fail(W2, `weight "${prefix + r.name}" of shape ${fmtShape(w.shape)} is not a 2-D kernel (transpose asked for ${ours})`);
    const [inF, outF] = dims;
    const t = new Float32Array(inF * outF);
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) t[o * inF + i] = w.data[i * outF + o];
    out.set(outPrefix + ours, { data: t, shape: [outF, inF] });
  }
  return out;
}

// bindings/models/use_lite.ts
var W3 = "UniversalSentenceEncoderLite";
var USE_LITE = { vocabSize: 8002, embedDim: 256, dModel: 512, heads: 4, ffn: 1536, maxLength: 128, layerNormEps: 1e-6, outputDim: 512 };
var K = "module_apply_default/Encoder_en/KonaTransformer/";
var ENC = `${K}Encode/`;
var STACK = `${K}Encode/TransformerStack/`;
var USE_LITE_WEIGHTS = {
  embeddings: "module/Embeddings_en",
  timescales: `${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`,
  hiddenWeight: "module/Encoder_en/hidden_layers/tanh_layer_0/weights",
  hiddenBias: "module/Encoder_en/hidden_layers/tanh_layer_0/bias",
  layerNormEps: `${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`,
  /** The query scale of layer i (`MultiheadAttention/mul/y`). */
  queryScale: (i) => `${STACK}Layer_${i}/TransformerLayer/MultiheadAttention/mul/y`,
  /** Layer i's parameters: tfjs names relative to the layer (see layerEntries). */
  layer: (i) => ({
    norm1: `${ENC}Layer_${i}/TransformerLayer/layer_prepostprocess/layer_norm/layer_norm_`,
    qkvKernel: `module/Encoder_en/KonaTransformer/Encode/Layer_${i}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`,
    qkvBias: `${ENC}Layer_${i}/TransformerLayer/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`,
    outKernel: `module/Encoder_en/KonaTransformer/Encode/Layer_${i}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`,
    outBias: `${ENC}Layer_${i}/TransformerLayer/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`,
    norm2: `${ENC}Layer_${i}/TransformerLayer/FFN/layer_prepostprocess/layer_norm/layer_norm_`,
    conv1Kernel: `${STACK}Layer_${i}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`,
    conv1Bias: `${ENC}Layer_${i}/TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat`,
    conv2Kernel: `${STACK}Layer_${i}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`,
    conv2Bias: `${ENC}Layer_${i}/TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat`
  }),
  /** Layer 0's residual projection 256 -> 512 (AdjustResidualInput/dense). */
  residualKernel: `${ENC}Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`,
  residualBias: `${ENC}Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`
};
function useLiteLayerEntries(i) {
  const n = USE_LITE_WEIGHTS.layer(i);
  return {
    "self_attn.in_proj_weight": { name: n.qkvKernel, transpose: true },
    "self_attn.in_proj_bias": n.qkvBias,
    "self_attn.out_proj.weight": { name: n.outKernel, transpose: true },
    "self_attn.out_proj.bias": n.outBias,
    "linear1.weight": { name: n.conv1Kernel, transpose: true },
    "linear1.bias": n.conv1Bias,
    "linear2.weight": { name: n.conv2Kernel, transpose: true },
    "linear2.bias": n.conv2Bias,
    "norm1.weight": `${n.norm1}scale/ConcatPartitions/concat`,
    "norm1.bias": `${n.norm1}bias/ConcatPartitions/concat`,
    "norm2.weight": `${n.norm2}scale/ConcatPartitions/concat`,
    "norm2.bias": `${n.norm2}bias/ConcatPartitions/concat`
  };
}
var UseTokenizer = class {
  root = { children: /* @__PURE__ */ new Map(), index: -1, score: 0 };
  vocab;
  /** vocab: the [piece, score] list (vocab.json of the model package). */
  constructor(vocab) {
    if (!Array.isArray(vocab) || vocab.length < 7) failType("UseTokenizer", `vocab must be a list of [piece, score] pairs, got ${describe(vocab)}`);
    this.vocab = vocab;
    for (let i = 6; i < vocab.length; i++) {
      const [piece, score] = vocab[i];
      let node = this.root;
      for (const sym of piece) {
        let next = node.children.get(sym);
        if (!next) {
          next = { children: /* @__PURE__ */ new Map(), index: -1, score: 0 };
          node.children.set(sym, next);
        }
        node = next;
      }
      node.index = i;
      node.score = score;
    }
  }
  /** Token ids of one text. */
  encode(text) {
    if (typeof text !== "string") failType("UseTokenizer.encode", `text must be a string, got ${describe(text)}`);
    const input = "\u2581" + text.normalize("NFKC").replace(/ /g, "\u2581");
    const symbols = [...input];
    const n = symbols.length;
    const ends = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]);
      if (!node) {
        ends[i + 1].push([i, 0, 0, symbols[i].length]);
        continue;
      }
      for (let j = i; node; ) {
        if (node.index >= 0) ends[j + 1].push([i, node.index, node.score, j + 1 - i]);
        j++;
        node = j < n ? node.children.get(symbols[j]) : void 0;
      }
    }
    const best = new Float64Array(n + 1), words = new Int32Array(n + 1).fill(-1);
    for (let e = 0; e <= n; e++) {
      const list = ends[e].sort((a, b) => a[0] - b[0]);
      for (const [, index, score, keyLen] of list) {
        const s = score + best[e - keyLen];
        if (best[e] === 0 || s >= best[e]) {
          best[e] = s;
          words[e] = index;
        }
      }
    }
    const out = [];
    for (let it = n; it > 0; ) {
      const id = words[it];
      if (id < 0) break;
      out.push(id);
      it -= this.vocab[id][0].length;
    }
    const merged = [];
    let prevUnk = false;
    for (const id of out) {
      if (!(prevUnk && id === 0)) merged.push(id);
      prevUnk = id === 0;
    }
    return merged.reverse();
  }
};
var UniversalSentenceEncoderLite = class {
  rt;
  ws;
  embeddings;
  timing;
  // [128, 256] precomputed rows of the timing signal
  eps;
  scale0;
  norm0a;
  norm0b;
  qkv0;
  q0;
  k0;
  v0;
  out0;
  res0;
  ff0a;
  ff0b;
  hidden;
  layer1;
  layer1Sd;
  attn1 = null;
  disposed = false;
  /** Builds the model from decoded tfjs weights (loadTfjsGraphWeights / decodeTfjsWeights). */
  constructor(rt, weights) {
    checkRuntime(W3, rt);
    this.rt = rt;
    const n = USE_LITE_WEIGHTS;
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, F = USE_LITE.ffn;
    const emb = weights.float(n.embeddings);
    if (emb.shape[1] !== E0) fail(W3, `embeddings must be [vocab, ${E0}], got [${emb.shape.join(", ")}]`);
    this.embeddings = emb.data;
    this.eps = weights.scalar(n.layerNormEps);
    this.scale0 = weights.scalar(n.queryScale(0));
    const inv = weights.float(n.timescales).data;
    const half = inv.length, T = USE_LITE.maxLength;
    this.timing = new Float32Array(T * 2 * half);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < half; j++) {
        const a = Math.fround(t * inv[j]);
        this.timing[t * 2 * half + j] = Math.sin(a);
        this.timing[t * 2 * half + half + j] = Math.cos(a);
      }
    }
    const sd0 = tfjsStateDict(weights, useLiteLayerEntries(0));
    const res = tfjsStateDict(weights, { w: { name: n.residualKernel, transpose: true }, b: n.residualBias, hw: { name: n.hiddenWeight, transpose: true }, hb: n.hiddenBias });
    const g = (k) => sd0.get(k).data;
    this.ws = new Workspace(rt);
    this.norm0a = LayerNormParams.load(rt, g("norm1.weight"), g("norm1.bias"), this.eps);
    this.norm0b = LayerNormParams.load(rt, g("norm2.weight"), g("norm2.bias"), this.eps);
    this.qkv0 = new PackedLinear(rt, g("self_attn.in_proj_weight"), g("self_attn.in_proj_bias"), 3 * E0, E0);
    this.q0 = this.qkv0.slice(0, E0);
    this.k0 = this.qkv0.slice(E0, 2 * E0);
    this.v0 = this.qkv0.slice(2 * E0, 3 * E0);
    this.out0 = new PackedLinear(rt, g("self_attn.out_proj.weight"), g("self_attn.out_proj.bias"), E, E0);
    this.res0 = new PackedLinear(rt, res.get("w").data, res.get("b").data, E, E0);
    this.ff0a = new PackedLinear(rt, g("linear1.weight"), g("linear1.bias"), F, E);
    this.ff0b = new PackedLinear(rt, g("linear2.weight"), g("linear2.bias"), E, F);
    this.hidden = new PackedLinear(rt, res.get("hw").data, res.get("hb").data, USE_LITE.outputDim, E);
    this.layer1Sd = tfjsStateDict(weights, useLiteLayerEntries(1));
    this.layer1 = new Transformer(rt, {
      dModel: E,
      nhead: USE_LITE.heads,
      dimFeedforward: F,
      activation: "relu",
      layerNormEps: this.eps,
      normFirst: true,
      batchFirst: true
    }).loadStateDict(this.layer1Sd);
  }
  /** Pads/clips token-id sequences: ids [B, T] (0 at padding) and lengths. */
  batch(where, ids) {
    if (!Array.isArray(ids) || ids.length === 0) failType(where, `ids must be a non-empty list of token-id lists, got ${describe(ids)}`);
    const lengths = ids.map((s, b) => {
      if (!Array.isArray(s)) failType(where, `ids[${b}] must be a list of token ids, got ${describe(s)}`);
      for (const id of s) {
        if (!Number.isInteger(id) || id < 0 || id >= this.embeddings.length / USE_LITE.embedDim) {
          fail(where, `ids[${b}] holds ${describe(id)}, not a token id in [0, ${this.embeddings.length / USE_LITE.embedDim})`);
        }
      }
      return Math.min(s.length, USE_LITE.maxLength);
    });
    return { T: Math.max(1, ...lengths), lengths };
  }
  /** Sentence embeddings [B, 512] (row-major) of token-id sequences (UseTokenizer.encode). */
  embed(ids) {
    return this.forward(ids).embeddings;
  }
  /**
   * The whole encoder; with `capture`, also every intermediate the graph names (see UseLiteOutputs), for checking
   * layer by layer. Rows at padding positions are not defined the same way as in the graph (which skips the
   * feed-forward there): only valid rows are meaningful.
   */
  forward(ids, options = {}) {
    const where = `${W3}.forward`;
    if (this.disposed) fail(where, "model used after dispose()");
    const capture = !!options.capture;
    const { T, lengths } = this.batch(where, ids);
    const B = ids.length, rows = B * T;
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, F = USE_LITE.ffn, H = USE_LITE.heads, hd = E0 / H;
    const rt = this.rt, ws = this.ws;
    return rt.journal.atomic(where, () => {
      const x0 = ws.get("x0", rows * E0), ln = ws.get("ln", rows * E);
      const q = ws.get("q", rows * E0), k = ws.get("k", rows * E0), v = ws.get("v", rows * E0), ctx = ws.get("ctx", rows * E0);
      const a = ws.get("a", rows * E), r = ws.get("r", rows * E), f = ws.get("f", rows * F);
      const mask = ws.get("mask", Math.ceil(rows / 4));
      const pooled = ws.get("pooled", B * E), hid = ws.get("hid", B * E);
      const gemm = ws.get("gemm", Math.max(
        this.qkv0.scratchFloats(rows),
        this.out0.scratchFloats(rows),
        this.ff0a.scratchFloats(rows),
        this.ff0b.scratchFloats(rows),
        this.hidden.scratchFloats(B),
        1
      ));
      const sdpa = ws.get("sdpa", Math.max(sdpaFusedScratchFloats(rt, T, T, hd, hd), 1));
      const X = rt.f32(x0, rows * E0);
      const M = new Uint8Array(rt.memory.buffer, mask, rows);
      X.fill(0);
      M.fill(1);
      ids.forEach((s, b) => {
        for (let t = 0; t < lengths[b]; t++) {
          const e = s[t] * E0, o = (b * T + t) * E0, tm = t * E0;
          for (let j = 0; j < E0; j++) {
            const ej = this.embeddings[e + j];
            X[o + j] = Math.fround(ej + this.timing[tm + j]) + ej;
          }
          M[b * T + t] = 0;
        }
      });
      const keep = {};
      if (capture) keep.x0 = X.slice();
      this.norm0a.apply(x0, ln, rows);
      this.q0.forward(ln, rows, q, gemm);
      this.k0.forward(ln, rows, k, gemm);
      this.v0.forward(ln, rows, v, gemm);
      const view2 = (ptr) => ({ ptr, ld: E0, bs: T * E0, hs: hd });
      scaledDotProductAttentionFused(rt, {
        N: B,
        H,
        L: T,
        S: T,
        hd,
        hdv: hd,
        q: view2(q),
        k: view2(k),
        v: view2(v),
        out: view2(ctx),
        scale: this.scale0,
        mask: null,
        bmask: { ptr: mask, ld: 0, nStride: T, hStride: 0 },
        causal: false,
        weights: null,
        scores: 0,
        scratch: sdpa
      });
      this.out0.forward(ctx, rows, a, gemm);
      this.res0.forward(x0, rows, r, gemm);
      add(rt, rows * E, a, r, a);
      if (capture) keep.attn0 = rt.f32(a, rows * E).slice();
      this.norm0b.apply(a, ln, rows);
      this.ff0a.forward(ln, rows, f, gemm, "relu");
      this.ff0b.forward(f, rows, r, gemm);
      add(rt, rows * E, a, r, a);
      if (capture) keep.layer0 = rt.f32(a, rows * E).slice();
      const kpm = new Uint8Array(rt.memory.buffer, mask, rows).slice();
      const y = this.layer1.forward(new Tensor(rt, a, [B, T, E], false), { srcKeyPaddingMask: { data: kpm, shape: [B, T] } });
      const Y = y.data;
      if (capture) keep.layer1 = Y.slice();
      const P = rt.f32(pooled, B * E);
      for (let b = 0; b < B; b++) {
        const len = Math.max(lengths[b], 1);
        for (let j = 0; j < E; j++) {
          let s = 0;
          for (let t = 0; t < lengths[b]; t++) s += Y[(b * T + t) * E + j];
          P[b * E + j] = Math.fround(s) / len;
        }
      }
      if (capture) keep.pooled = P.slice();
      this.hidden.forward(pooled, B, hid, gemm);
      unary(rt, "tanh", B * E, hid, hid);
      const Hd = rt.f32(hid, B * E);
      if (capture) keep.hidden = Hd.slice();
      const out = new Float32Array(B * E);
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (let j = 0; j < E; j++) s += Math.fround(Hd[b * E + j] * Hd[b * E + j]);
        const inv = Math.fround(1 / Math.sqrt(Math.max(Math.fround(s), 1e-12)));
        for (let j = 0; j < E; j++) out[b * E + j] = Hd[b * E + j] * inv;
      }
      return { embeddings: out, T, lengths, ...keep };
    });
  }
  /**
   * Attention probabilities of layer `layer` (0 or 1) for one sequence: [heads, L, L] (L = its length, ≤ 128),
   * softmax(scale·q·kᵀ) of each head over the sequence's tokens.
   */
  attentionWeights(ids, layer) {
    const where = `${W3}.attentionWeights`;
    if (layer !== 0 && layer !== 1) fail(where, `layer must be 0 or 1, got ${describe(layer)}`);
    const { layer0 } = this.forward([ids], { capture: true });
    const { T } = this.batch(where, [ids]);
    const E0 = USE_LITE.embedDim, E = USE_LITE.dModel, H = USE_LITE.heads;
    const rt = this.rt;
    if (layer === 1) {
      if (!this.attn1) {
        const m = new MultiHead(rt, { embedDim: E, numHeads: H, batchFirst: true });
        const sd = new Map([...this.layer1Sd].filter(([k]) => k.startsWith("self_attn.")).map(([k, v]) => [k.slice("self_attn.".length), v]));
        this.attn1 = m.loadStateDict(sd);
      }
      const g = (k) => this.layer1Sd.get(k).data;
      const ln = rt.ops.layerNorm(layer0, { rows: T, cols: E, weight: g("norm1.weight"), bias: g("norm1.bias"), eps: this.eps });
      const { weights } = this.attn1.forward(
        { data: ln, shape: [1, T, E] },
        { data: ln, shape: [1, T, E] },
        { data: ln, shape: [1, T, E] },
        { needWeights: true, averageAttnWeights: false }
      );
      return weights.toArray();
    }
    const hd = E0 / H;
    return rt.journal.atomic(where, () => {
      const wts = this.ws.get("weights", H * T * T), scratch = this.ws.get("sdpa.m", Math.max(sdpaScratchFloats(rt, T, T, hd, hd), gemmScratchFloats(rt, T, T, hd), 1));
      const ctx = this.ws.get("ctx", T * E0);
      const view2 = (ptr) => ({ ptr, ld: E0, bs: T * E0, hs: hd });
      scaledDotProductAttention(rt, {
        N: 1,
        H,
        L: T,
        S: T,
        hd,
        hdv: hd,
        q: view2(this.ws.get("q", T * E0)),
        k: view2(this.ws.get("k", T * E0)),
        v: view2(this.ws.get("v", T * E0)),
        out: view2(ctx),
        scale: this.scale0,
        mask: null,
        bmask: null,
        causal: false,
        weights: { ptr: wts, average: false },
        scores: 0,
        scratch
      });
      return rt.f32(wts, H * T * T).slice();
    });
  }
  /** Frees every weight and buffer. */
  dispose() {
    if (this.disposed) return;
    for (const l of [this.qkv0, this.out0, this.res0, this.ff0a, this.ff0b, this.hidden]) l.dispose();
    this.norm0a.dispose();
    this.norm0b.dispose();
    this.layer1.dispose();
    this.attn1?.dispose();
    this.ws.dispose();
    this.disposed = true;
  }
};

// bindings/nn/seq2seq.ts
function readTokens(where, name, x, V) {
  let B, T, at;
  if (Array.isArray(x)) {
    B = x.length;
    T = B ? x[0]?.length : 0;
    x.forEach((row, b) => {
      if (!row || typeof row.length !== "number") failType(where, `${name}[${b}] must be an array of token ids, got ${describe(row)}`);
      if (row.length !== T) fail(where, `${name} rows must have equal lengths, row 0 has ${T} and row ${b} has ${row.length}`);
    });
    at = (i) => x[Math.floor(i / T)][i % T];
  } else {
    const o = x;
    if (!o || typeof o !== "object" || !Array.isArray(o.shape) || !o.data || typeof o.data.length !== "number") {
      failType(where, `${name} must be token ids [B, T]: an array of rows or { data, shape: [B, T] }, got ${describe(x)}`);
    }
    if (o.shape.length !== 2) fail(where, `${name} must have shape [B, T], got ${fmtShape(o.shape)}`);
    [B, T] = o.shape;
    const data = o.data;
    if (data.length !== B * T) fail(where, `${name} has ${data.length} ids but shape ${fmtShape([B, T])} needs ${B * T}`);
    at = (i) => data[i];
  }
  if (!(B >= 1) || !(T >= 1)) fail(where, `${name} must not be empty, got shape ${fmtShape([B, T])}`);
  const ids = new Int32Array(B * T);
  for (let i = 0; i < B * T; i++) ids[i] = checkId(where, name, at(i), V);
  return { ids, B, T };
}
function checkId(where, name, v, V) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= V) {
    fail(where, `${name} must hold token ids in [0, vocabSize = ${V}), got ${describe(v)}`);
  }
  return v;
}
function readStepTokens(where, x, B, V) {
  if (!x || typeof x !== "object" || typeof x.length !== "number") {
    failType(where, `tokens must be an array of ${B} token ids (one per batch), got ${describe(x)}`);
  }
  const a = x;
  if (a.length !== B) fail(where, `tokens must have one id per batch: ${B}, got ${a.length}`);
  const ids = new Int32Array(B);
  for (let i = 0; i < B; i++) ids[i] = checkId(where, "tokens", a[i], V);
  return ids;
}
function keysOf(sd) {
  if (sd instanceof Map) return [...sd.keys()].map(String);
  const f = sd;
  if (Array.isArray(f.names) && typeof f.stateDict === "function") return f.names;
  return sd && typeof sd === "object" ? Object.keys(sd) : [];
}
var view = (rt, ptr, shape) => new Tensor(rt, ptr, shape, false);
function loadTable(rt, data) {
  const p = rt.alloc(data.length * 4);
  upload(rt, p, data);
  return p;
}
var Seq2SeqEncoder = class {
  vocabSize;
  embedSize;
  numHiddens;
  numLayers;
  rt;
  ws;
  rnn;
  table = 0;
  disposed = false;
  constructor(rt, options) {
    const where = "Seq2SeqEncoder";
    checkRuntime(where, rt);
    checkOptions(where, options, ["vocabSize", "embedSize", "numHiddens", "numLayers", "dropout"]);
    if (!options) failType(where, "options { vocabSize, embedSize, numHiddens } are required");
    checkDropout(where, options.dropout);
    this.vocabSize = checkPositiveInt(where, "vocabSize", options.vocabSize);
    this.embedSize = checkPositiveInt(where, "embedSize", options.embedSize);
    this.numHiddens = checkPositiveInt(where, "numHiddens", options.numHiddens);
    this.numLayers = options.numLayers === void 0 ? 1 : checkPositiveInt(where, "numLayers", options.numLayers);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.rnn = new GRU(rt, { inputSize: this.embedSize, hiddenSize: this.numHiddens, numLayers: this.numLayers }, "Seq2SeqEncoder.rnn");
  }
  /** embedding.weight [V, e] and nn.GRU's rnn.* (zh names). */
  parameterShapes() {
    return [
      { name: "embedding.weight", shape: [this.vocabSize, this.embedSize] },
      ...this.rnn.parameterShapes().map((p) => ({ name: `rnn.${p.name}`, shape: p.shape }))
    ];
  }
  /** All or nothing. Accepts d2l zh names (rnn.*) and en names (rnn.rnn.*). */
  loadStateDict(sd, options) {
    const where = "Seq2SeqEncoder.loadStateDict";
    this.checkLive(where);
    const prefix = options?.prefix ?? "";
    const en = keysOf(sd).some((k) => k.startsWith(`${prefix}rnn.rnn.`));
    const specs = this.parameterShapes().map((p) => en && p.name.startsWith("rnn.") ? { ...p, name: `rnn.${p.name}` } : p);
    const w = readStateDict(where, sd, specs, options);
    const gru = /* @__PURE__ */ new Map();
    for (const [k, v] of w) if (k.startsWith("rnn.")) gru.set(k.slice(en ? 8 : 4), v);
    return this.rt.journal.atomic(where, () => {
      const table = loadTable(this.rt, w.get("embedding.weight"));
      try {
        this.rnn.loadStateDict(gru);
      } catch (e) {
        this.rt.free(table);
        throw e;
      }
      const old = this.table;
      this.table = table;
      this.rt.journal.record(() => {
        this.rt.free(table);
        this.table = old;
      }, () => {
        if (old) this.rt.free(old);
      });
      return this;
    });
  }
  /** tokens [B, T] -> { outputs (T, B, h), state (L, B, h) }, valid until the next forward() or dispose(). */
  forward(tokens) {
    const where = "Seq2SeqEncoder.forward";
    this.checkLive(where);
    if (!this.table) fail(where, "no weights loaded: call loadStateDict() first");
    const { ids, B, T } = readTokens(where, "tokens", tokens, this.vocabSize);
    const tb = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) tb[t * B + b] = ids[b * T + t];
    return this.rt.journal.atomic(where, () => {
      const x = this.ws.get("x", T * B * this.embedSize);
      gatherRows(this.rt, this.table, this.embedSize, tb, x);
      const r = this.rnn.forward(view(this.rt, x, [T, B, this.embedSize]));
      return { outputs: r.output, state: r.hN };
    });
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  dispose() {
    if (this.disposed) return;
    this.rnn.dispose();
    this.ws.dispose();
    if (this.table) this.rt.free(this.table);
    this.table = 0;
    this.disposed = true;
  }
};
var DecoderState = class {
  batch;
  sourceLength;
  /** Steps taken since initState(). */
  steps = 0;
  /** @internal */
  owner;
  /** @internal */
  enc = 0;
  /** @internal */
  keys = 0;
  /** @internal */
  lens = 0;
  /** @internal */
  h = 0;
  /** @internal */
  c = 0;
  /** @internal */
  feed = 0;
  /** @internal */
  layers;
  /** @internal */
  hidden;
  /** @internal */
  validLens;
  rt;
  disposed = false;
  /** @internal Made by a decoder's initState(). */
  constructor(rt, owner, d) {
    this.rt = rt;
    this.owner = owner;
    this.batch = d.B;
    this.sourceLength = d.S;
    this.layers = d.L;
    this.hidden = d.h;
    this.validLens = d.lens;
    try {
      this.enc = rt.alloc(d.B * d.S * d.h * 4);
      if (d.keyFloats) this.keys = rt.alloc(d.keyFloats * 4);
      if (d.lens) {
        this.lens = rt.alloc(d.B * 4);
        uploadI32(rt, this.lens, d.lens);
      }
      this.h = rt.alloc(d.L * d.B * d.h * 4);
      if (d.cell) this.c = rt.alloc(d.L * d.B * d.h * 4);
      if (d.feed) this.feed = rt.alloc(d.B * d.h * 4);
    } catch (e) {
      this.free();
      throw e;
    }
  }
  /** A copy of every layer's hidden state, (numLayers, B, h). */
  hiddenState() {
    this.live("DecoderState.hiddenState");
    return this.rt.f32(this.h, this.layers * this.batch * this.hidden).slice();
  }
  /** A copy of every layer's cell state (LSTM decoders), else null. */
  cellState() {
    this.live("DecoderState.cellState");
    return this.c ? this.rt.f32(this.c, this.layers * this.batch * this.hidden).slice() : null;
  }
  get isDisposed() {
    return this.disposed;
  }
  /** @internal */
  live(where) {
    if (this.disposed) fail(where, "decoder state used after dispose()");
  }
  free() {
    for (const p of [this.enc, this.keys, this.lens, this.h, this.c, this.feed]) if (p) this.rt.free(p);
    this.enc = this.keys = this.lens = this.h = this.c = this.feed = 0;
  }
  dispose() {
    if (this.disposed) return;
    this.free();
    this.disposed = true;
  }
};
var AttentionDecoderBase = class {
  constructor(rt, name, v, e, h, L) {
    this.name = name;
    this.vocabSize = v;
    this.embedSize = e;
    this.hiddenSize = h;
    this.numLayers = L;
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${name}.step/forward`);
  }
  name;
  vocabSize;
  embedSize;
  hiddenSize;
  numLayers;
  rt;
  /** @internal */
  ws;
  /** @internal */
  outputs;
  states = /* @__PURE__ */ new Set();
  table = 0;
  loaded = false;
  disposed = false;
  /**
   * d2l init_state: copies the encoder outputs (S, B, h) into a new state (batch-major), projects the attention keys
   * once, and sets the hidden state (and cell state) of every layer. validLens [B]: source positions j >= len are
   * masked (d2l). The state is independent of the encoder's buffers.
   */
  initState(enc, validLens = null) {
    const where = `${this.name}.initState`;
    this.checkLive(where);
    if (!this.loaded) fail(where, "no weights loaded: call loadStateDict() first");
    if (!enc || typeof enc !== "object") failType(where, `enc must be { outputs, state } (the encoder's results), got ${describe(enc)}`);
    checkOptions(where, enc, ["outputs", "state", "cell"]);
    const os = shapeOf(where, "enc.outputs", enc.outputs);
    checkTensorInput(this.rt, where, "enc.outputs", enc.outputs);
    const h = this.hiddenSize, L = this.numLayers;
    if (os.length !== 3 || os[2] !== h) fail(where, `enc.outputs must be (S, B, hiddenSize) = (S, B, ${h}), got shape ${fmtShape(os)}`);
    const [S, B] = os;
    if (S < 1 || B < 1) fail(where, `enc.outputs must not be empty, got shape ${fmtShape(os)}`);
    const check2 = (name, x) => {
      if (x === void 0 || x === null) return null;
      const s = shapeOf(where, `enc.${name}`, x);
      checkTensorInput(this.rt, where, `enc.${name}`, x);
      if (s.length !== 3 || s[0] !== L || s[1] !== B || s[2] !== h) fail(where, `enc.${name} must be (numLayers, B, hiddenSize) = ${fmtShape([L, B, h])}, got shape ${fmtShape(s)}`);
      return x;
    };
    const h0 = check2("state", enc.state);
    const c0 = check2("cell", enc.cell);
    if (this.needsState && !h0) fail(where, "enc.state (numLayers, B, h) is required: d2l initialises the decoder with the encoder's final state");
    if (c0 && !this.hasCell) fail(where, "enc.cell given, but this decoder has a GRU (no cell state)");
    const lens = lensPerRow(where, validLens, B, 1, S);
    return this.rt.journal.atomic(where, () => {
      const st = new DecoderState(this.rt, this, { B, S, L, h, keyFloats: this.keyFloats(B, S), lens, cell: this.hasCell, feed: this.hasFeed });
      try {
        const o = stage(this.rt, this.ws, where, "enc.outputs", enc.outputs, "init.enc");
        for (let b = 0; b < B; b++) copyRows(this.rt, S, h, o.ptr + b * h * 4, B * h, st.enc + b * S * h * 4, h);
        const copyState = (x, dst, slot) => {
          if (!dst) return;
          if (x) copyRows(this.rt, 1, L * B * h, stage(this.rt, this.ws, where, slot, x, `init.${slot}`).ptr, L * B * h, dst, L * B * h);
          else zero(this.rt, L * B * h, dst);
        };
        copyState(h0, st.h, "state");
        copyState(c0, st.c, "cell");
        if (st.feed) zero(this.rt, B * h, st.feed);
        this.projectKeys(st, B, S);
      } catch (e) {
        st.dispose();
        throw e;
      }
      this.states.add(st);
      this.rt.journal.record(() => {
        st.dispose();
        this.states.delete(st);
      }, null);
      return st;
    });
  }
  checkState(where, st) {
    if (!(st instanceof DecoderState)) failType(where, `state must be a DecoderState from initState(), got ${describe(st)}`);
    st.live(where);
    if (st.owner !== this) fail(where, "state was made by another decoder's initState()");
    return st;
  }
  ready(where) {
    this.checkLive(where);
    if (!this.loaded) fail(where, "no weights loaded: call loadStateDict() first");
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  embed(ids, dst, ldd) {
    gatherRows(this.rt, this.table, this.embedSize, ids, dst, ldd);
  }
  /** Teacher forcing: step() over the target tokens [B, T] (d2l's decoder forward); equal to stepping. */
  forward(tokens, state) {
    const where = `${this.name}.forward`;
    this.ready(where);
    const st = this.checkState(where, state);
    const { ids, B, T } = readTokens(where, "tokens", tokens, this.vocabSize);
    if (B !== st.batch) fail(where, `tokens have batch ${B} but the state has batch ${st.batch}`);
    return this.rt.journal.atomic(where, () => {
      const S = st.sourceLength, h = this.hiddenSize, V = this.vocabSize;
      const tops = this.ws.get("f.tops", B * T * h);
      const weights = this.ws.get("f.weights", B * T * S);
      const logits = this.ws.get("f.logits", B * T * V);
      const scratch = this.ws.get("f.gemm", Math.max(1, this.outScratch(B * T)));
      const step = new Int32Array(B);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) step[b] = ids[b * T + t];
        const r = this.advance(where, step, st);
        copyRows(this.rt, B, h, r.top, h, tops + t * h * 4, T * h);
        copyRows(this.rt, B, S, r.weights, S, weights + t * S * 4, T * S);
      }
      this.project(tops, B * T, logits, scratch);
      const lease = this.outputs.next();
      return { logits: new Tensor(this.rt, logits, [B, T, V], false, lease), weights: new Tensor(this.rt, weights, [B, T, S], false, lease), state: st };
    });
  }
  dispose() {
    if (this.disposed) return;
    for (const s of this.states) s.dispose();
    this.states.clear();
    this.release();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
};
var BahdanauDecoder = class extends AttentionDecoderBase {
  hasCell = false;
  hasFeed = false;
  needsState = true;
  rnn;
  Wq = null;
  Wk = null;
  wv = 0;
  dense = null;
  constructor(rt, options) {
    const where = "BahdanauDecoder";
    checkRuntime(where, rt);
    checkOptions(where, options, ["vocabSize", "embedSize", "numHiddens", "numLayers", "dropout"]);
    if (!options) failType(where, "options { vocabSize, embedSize, numHiddens } are required");
    checkDropout(where, options.dropout);
    const V = checkPositiveInt(where, "vocabSize", options.vocabSize), e = checkPositiveInt(where, "embedSize", options.embedSize);
    const h = checkPositiveInt(where, "numHiddens", options.numHiddens);
    const L = options.numLayers === void 0 ? 1 : checkPositiveInt(where, "numLayers", options.numLayers);
    super(rt, where, V, e, h, L);
    this.rnn = new GRU(rt, { inputSize: h + e, hiddenSize: h, numLayers: L }, "BahdanauDecoder.rnn");
  }
  /** d2l's numHiddens. */
  get numHiddens() {
    return this.hiddenSize;
  }
  parameterShapes() {
    const V = this.vocabSize, e = this.embedSize, h = this.hiddenSize;
    return [
      { name: "attention.W_k.weight", shape: [h, h] },
      { name: "attention.W_q.weight", shape: [h, h] },
      { name: "attention.w_v.weight", shape: [1, h] },
      { name: "embedding.weight", shape: [V, e] },
      ...this.rnn.parameterShapes().map((p) => ({ name: `rnn.${p.name}`, shape: p.shape })),
      { name: "dense.weight", shape: [V, h] },
      { name: "dense.bias", shape: [V] }
    ];
  }
  /** All or nothing. */
  loadStateDict(sd, options) {
    const where = "BahdanauDecoder.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const gru = /* @__PURE__ */ new Map();
    for (const [k, v] of w) if (k.startsWith("rnn.")) gru.set(k.slice(4), v);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, V = this.vocabSize, h = this.hiddenSize;
      const made = [];
      let table = 0, wv = 0;
      try {
        const Wq = new PackedLinear(rt, w.get("attention.W_q.weight"), null, h, h);
        made.push(Wq);
        const Wk = new PackedLinear(rt, w.get("attention.W_k.weight"), null, h, h);
        made.push(Wk);
        const dense = new PackedLinear(rt, w.get("dense.weight"), w.get("dense.bias"), V, h);
        made.push(dense);
        wv = rt.alloc(h * 4);
        upload(rt, wv, w.get("attention.w_v.weight"));
        table = loadTable(rt, w.get("embedding.weight"));
        this.rnn.loadStateDict(gru);
      } catch (e) {
        made.forEach((l) => l.dispose());
        if (wv) rt.free(wv);
        if (table) rt.free(table);
        throw e;
      }
      const old = { Wq: this.Wq, Wk: this.Wk, dense: this.dense, wv: this.wv, table: this.table, loaded: this.loaded };
      [this.Wq, this.Wk, this.dense] = made.length === 3 ? [made[0], made[1], made[2]] : [null, null, null];
      this.wv = wv;
      this.table = table;
      this.loaded = true;
      rt.journal.record(() => {
        made.forEach((l) => l.dispose());
        rt.free(wv);
        rt.free(table);
        Object.assign(this, old);
      }, () => {
        old.Wq?.dispose();
        old.Wk?.dispose();
        old.dense?.dispose();
        if (old.wv) rt.free(old.wv);
        if (old.table) rt.free(old.table);
      });
      return this;
    });
  }
  keyFloats(B, S) {
    return B * S * this.hiddenSize;
  }
  /** W_k h_s for every source position, once per sequence (d2l recomputes it every step; same values). */
  projectKeys(st, B, S) {
    const scratch = this.ws.get("init.gemm", Math.max(1, this.Wk.scratchFloats(B * S)));
    this.Wk.forward(st.enc, B * S, st.keys, scratch);
  }
  /**
   * One decoding step (d2l's loop body) for tokens [B] (the previous target token of each sequence): returns
   * logits [B, V], this step's attention weights [B, S] (valid until the next step/forward of this decoder) and the
   * state, advanced in place.
   */
  step(tokens, state) {
    const where = "BahdanauDecoder.step";
    this.ready(where);
    const st = this.checkState(where, state);
    const ids = readStepTokens(where, tokens, st.batch, this.vocabSize);
    return this.rt.journal.atomic(where, () => {
      const B = st.batch, V = this.vocabSize;
      const logits = this.ws.get("s.logits", B * V);
      const scratch = this.ws.get("s.gemm", Math.max(1, this.outScratch(B)));
      const r = this.advance(where, ids, st);
      this.project(r.top, B, logits, scratch);
      const lease = this.outputs.next();
      return { logits: new Tensor(this.rt, logits, [B, V], false, lease), weights: new Tensor(this.rt, r.weights, [B, st.sourceLength], false, lease), state: st };
    });
  }
  advance(_where, ids, st) {
    const rt = this.rt, ws = this.ws, B = st.batch, S = st.sourceLength, h = this.hiddenSize, e = this.embedSize, L = this.numLayers;
    const qp = ws.get("a.qp", B * h);
    const w = ws.get("a.weights", B * S);
    const x = ws.get("a.x", B * (h + e));
    const top = ws.get("a.top", B * h);
    const scratch = ws.get("a.gemm", Math.max(1, this.Wq.scratchFloats(B), gemmScratchFloats(rt, 1, h, S)));
    this.Wq.forward(st.h + (L - 1) * B * h * 4, B, qp, scratch);
    additiveScores(rt, { batch: B, nq: 1, nk: S, hidden: h, qp, kp: st.keys, wv: this.wv, out: w });
    softmaxRows(rt, { rows: B, cols: S, x: w, ldx: S, y: w, ldy: S, lens: st.lens });
    gemmBatched(rt, { batch: B, m: 1, n: h, k: S, a: w, lda: S, sa: S, b: st.enc, ldb: h, sb: S * h, c: x, ldc: h + e, sc: h + e, scratch });
    this.embed(ids, x + h * 4, h + e);
    const r = this.rnn.step(view(rt, x, [B, h + e]), view(rt, st.h, [L, B, h]));
    copyRows(rt, 1, B * h, r.output.ptr, B * h, top, B * h);
    copyRows(rt, 1, L * B * h, r.h.ptr, L * B * h, st.h, L * B * h);
    st.steps++;
    return { top, weights: w };
  }
  project(top, rows, logits, scratch) {
    this.dense.forward(top, rows, logits, scratch);
  }
  outScratch(rows) {
    return this.dense.scratchFloats(rows);
  }
  release() {
    this.rnn.dispose();
    this.Wq?.dispose();
    this.Wk?.dispose();
    this.dense?.dispose();
    this.Wq = this.Wk = this.dense = null;
    if (this.wv) this.rt.free(this.wv);
    if (this.table) this.rt.free(this.table);
    this.wv = this.table = 0;
  }
};
var LuongDecoder = class extends AttentionDecoderBase {
  score;
  cell;
  inputFeeding;
  concatOrder;
  attentionBias;
  outputBias;
  hasCell;
  hasFeed;
  needsState = false;
  rnn;
  Wa = null;
  // general: W_a on keys; concat: the h̄ half of W_a (+ bias) on keys
  WaQ = null;
  // concat: the h_t half of W_a
  va = 0;
  Wc = null;
  Ws = null;
  constructor(rt, options) {
    const where = "LuongDecoder";
    checkRuntime(where, rt);
    checkOptions(where, options, [
      "vocabSize",
      "embedSize",
      "hiddenSize",
      "score",
      "cell",
      "numLayers",
      "inputFeeding",
      "concatOrder",
      "attentionBias",
      "outputBias",
      "dropout"
    ]);
    if (!options) failType(where, "options { vocabSize, embedSize, hiddenSize, score } are required");
    checkDropout(where, options.dropout);
    const V = checkPositiveInt(where, "vocabSize", options.vocabSize), e = checkPositiveInt(where, "embedSize", options.embedSize);
    const h = checkPositiveInt(where, "hiddenSize", options.hiddenSize);
    const L = options.numLayers === void 0 ? 1 : checkPositiveInt(where, "numLayers", options.numLayers);
    super(rt, where, V, e, h, L);
    this.score = checkEnum(where, "score", options.score, ["dot", "general", "concat"]);
    this.cell = options.cell === void 0 ? "LSTM" : checkEnum(where, "cell", options.cell, ["LSTM", "GRU"]);
    this.inputFeeding = options.inputFeeding === void 0 ? true : checkBoolean(where, "inputFeeding", options.inputFeeding);
    this.concatOrder = options.concatOrder === void 0 ? "context_first" : checkEnum(where, "concatOrder", options.concatOrder, ["context_first", "hidden_first"]);
    this.attentionBias = options.attentionBias === void 0 ? false : checkBoolean(where, "attentionBias", options.attentionBias);
    this.outputBias = options.outputBias === void 0 ? true : checkBoolean(where, "outputBias", options.outputBias);
    this.hasCell = this.cell === "LSTM";
    this.hasFeed = this.inputFeeding;
    const rnnOpts = { inputSize: e + (this.inputFeeding ? h : 0), hiddenSize: h, numLayers: L };
    this.rnn = this.cell === "LSTM" ? new LSTM(rt, rnnOpts, "LuongDecoder.rnn") : new GRU(rt, rnnOpts, "LuongDecoder.rnn");
  }
  parameterShapes() {
    const V = this.vocabSize, e = this.embedSize, h = this.hiddenSize;
    const p = [{ name: "embedding.weight", shape: [V, e] }, ...this.rnn.parameterShapes().map((q) => ({ name: `rnn.${q.name}`, shape: q.shape }))];
    if (this.score !== "dot") {
      p.push({ name: "attn.W_a.weight", shape: this.score === "general" ? [h, h] : [h, 2 * h] });
      if (this.attentionBias) p.push({ name: "attn.W_a.bias", shape: [h] });
      if (this.score === "concat") p.push({ name: "attn.v_a.weight", shape: [1, h] });
    }
    p.push({ name: "W_c.weight", shape: [h, 2 * h] });
    if (this.attentionBias) p.push({ name: "W_c.bias", shape: [h] });
    p.push({ name: "W_s.weight", shape: [V, h] });
    if (this.outputBias) p.push({ name: "W_s.bias", shape: [V] });
    return p;
  }
  loadStateDict(sd, options) {
    const where = "LuongDecoder.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const rnnSd = /* @__PURE__ */ new Map();
    for (const [k, v] of w) if (k.startsWith("rnn.")) rnnSd.set(k.slice(4), v);
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, V = this.vocabSize, h = this.hiddenSize;
      const made = [];
      const mk = (W4, b, o, i) => {
        const l = new PackedLinear(rt, W4, b, o, i);
        made.push(l);
        return l;
      };
      let table = 0, va = 0, Wa = null, WaQ = null;
      let Wc, Ws;
      try {
        const ba = this.attentionBias && this.score !== "dot" ? w.get("attn.W_a.bias") : null;
        if (this.score === "general") Wa = mk(w.get("attn.W_a.weight"), ba, h, h);
        if (this.score === "concat") {
          const full = w.get("attn.W_a.weight"), q = new Float32Array(h * h), k = new Float32Array(h * h);
          for (let r = 0; r < h; r++) {
            q.set(full.subarray(r * 2 * h, r * 2 * h + h), r * h);
            k.set(full.subarray(r * 2 * h + h, (r + 1) * 2 * h), r * h);
          }
          WaQ = mk(q, null, h, h);
          Wa = mk(k, ba, h, h);
          va = rt.alloc(h * 4);
          upload(rt, va, w.get("attn.v_a.weight"));
        }
        Wc = mk(w.get("W_c.weight"), this.attentionBias ? w.get("W_c.bias") : null, h, 2 * h);
        Ws = mk(w.get("W_s.weight"), this.outputBias ? w.get("W_s.bias") : null, V, h);
        table = loadTable(rt, w.get("embedding.weight"));
        this.rnn.loadStateDict(rnnSd);
      } catch (e) {
        made.forEach((l) => l.dispose());
        if (va) rt.free(va);
        if (table) rt.free(table);
        throw e;
      }
      const old = { Wa: this.Wa, WaQ: this.WaQ, va: this.va, Wc: this.Wc, Ws: this.Ws, table: this.table, loaded: this.loaded };
      Object.assign(this, { Wa, WaQ, va, Wc, Ws, table, loaded: true });
      rt.journal.record(() => {
        made.forEach((l) => l.dispose());
        if (va) rt.free(va);
        rt.free(table);
        Object.assign(this, old);
      }, () => {
        for (const l of [old.Wa, old.WaQ, old.Wc, old.Ws]) l?.dispose();
        if (old.va) rt.free(old.va);
        if (old.table) rt.free(old.table);
      });
      return this;
    });
  }
  keyFloats(B, S) {
    return this.score === "dot" ? 0 : B * S * this.hiddenSize;
  }
  projectKeys(st, B, S) {
    if (this.score === "dot") return;
    const scratch = this.ws.get("init.gemm", Math.max(1, this.Wa.scratchFloats(B * S)));
    this.Wa.forward(st.enc, B * S, st.keys, scratch);
  }
  /** One step for tokens [B]: logits, probs = softmax(logits), the attention weights [B, S], h̃_t, and the state. */
  step(tokens, state) {
    const where = "LuongDecoder.step";
    this.ready(where);
    const st = this.checkState(where, state);
    const ids = readStepTokens(where, tokens, st.batch, this.vocabSize);
    return this.rt.journal.atomic(where, () => {
      const B = st.batch, V = this.vocabSize, h = this.hiddenSize;
      const logits = this.ws.get("s.logits", B * V);
      const probs = this.ws.get("s.probs", B * V);
      const scratch = this.ws.get("s.gemm", Math.max(1, this.outScratch(B)));
      const r = this.advance(where, ids, st);
      this.project(r.top, B, logits, scratch);
      softmaxRows(this.rt, { rows: B, cols: V, x: logits, ldx: V, y: probs, ldy: V });
      const lease = this.outputs.next();
      return {
        logits: new Tensor(this.rt, logits, [B, V], false, lease),
        probs: new Tensor(this.rt, probs, [B, V], false, lease),
        weights: new Tensor(this.rt, r.weights, [B, st.sourceLength], false, lease),
        attentional: new Tensor(this.rt, r.top, [B, h], false, lease),
        state: st
      };
    });
  }
  /** Teacher forcing over tokens [B, T]: logits, probs [B, T, V], weights [B, T, S]; equal to stepping. */
  forward(tokens, state) {
    const where = "LuongDecoder.forward";
    return this.rt.journal.atomic(where, () => {
      const r = super.forward(tokens, state);
      const [B, T, V] = r.logits.shape;
      const probs = this.ws.get("f.probs", B * T * V);
      softmaxRows(this.rt, { rows: B * T, cols: V, x: r.logits.ptr, ldx: V, y: probs, ldy: V });
      return { ...r, probs: new Tensor(this.rt, probs, [B, T, V], false, r.logits.lease) };
    });
  }
  advance(_where, ids, st) {
    const rt = this.rt, ws = this.ws, B = st.batch, S = st.sourceLength, h = this.hiddenSize, e = this.embedSize, L = this.numLayers;
    const inF = e + (this.inputFeeding ? h : 0);
    const x = ws.get("a.x", B * inF);
    const w = ws.get("a.weights", B * S);
    const cat = ws.get("a.cat", B * 2 * h);
    const qp = this.score === "concat" ? ws.get("a.qp", B * h) : 0;
    const tilde = ws.get("a.tilde", B * h);
    const scratch = ws.get("a.gemm", Math.max(
      1,
      gemmScratchFloats(rt, 1, S, h),
      gemmScratchFloats(rt, 1, h, S),
      this.WaQ?.scratchFloats(B) ?? 0,
      this.Wc.scratchFloats(B)
    ));
    this.embed(ids, x, inF);
    if (this.inputFeeding) copyRows(rt, B, h, st.feed, h, x + e * 4, inF);
    const hs = view(rt, st.h, [L, B, h]);
    let top, hNew, cNew = 0;
    if (this.rnn instanceof LSTM) {
      const r = this.rnn.step(view(rt, x, [B, inF]), [hs, view(rt, st.c, [L, B, h])]);
      top = r.output.ptr;
      hNew = r.h.ptr;
      cNew = r.c.ptr;
    } else {
      const r = this.rnn.step(view(rt, x, [B, inF]), hs);
      top = r.output.ptr;
      hNew = r.h.ptr;
    }
    if (this.score === "concat") {
      this.WaQ.forward(top, B, qp, scratch);
      additiveScores(rt, { batch: B, nq: 1, nk: S, hidden: h, qp, kp: st.keys, wv: this.va, out: w });
    } else {
      gemmBatched(rt, {
        batch: B,
        m: 1,
        n: S,
        k: h,
        a: top,
        lda: h,
        sa: h,
        b: this.score === "dot" ? st.enc : st.keys,
        ldb: h,
        sb: S * h,
        transposeB: true,
        c: w,
        ldc: S,
        sc: S,
        scratch
      });
    }
    softmaxRows(rt, { rows: B, cols: S, x: w, ldx: S, y: w, ldy: S, lens: st.lens });
    const [cOff, hOff] = this.concatOrder === "context_first" ? [0, h] : [h, 0];
    gemmBatched(rt, { batch: B, m: 1, n: h, k: S, a: w, lda: S, sa: S, b: st.enc, ldb: h, sb: S * h, c: cat + cOff * 4, ldc: 2 * h, sc: 2 * h, scratch });
    copyRows(rt, B, h, top, h, cat + hOff * 4, 2 * h);
    this.Wc.forward(cat, B, tilde, scratch);
    unary(rt, "tanh", B * h, tilde, tilde);
    copyRows(rt, 1, L * B * h, hNew, L * B * h, st.h, L * B * h);
    if (cNew) copyRows(rt, 1, L * B * h, cNew, L * B * h, st.c, L * B * h);
    if (this.inputFeeding) copyRows(rt, 1, B * h, tilde, B * h, st.feed, B * h);
    st.steps++;
    return { top: tilde, weights: w };
  }
  project(top, rows, logits, scratch) {
    this.Ws.forward(top, rows, logits, scratch);
  }
  outScratch(rows) {
    return this.Ws.scratchFloats(rows);
  }
  release() {
    this.rnn.dispose();
    for (const l of [this.Wa, this.WaQ, this.Wc, this.Ws]) l?.dispose();
    this.Wa = this.WaQ = this.Wc = this.Ws = null;
    if (this.va) this.rt.free(this.va);
    if (this.table) this.rt.free(this.table);
    this.va = this.table = 0;
  }
};
function greedyDecode(decoder, state, options) {
  const where = "greedyDecode";
  if (!decoder || typeof decoder.step !== "function") failType(where, `decoder must be a BahdanauDecoder or LuongDecoder, got ${describe(decoder)}`);
  if (!(state instanceof DecoderState)) failType(where, `state must be a DecoderState from decoder.initState(), got ${describe(state)}`);
  checkOptions(where, options, ["bos", "eos", "maxLength"]);
  if (!options) failType(where, "options { bos, eos, maxLength } are required");
  const V = decoder.vocabSize;
  const bos = checkId(where, "bos", options.bos, V), eos = checkId(where, "eos", options.eos, V);
  const maxLength = checkPositiveInt(where, "maxLength", options.maxLength);
  const B = state.batch, S = state.sourceLength;
  const lens = Array.from({ length: B }, (_, b) => state.validLens ? state.validLens[b] : S);
  const tokens = Array.from({ length: B }, () => []);
  const rows = Array.from({ length: B }, () => []);
  const stopped = new Array(B).fill(false);
  const input = new Int32Array(B).fill(bos);
  for (let t = 0; t < maxLength && stopped.some((s) => !s); t++) {
    const r = decoder.step(input, state);
    const logits = r.logits.data, weights = r.weights.data;
    for (let b = 0; b < B; b++) {
      if (stopped[b]) {
        input[b] = eos;
        continue;
      }
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[b * V + v] > logits[b * V + best]) best = v;
      rows[b].push(weights.slice(b * S, b * S + lens[b]));
      if (best === eos) stopped[b] = true;
      else tokens[b].push(best);
      input[b] = best;
    }
  }
  const alignments = rows.map((rs, b) => {
    const data = new Float32Array(rs.length * lens[b]);
    rs.forEach((row, i) => data.set(row, i * lens[b]));
    return { data, shape: [rs.length, lens[b]] };
  });
  return { tokens, stopped, alignments };
}

// bindings/nn/hierarchical.ts
var HierarchicalAttention = class {
  inputSize;
  wordHidden;
  sentenceHidden;
  wordAttention;
  sentenceAttention;
  numClasses;
  rt;
  ws;
  outputs;
  wordRnn;
  sentenceRnn;
  lin = { Ww: null, uw: null, Ws: null, us: null, fc: null };
  loaded = false;
  disposed = false;
  constructor(rt, options) {
    const where = "HierarchicalAttention";
    checkRuntime(where, rt);
    checkOptions(where, options, ["inputSize", "wordHidden", "sentenceHidden", "wordAttention", "sentenceAttention", "numClasses", "dropout"]);
    if (!options) failType(where, "options { inputSize, wordHidden, sentenceHidden } are required");
    this.inputSize = checkPositiveInt(where, "inputSize", options.inputSize);
    this.wordHidden = checkPositiveInt(where, "wordHidden", options.wordHidden);
    this.sentenceHidden = checkPositiveInt(where, "sentenceHidden", options.sentenceHidden);
    this.wordAttention = options.wordAttention === void 0 ? 2 * this.wordHidden : checkPositiveInt(where, "wordAttention", options.wordAttention);
    this.sentenceAttention = options.sentenceAttention === void 0 ? 2 * this.sentenceHidden : checkPositiveInt(where, "sentenceAttention", options.sentenceAttention);
    this.numClasses = options.numClasses === void 0 || options.numClasses === null ? null : checkPositiveInt(where, "numClasses", options.numClasses);
    this.rt = rt;
    this.ws = new Workspace(rt);
    this.outputs = new Outputs(rt, `${where}.forward`);
    this.wordRnn = new GRU(rt, { inputSize: this.inputSize, hiddenSize: this.wordHidden, bidirectional: true }, `${where}.word_rnn`);
    this.sentenceRnn = new GRU(rt, { inputSize: 2 * this.wordHidden, hiddenSize: this.sentenceHidden, bidirectional: true }, `${where}.sentence_rnn`);
  }
  parameterShapes() {
    const hw2 = 2 * this.wordHidden, hs2 = 2 * this.sentenceHidden, Aw = this.wordAttention, As = this.sentenceAttention;
    const p = [
      ...this.wordRnn.parameterShapes().map((q) => ({ name: `word_rnn.${q.name}`, shape: q.shape })),
      { name: "word_attention.weight", shape: [Aw, hw2] },
      { name: "word_attention.bias", shape: [Aw] },
      { name: "word_context_vector.weight", shape: [1, Aw] },
      ...this.sentenceRnn.parameterShapes().map((q) => ({ name: `sentence_rnn.${q.name}`, shape: q.shape })),
      { name: "sentence_attention.weight", shape: [As, hs2] },
      { name: "sentence_attention.bias", shape: [As] },
      { name: "sentence_context_vector.weight", shape: [1, As] }
    ];
    if (this.numClasses !== null) p.push({ name: "fc.weight", shape: [this.numClasses, hs2] }, { name: "fc.bias", shape: [this.numClasses] });
    return p;
  }
  /** All or nothing. */
  loadStateDict(sd, options) {
    const where = "HierarchicalAttention.loadStateDict";
    this.checkLive(where);
    const w = readStateDict(where, sd, this.parameterShapes(), options);
    const sub = (p) => new Map([...w].filter(([k]) => k.startsWith(p)).map(([k, v]) => [k.slice(p.length), v]));
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, made = [];
      const mk = (W4, b, o, i) => {
        const l = new PackedLinear(rt, w.get(W4), b ? w.get(b) : null, o, i);
        made.push(l);
        return l;
      };
      let lin;
      try {
        lin = {
          Ww: mk("word_attention.weight", "word_attention.bias", this.wordAttention, 2 * this.wordHidden),
          uw: mk("word_context_vector.weight", null, 1, this.wordAttention),
          Ws: mk("sentence_attention.weight", "sentence_attention.bias", this.sentenceAttention, 2 * this.sentenceHidden),
          us: mk("sentence_context_vector.weight", null, 1, this.sentenceAttention),
          fc: this.numClasses !== null ? mk("fc.weight", "fc.bias", this.numClasses, 2 * this.sentenceHidden) : null
        };
        this.wordRnn.loadStateDict(sub("word_rnn."));
        this.sentenceRnn.loadStateDict(sub("sentence_rnn."));
      } catch (e) {
        made.forEach((l) => l.dispose());
        throw e;
      }
      const old = { lin: this.lin, loaded: this.loaded };
      this.lin = lin;
      this.loaded = true;
      rt.journal.record(
        () => {
          made.forEach((l) => l.dispose());
          Object.assign(this, old);
        },
        () => {
          for (const l of Object.values(old.lin)) l?.dispose();
        }
      );
      return this;
    });
  }
  /**
   * x [B, S, T, inputSize]: B documents of S sentences of T word vectors. wordLens [B, S] (or flat B·S): words per
   * sentence (default T; 1 <= len <= T for sentences within the document's length); sentenceLens [B]: sentences per
   * document (default S; 1 <= len <= S). Results live in this module's memory until its next forward() or dispose().
   */
  forward(x, options = {}) {
    const where = "HierarchicalAttention.forward";
    this.checkLive(where);
    checkOptions(where, options, ["wordLens", "sentenceLens"]);
    if (!this.loaded) fail(where, "no weights loaded: call loadStateDict() first");
    const xs = shapeOf(where, "x", x);
    checkTensorInput(this.rt, where, "x", x);
    expectRank(where, "x", xs, [4], "(B, S, T, inputSize)");
    const [B, S, T, inF] = xs;
    if (inF !== this.inputSize) fail(where, `x must have inputSize = ${this.inputSize} features, got shape ${fmtShape(xs)}`);
    if (B < 1 || S < 1 || T < 1) fail(where, `x must not be empty, got shape ${fmtShape(xs)}`);
    const lens = (name, v, n, max, dflt) => {
      if (v === void 0 || v === null) return new Int32Array(n).fill(dflt);
      if (typeof v !== "object" || typeof v.length !== "number") failType(where, `${name} must be an array of ${n} lengths, got ${describe(v)}`);
      const a = v;
      if (a.length !== n) fail(where, `${name} must have ${n} values, got ${a.length}`);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (typeof a[i] !== "number" || !Number.isInteger(a[i]) || a[i] < 0 || a[i] > max) fail(where, `${name} values must be integers in [0, ${max}], got ${describe(a[i])}`);
        out[i] = a[i];
      }
      return out;
    };
    const sentLens = lens("sentenceLens", options.sentenceLens, B, S, S);
    const wordLens = lens("wordLens", options.wordLens, B * S, T, T);
    for (let b = 0; b < B; b++) {
      if (sentLens[b] < 1) fail(where, `sentenceLens values must be at least 1, got ${sentLens[b]} for document ${b}`);
      for (let s = 0; s < sentLens[b]; s++) if (wordLens[b * S + s] < 1) fail(where, `wordLens of sentence ${s} of document ${b} must be at least 1 (it is within sentenceLens), got 0`);
    }
    const hw2 = 2 * this.wordHidden, hs2 = 2 * this.sentenceHidden, Aw = this.wordAttention, As = this.sentenceAttention;
    return this.rt.journal.atomic(where, () => {
      const rt = this.rt, ws = this.ws, L = this.lin;
      const xin = stage(rt, ws, where, "x", x, "in.x", this.outputs.lease);
      const Hw = ws.get("hw", B * S * T * hw2);
      const Uw = ws.get("uw", B * S * T * Aw);
      const aw = ws.get("aw", B * S * T);
      const sv = ws.get("sv", B * S * hw2);
      const Hs = ws.get("hs", B * S * hs2);
      const Us = ws.get("us", B * S * As);
      const as = ws.get("as", B * S);
      const doc = ws.get("doc", B * hs2);
      const logits = L.fc ? ws.get("logits", B * this.numClasses) : 0;
      const seq = ws.get("seq", Math.max(B * S * T * inF, B * S * hw2));
      const lw = ws.get("lw", B * S), ls = ws.get("ls", B);
      const scratch = ws.get("gemm", Math.max(
        1,
        L.Ww.scratchFloats(B * S * T),
        L.uw.scratchFloats(B * S * T),
        L.Ws.scratchFloats(B * S),
        L.us.scratchFloats(B * S),
        L.fc?.scratchFloats(B) ?? 0,
        gemmScratchFloats(rt, 1, hw2, T),
        gemmScratchFloats(rt, 1, hs2, S)
      ));
      zero(rt, B * S * T * hw2, Hw);
      zero(rt, B * S * hs2, Hs);
      const groups = /* @__PURE__ */ new Map();
      for (let b = 0; b < B; b++) for (let s = 0; s < sentLens[b]; s++) {
        const len = wordLens[b * S + s];
        groups.set(len, [...groups.get(len) ?? [], b * S + s]);
      }
      for (const [len, members] of groups) {
        const n = members.length;
        members.forEach((i, j) => copyRows(rt, len, inF, xin.ptr + i * T * inF * 4, inF, seq + j * inF * 4, n * inF));
        const r = this.wordRnn.forward(new Tensor(rt, seq, [len, n, inF], false));
        members.forEach((i, j) => copyRows(rt, len, hw2, r.output.ptr + j * hw2 * 4, n * hw2, Hw + i * T * hw2 * 4, hw2));
      }
      L.Ww.forward(Hw, B * S * T, Uw, scratch);
      unary(rt, "tanh", B * S * T * Aw, Uw, Uw);
      L.uw.forward(Uw, B * S * T, aw, scratch);
      uploadI32(rt, lw, wordLens);
      softmaxRows(rt, { rows: B * S, cols: T, x: aw, ldx: T, y: aw, ldy: T, lens: lw });
      for (let b = 0; b < B; b++) if (sentLens[b] < S) zero(rt, (S - sentLens[b]) * T, aw + (b * S + sentLens[b]) * T * 4);
      gemmBatched(rt, { batch: B * S, m: 1, n: hw2, k: T, a: aw, lda: T, sa: T, b: Hw, ldb: hw2, sb: T * hw2, c: sv, ldc: hw2, sc: hw2, scratch });
      const docs = /* @__PURE__ */ new Map();
      for (let b = 0; b < B; b++) docs.set(sentLens[b], [...docs.get(sentLens[b]) ?? [], b]);
      for (const [len, members] of docs) {
        const n = members.length;
        members.forEach((b, j) => copyRows(rt, len, hw2, sv + b * S * hw2 * 4, hw2, seq + j * hw2 * 4, n * hw2));
        const r = this.sentenceRnn.forward(new Tensor(rt, seq, [len, n, hw2], false));
        members.forEach((b, j) => copyRows(rt, len, hs2, r.output.ptr + j * hs2 * 4, n * hs2, Hs + b * S * hs2 * 4, hs2));
      }
      L.Ws.forward(Hs, B * S, Us, scratch);
      unary(rt, "tanh", B * S * As, Us, Us);
      L.us.forward(Us, B * S, as, scratch);
      uploadI32(rt, ls, sentLens);
      softmaxRows(rt, { rows: B, cols: S, x: as, ldx: S, y: as, ldy: S, lens: ls });
      gemmBatched(rt, { batch: B, m: 1, n: hs2, k: S, a: as, lda: S, sa: S, b: Hs, ldb: hs2, sb: S * hs2, c: doc, ldc: hs2, sc: hs2, scratch });
      if (L.fc) L.fc.forward(doc, B, logits, scratch);
      const lease = this.outputs.next();
      return {
        document: new Tensor(rt, doc, [B, hs2], false, lease),
        wordWeights: new Tensor(rt, aw, [B, S, T], false, lease),
        sentenceWeights: new Tensor(rt, as, [B, S], false, lease),
        logits: L.fc ? new Tensor(rt, logits, [B, this.numClasses], false, lease) : null
      };
    });
  }
  checkLive(where) {
    if (this.disposed) fail(where, "module used after dispose()");
  }
  dispose() {
    if (this.disposed) return;
    for (const l of Object.values(this.lin)) l?.dispose();
    this.wordRnn.dispose();
    this.sentenceRnn.dispose();
    this.ws.dispose();
    this.outputs.end();
    this.disposed = true;
  }
};
export {
  Attention,
  BahdanauDecoder,
  DEFAULT_FONT_FAMILY,
  DecoderState,
  GRU,
  HierarchicalAttention,
  KVCache,
  LSTM,
  LuongDecoder,
  MultiDimensionalAttention,
  MultiHead,
  Runtime,
  SafetensorsError,
  Seq2SeqEncoder,
  StructuredSelfAttention,
  Tensor,
  TfjsWeights,
  Transformer,
  TransformerCache,
  USE_LITE,
  USE_LITE_WEIGHTS,
  UniversalSentenceEncoderLite,
  UseTokenizer,
  attentionHeatmapSVG,
  colorBarTicks,
  decodeTfjsWeights,
  greedyDecode,
  init,
  loadSafetensors,
  loadTfjsGraphWeights,
  parseTfjsModelJson,
  relaxedSimdSupported,
  saveSafetensors,
  tfjsStateDict,
  toStateDict,
  useLiteLayerEntries,
  viridis
};
