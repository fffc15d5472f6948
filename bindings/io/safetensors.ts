// safetensors reader/writer (format: ATTENTION_SEMANTICS.md §5.2). Pure TypeScript, no wasm.
// The reader accepts exactly the files the reference Rust reader accepts (huggingface/safetensors
// `safetensors/src/tensor.rs`, `SafeTensors::read_metadata`: the header is parsed by serde_json into
// `struct HashMetadata { __metadata__: Option<HashMap<String, String>>, #[serde(flatten)] tensors: HashMap<String,
// TensorInfo> }`, then `Metadata::validate`), with two deliberate differences, both stricter:
// - duplicate JSON keys are rejected at every level (the format README forbids them; serde's HashMap would keep the
//   last value of a repeated tensor name or metadata key);
// - a file whose tensors claim more than 2^64 - 8 - N bytes is rejected (the reference computes
//   `buffer_end + 8 + N` unchecked, which wraps in release builds).

/** Every dtype the reference reader knows, with its size in bits. */
const DTYPE_BITS = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32,
  C64: 64, F64: 64, I64: 64, U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BITS;

/** Same limit as the reference reader: refuses to parse absurd headers. */
export const MAX_HEADER_SIZE = 100_000_000;

/**
 * serde_json's recursion limit: it starts with 128 levels of budget and fails when opening the 128th nested
 * array/object (`remaining_depth -= 1; if remaining_depth == 0 { error }`). So 127 levels, counting the header's
 * own `{` as level 1, are accepted and 128 are not.
 */
export const MAX_JSON_NESTING = 127;

/** Largest `usize` of the (64-bit) reference reader: shape dims and offsets above this are not integers to it. */
const USIZE_MAX = (1n << 64n) - 1n;

export class SafetensorsError extends Error {
  /** The message without the name of the call. */
  readonly detail: string;
  /** `where`: the public call (loadSafetensors, saveSafetensors, ...) or 'safetensors' deep inside one. */
  constructor(message: string, where = 'safetensors') {
    super(`${where}: ${message}`);
    this.name = 'SafetensorsError';
    this.detail = message;
  }
}

// Runs a public entry point so that its errors name it (inner helpers throw with the generic 'safetensors').
function named<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SafetensorsError && !e.message.startsWith(`${where}:`)) throw new SafetensorsError(e.detail, where);
    if (e instanceof TypeError && !/^\w+:/.test(e.message)) throw new TypeError(`${where}: ${e.message}`);
    throw e;
  }
}

/** One tensor of a loaded file. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /**
   * Row-major shape; `[]` for a scalar. Exact for every tensor that holds data (its dims are bounded by the byte
   * count). A zero-size tensor may legally declare dims up to 2^64 - 1 (e.g. `[0, 18446744073709551615]`); such
   * dims above 2^53 are rounded to the nearest double here; `exactShape` has the exact values.
   */
  readonly shape: number[];
  /** The shape exactly as written in the header, as `bigint`s (dims up to 2^64 - 1). */
  readonly exactShape: readonly bigint[];
  /** Raw little-endian bytes: a view into the input (no copy), valid while the input is. */
  readonly bytes: Uint8Array;
  /**
   * The values as a fresh Float32Array, converted on first access and cached.
   * F32, F16 (subnormals, ±Inf, NaN), BF16, F64 (rounded) and the integer/BOOL dtypes
   * (I8..I64, U8..U64, BOOL -> 0/1; exact up to 2^24, rounded beyond) convert.
   * F4/F6/F8 and C64 throw a SafetensorsError naming the tensor and dtype.
   */
  readonly data: Float32Array;
}

/**
 * A parsed safetensors file. `tensors` and `metadata` are null-prototype objects, so looking up a name such as
 * "constructor" never finds an inherited property.
 */
export interface SafetensorsFile {
  readonly tensors: Record<string, SafetensorsTensor>;
  /** The `__metadata__` map (empty object when absent or `null`). */
  readonly metadata: Record<string, string>;
  /** Tensor names in file order (ascending data offset). */
  readonly names: string[];
  /** `{ name: Float32Array }` of every tensor; throws for dtypes that do not convert (see `data`). */
  stateDict(): Record<string, Float32Array>;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fmtOffsets(o: readonly [bigint, bigint]): string {
  return `[${o[0]}, ${o[1]}]`;
}

function fmtShape(s: readonly (number | bigint)[]): string {
  return `[${s.join(', ')}]`;
}

/** Short description of a bad argument for TypeErrors. */
function describeArg(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Map) return 'a Map';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}...` : x)}`;
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no prototype'})`;
  return typeof x === 'function' ? 'a function' : `${typeof x} ${String(x)}`;
}

function asBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`loadSafetensors: input must be a Uint8Array, ArrayBuffer or other ArrayBufferView, got ${describeArg(input)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Strict JSON for the header.
//
// JSON.parse is not the reference's parser: it turns `4.0`, `0e0` and `-0` into integers (serde wants a plain
// unsigned literal for usize), rounds integers above 2^53, accepts lone surrogate escapes ("\ud800") that serde_json
// rejects, has no nesting limit, silently keeps the last of duplicate keys, and answers Infinity where serde_json
// fails with "number out of range". So the header gets its own small parser that keeps what serde_json would know:
// whether a number is a u64 (and its exact value as a bigint), decoded strings, and key order (for file order).
// ---------------------------------------------------------------------------------------------------------------

type Json =
  | { kind: 'object'; entries: [string, Json][] }
  | { kind: 'array'; items: Json[] }
  | { kind: 'string'; value: string }
  /** `u64`: the exact value when serde_json would read the literal as a u64 (plain digits, <= 2^64 - 1), else null. */
  | { kind: 'number'; raw: string; u64: bigint | null }
  | { kind: 'literal'; value: boolean | null };

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

class HeaderParser {
  pos = 0;
  depth = 0;
  /** Top-level key whose value is being parsed, to name the tensor in syntax errors. */
  topKey: string | null = null;
  constructor(readonly text: string) {}

  fail(what: string, at = this.pos): never {
    const where = this.topKey === null ? '' : ` (in the entry for ${JSON.stringify(this.topKey)})`;
    throw new SafetensorsError(`header is not valid JSON: ${what} at character ${at}${where}`);
  }

  /** JSON whitespace only (space, \t, \n, \r), like serde_json; a BOM or NUL is not whitespace. */
  skipWs(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  unexpected(expected: string): never {
    if (this.pos >= this.text.length) this.fail(`unexpected end, expected ${expected}`);
    this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}, expected ${expected}`);
  }

  value(): Json {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    return this.unexpected('a JSON value');
  }

  /** Counts nesting exactly like serde_json's recursion budget (see MAX_JSON_NESTING). */
  enter(): void {
    if (++this.depth > MAX_JSON_NESTING) {
      this.fail(`arrays/objects nested ${this.depth} deep (serde_json, the reference parser, allows at most ${MAX_JSON_NESTING})`);
    }
    this.pos++;
  }

  object(): Json {
    this.enter();
    const entries: [string, Json][] = [];
    let seen: Set<string> | null = null; // built only for large objects; small ones are scanned (cheaper)
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
    } else {
      for (;;) {
        this.skipWs();
        if (this.text[this.pos] !== '"') this.unexpected('a string key');
        const keyAt = this.pos;
        const key = this.string();
        // Compared after decoding, so "a" and "\u0061" are the same key.
        if (seen === null && entries.length >= 8) seen = new Set(entries.map((kv) => kv[0]));
        if (seen ? seen.has(key) : entries.some((kv) => kv[0] === key)) {
          throw new SafetensorsError(`header repeats the key ${JSON.stringify(key)} (character ${keyAt})`);
        }
        seen?.add(key);
        this.skipWs();
        if (this.text[this.pos] !== ':') this.unexpected('":"');
        this.pos++;
        if (this.depth === 1) this.topKey = key;
        entries.push([key, this.value()]);
        if (this.depth === 1) this.topKey = null;
        this.skipWs();
        const c = this.text[this.pos++];
        if (c === '}') break;
        if (c !== ',') { this.pos--; this.unexpected('"," or "}"'); }
      }
    }
    this.depth--;
    return { kind: 'object', entries };
  }

  array(): Json {
    this.enter();
    const items: Json[] = [];
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
    } else {
      for (;;) {
        items.push(this.value());
        this.skipWs();
        const c = this.text[this.pos++];
        if (c === ']') break;
        if (c !== ',') { this.pos--; this.unexpected('"," or "]"'); }
      }
    }
    this.depth--;
    return { kind: 'array', items };
  }

  number(): Json {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('invalid number');
    const raw = m[0];
    this.pos = start + raw.length;
    // serde_json reads plain digits that fit as u64; everything else (sign, fraction, exponent, too large; also
    // `-0`) becomes i64 or f64, which the usize fields reject. Plain digits have no leading zeros here, so more
    // than 20 digits is always above 2^64 - 1 (and skipping BigInt keeps a long digit run cheap).
    const plain = m[1] === undefined && m[2] === undefined && raw[0] !== '-';
    const u64 = plain && raw.length <= 20 && BigInt(raw) <= USIZE_MAX ? BigInt(raw) : null;
    // serde_json fails with "number out of range" instead of producing ±infinity. (Its f64 rounding without the
    // float_roundtrip feature can differ from JS in the last bit, which only matters within one ulp of 1.8e308.)
    if (u64 === null && !Number.isFinite(Number(raw))) this.fail(`number ${raw.length > 40 ? `${raw.slice(0, 40)}...` : raw} out of range`, start);
    return { kind: 'number', raw, u64 };
  }

  /** A string starting at `pos` (on the quote). Rules of serde_json's `parse_str` with validation on. */
  string(): string {
    const t = this.text;
    let out = '';
    let run = ++this.pos;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) { // closing quote
        out += t.slice(run, this.pos++);
        return out;
      }
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c < 0x20) this.fail(`control character U+${c.toString(16).padStart(4, '0')} inside a string (must be escaped)`);
      if (c !== 0x5c) { this.pos++; continue; }
      out += t.slice(run, this.pos);
      const e = t[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          // Surrogates must come as a \uD8xx-\uDBxx \uDCxx-\uDFxx pair: serde_json rejects unpaired ones in strings
          // (a Rust String cannot hold them), where JSON.parse would keep them.
          const hi = this.hex4();
          if (hi >= 0xdc00 && hi <= 0xdfff) this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 6);
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (t[this.pos] !== '\\' || t[this.pos + 1] !== 'u') this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 6);
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail(`unpaired surrogate escape \\u${hi.toString(16)}`, this.pos - 12);
            out += String.fromCharCode(hi, lo);
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          this.fail(`invalid escape ${JSON.stringify(`\\${e ?? ''}`)}`, this.pos - 2);
      }
      run = this.pos;
    }
  }

  hex4(): number {
    const h = this.text.slice(this.pos, this.pos + 4);
    if (!HEX4.test(h)) this.fail(`invalid \\u escape ${JSON.stringify(`\\u${h}`)}`, this.pos - 2);
    this.pos += 4;
    return parseInt(h, 16);
  }
}

/**
 * Parses the header text as serde_json::from_str would: optional JSON whitespace, one value, optional JSON
 * whitespace, end. Leading whitespace is accepted on purpose: the reference reader dropped its "must start with
 * `{`" check and tests `\t\n{}\r ` as valid ("writers may pad the header to align the data section"). The value
 * must be an object (HashMetadata deserializes only from a map).
 */
function parseHeader(text: string): [string, Json][] {
  const p = new HeaderParser(text);
  p.skipWs();
  if (text[p.pos] !== '{') {
    throw new SafetensorsError(`header must be a JSON object (optional whitespace, then "{"), got ${JSON.stringify(text.slice(0, 16))}`);
  }
  const top = p.object() as { kind: 'object'; entries: [string, Json][] };
  p.skipWs();
  if (p.pos < text.length) p.unexpected('only whitespace after the top-level object');
  return top.entries;
}

/** Compact rendering of a header value for error messages. */
function show(v: Json | undefined): string {
  if (v === undefined) return 'nothing';
  let s: string;
  switch (v.kind) {
    case 'number': s = v.raw; break;
    case 'string': s = JSON.stringify(v.value); break;
    case 'literal': s = String(v.value); break;
    case 'array': s = `[${v.items.map(show).join(', ')}]`; break;
    case 'object': s = `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}: ${show(x)}`).join(', ')}}`; break;
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: bigint[];
  offsets: [bigint, bigint];
}

function isDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BITS, s);
}

const DTYPE_LIST = Object.keys(DTYPE_BITS).join(', ');

/**
 * One `TensorInfo { dtype: Dtype, shape: Vec<usize>, data_offsets: (usize, usize) }`, with serde's derive rules:
 * - an object with those three fields (any order; unknown fields ignored; repeats are errors), or, as serde also
 *   deserializes structs from sequences, the array `[dtype, shape, data_offsets]` of exactly three items;
 * - `dtype` is a unit enum variant: its name as a string, or serde's externally tagged form `{"F32": null}`;
 * - a usize is only a plain non-negative integer literal up to 2^64 - 1 (no `-0`, fraction or exponent);
 * - `data_offsets` is a 2-tuple: exactly two usizes.
 */
function parseEntry(name: string, v: Json): Entry {
  const where = `tensor ${JSON.stringify(name)}`;
  let dtypeV: Json | undefined, shapeV: Json | undefined, offsetsV: Json | undefined;
  if (v.kind === 'object') {
    for (const [k, x] of v.entries) {
      if (k === 'dtype') dtypeV = x;
      else if (k === 'shape') shapeV = x;
      else if (k === 'data_offsets') offsetsV = x;
    }
  } else if (v.kind === 'array' && v.items.length === 3) {
    [dtypeV, shapeV, offsetsV] = v.items;
  } else if (v.kind === 'array') {
    throw new SafetensorsError(`${where}: a header entry given as an array must be [dtype, shape, data_offsets] (3 items), got ${v.items.length} items`);
  } else {
    throw new SafetensorsError(`${where}: header entry must be an object {dtype, shape, data_offsets}, got ${show(v)}`);
  }

  let dtype: string | undefined;
  if (dtypeV?.kind === 'string') dtype = dtypeV.value;
  else if (dtypeV?.kind === 'object' && dtypeV.entries.length === 1 && dtypeV.entries[0][1].kind === 'literal' &&
    dtypeV.entries[0][1].value === null) dtype = dtypeV.entries[0][0];
  else throw new SafetensorsError(`${where}: "dtype" must be a string, got ${show(dtypeV)}`);
  if (!isDtype(dtype)) throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${DTYPE_LIST})`);

  const usize = (x: Json) => (x.kind === 'number' ? x.u64 : null);
  const shape = shapeV?.kind === 'array' ? shapeV.items.map(usize) : null;
  if (shape === null || shape.includes(null)) {
    throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers (plain digits, at most 2^64 - 1), got ${show(shapeV)}`);
  }
  const offsets = offsetsV?.kind === 'array' && offsetsV.items.length === 2 ? offsetsV.items.map(usize) : null;
  if (offsets === null || offsets.includes(null)) {
    throw new SafetensorsError(`${where}: "data_offsets" must be [begin, end] non-negative integers (plain digits, at most 2^64 - 1), got ${show(offsetsV)}`);
  }
  const [b, e] = offsets as [bigint, bigint];
  if (e < b) throw new SafetensorsError(`${where}: data_offsets ${fmtOffsets([b, e])} end before they begin`);
  return { name, dtype, shape: shape as bigint[], offsets: [b, e] };
}

/** `Option<HashMap<String, String>>`: null means no metadata. */
function parseMetadata(v: Json): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (v.kind === 'literal' && v.value === null) return out;
  if (v.kind !== 'object') {
    throw new SafetensorsError(`"__metadata__" must be an object mapping strings to strings (or null), got ${show(v)}`);
  }
  for (const [k, s] of v.entries) {
    if (s.kind !== 'string') throw new SafetensorsError(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${show(s)}`);
    out[k] = s.value;
  }
  return out;
}

/**
 * `Metadata::validate`: sorted by offsets, tensors must tile [0, buffer_end) exactly, each holding prod(shape)
 * elements. The element count is folded left to right with overflow checks on u64, as the reference does
 * (`try_fold(1, checked_mul)`): a zero dim makes every later product 0, but an overflow before it is an error
 * even though the tensor is empty (`[0, 2^64-1]` is valid, `[2^32, 2^32, 0]` is not). Returns buffer_end.
 */
function validateLayout(entries: Entry[]): bigint {
  const cmp = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
  entries.sort((a, b) => cmp(a.offsets[0], b.offsets[0]) || cmp(a.offsets[1], b.offsets[1]));
  let end = 0n;
  let prev: Entry | null = null;
  for (const e of entries) {
    const [b, f] = e.offsets;
    const where = `tensor ${JSON.stringify(e.name)} data_offsets ${fmtOffsets(e.offsets)}`;
    if (b > end) {
      const after = prev ? `after tensor ${JSON.stringify(prev.name)}` : 'at the start of the byte buffer';
      throw new SafetensorsError(`${where} leave a hole of ${b - end} bytes ${after} (expected begin ${end})`);
    }
    if (b < end) {
      throw new SafetensorsError(`${where} overlap tensor ${JSON.stringify(prev!.name)} data_offsets ${fmtOffsets(prev!.offsets)}`);
    }
    let count = 1n;
    for (const d of e.shape) {
      count *= d;
      if (count > USIZE_MAX) {
        throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: element count of shape ${fmtShape(e.shape)} overflows 64 bits`);
      }
    }
    const bits = count * BigInt(DTYPE_BITS[e.dtype]);
    if (bits > USIZE_MAX) {
      throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: bit size of ${e.dtype} shape ${fmtShape(e.shape)} overflows 64 bits`);
    }
    if (bits % 8n !== 0n) {
      throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: ${e.dtype} shape ${fmtShape(e.shape)} is ${bits} bits, not a whole number of bytes`);
    }
    if (bits / 8n !== f - b) {
      throw new SafetensorsError(`${where} hold ${f - b} bytes but ${e.dtype} shape ${fmtShape(e.shape)} needs ${bits / 8n}`);
    }
    end = f;
    prev = e;
  }
  return end;
}

/**
 * Parses a safetensors file, accepting exactly what the reference reader accepts (see the top of this file): header
 * length (<= 100,000,000 and within the file), UTF-8 JSON object (JSON whitespace allowed before and after it;
 * strict numbers, paired surrogate escapes, at most 127 levels of nesting, no duplicate keys), well-formed entries,
 * `__metadata__` a string map or null, tensors contiguous from offset 0 with no holes or overlaps, byte sizes
 * matching dtype x shape without 64-bit overflow, and no bytes after the last tensor. Throws SafetensorsError with a
 * message naming the offending tensor or field; a non-binary argument is a TypeError.
 *
 * Tensor bytes are not copied; `tensor.data` converts (and copies) on first access.
 */
export function loadSafetensors(input: Uint8Array | ArrayBuffer | ArrayBufferView): SafetensorsFile {
  return named('loadSafetensors', () => parseFile(input));
}

function parseFile(input: Uint8Array | ArrayBuffer | ArrayBufferView): SafetensorsFile {
  const bytes = asBytes(input);
  if (bytes.length < 8) {
    throw new SafetensorsError(`file is ${bytes.length} bytes, too small for the 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // inexact only far above MAX_HEADER_SIZE
  if (n > MAX_HEADER_SIZE) throw new SafetensorsError(`header length ${n} exceeds the maximum ${MAX_HEADER_SIZE}`);
  if (n > bytes.length - 8) {
    throw new SafetensorsError(`header length ${n} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  }

  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text, so the parser rejects it as serde_json does (it is not JSON whitespace).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }

  let metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, v] of parseHeader(text)) {
    if (name === '__metadata__') metadata = parseMetadata(v);
    else entries.push(parseEntry(name, v));
  }
  const bufferEnd = validateLayout(entries);
  if (BigInt(8 + n) + bufferEnd !== BigInt(bytes.length)) {
    throw new SafetensorsError(
      `file is ${bytes.length} bytes but the header (8 + ${n}) and tensors (${bufferEnd}) account for ${BigInt(8 + n) + bufferEnd}`);
  }

  // From here every offset is <= bytes.length, so Number() is exact.
  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  const start = 8 + n;
  for (const e of entries) {
    const view = bytes.subarray(start + Number(e.offsets[0]), start + Number(e.offsets[1]));
    tensors[e.name] = new LoadedTensor(e.name, e.dtype, e.shape, view);
  }
  const names = entries.map((e) => e.name);
  return {
    tensors, metadata, names,
    stateDict() {
      const sd: Record<string, Float32Array> = Object.create(null);
      for (const name of names) sd[name] = tensors[name].data;
      return sd;
    },
  };
}

class LoadedTensor implements SafetensorsTensor {
  #data: Float32Array | null = null;
  readonly shape: number[];
  readonly exactShape: readonly bigint[];
  constructor(readonly name: string, readonly dtype: SafetensorsDtype, shape: bigint[], readonly bytes: Uint8Array) {
    this.exactShape = Object.freeze(shape);
    this.shape = shape.map(Number);
  }
  get data(): Float32Array {
    return (this.#data ??= toFloat32(this.name, this.dtype, this.bytes));
  }
}

/** Little-endian `bytes` of `dtype` to a fresh Float32Array. */
function toFloat32(name: string, dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  const bits = DTYPE_BITS[dtype];
  const count = (bytes.length * 8) / bits;
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      // Fast path when the typed-array view is legal and byte order matches; old files need not be aligned.
      if (isLittleEndian && bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    case 'F16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) {
        const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
        const sign = (h & 0x8000) << 16;
        const exp = (h >> 10) & 0x1f;
        const man = h & 0x3ff;
        if (exp === 0x1f) u32[i] = sign | 0x7f800000 | (man << 13); // Inf/NaN, payload kept
        else if (exp !== 0) u32[i] = sign | ((exp + 112) << 23) | (man << 13); // rebias 15 -> 127
        else if (man === 0) u32[i] = sign; // ±0
        else out[i] = (sign ? -man : man) * 2 ** -24; // subnormal: exact in f32
      }
      return out;
    }
    case 'BF16': {
      // bf16 is the upper half of an f32.
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
      return out;
    }
    case 'F64': for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true); return out;
    case 'BOOL': for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0; return out;
    case 'U8': for (let i = 0; i < count; i++) out[i] = bytes[i]; return out;
    case 'I8': for (let i = 0; i < count; i++) out[i] = dv.getInt8(i); return out;
    case 'U16': for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true); return out;
    case 'I16': for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true); return out;
    case 'U32': for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, true); return out;
    case 'I32': for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true); return out;
    case 'U64': for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(8 * i, true)); return out;
    case 'I64': for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true)); return out;
    default:
      throw new SafetensorsError(
        `tensor ${JSON.stringify(name)} has dtype ${dtype}, which cannot be read as Float32 (supported: F32, F16, BF16, F64, integer and BOOL dtypes)`);
  }
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** An object whose own enumerable keys are the entries (not null, an array, a Map or a typed array). */
function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Map) && !ArrayBuffer.isView(x) &&
    !(x instanceof ArrayBuffer);
}

/** A tensor to write: values plus shape, or a bare Float32Array (saved as 1-D). */
export type SaveTensor = Float32Array | { data: Float32Array; shape: readonly number[] };

/**
 * Writes F32 tensors as a safetensors file: tensors sorted by name, `__metadata__` first when given, header padded
 * with spaces so the byte buffer starts 8-byte aligned (like the reference writer). A `tensors` or `metadata`
 * argument that is not a plain object (null, a primitive, an array, a Map, a typed array) is a TypeError; a bad
 * entry inside them is a SafetensorsError naming it.
 */
export function saveSafetensors(tensors: Record<string, SaveTensor>, metadata?: Record<string, string> | null): Uint8Array {
  return named('saveSafetensors', () => writeFile(tensors, metadata));
}

function writeFile(tensors: Record<string, SaveTensor>, metadata?: Record<string, string> | null): Uint8Array {
  if (!isPlainRecord(tensors)) {
    throw new TypeError(`saveSafetensors: tensors must be an object {name: Float32Array | {data: Float32Array, shape: number[]}}, got ${describeArg(tensors)}`);
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && metadata !== null) {
    if (!isPlainRecord(metadata)) {
      throw new TypeError(`saveSafetensors: metadata must be an object mapping strings to strings, got ${describeArg(metadata)}`);
    }
    const md: Record<string, string> = {};
    for (const [k, s] of Object.entries(metadata)) {
      if (typeof s !== 'string') {
        throw new SafetensorsError(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${describeArg(s)}`);
      }
      Object.defineProperty(md, k, { value: s, enumerable: true, writable: true, configurable: true });
    }
    header.__metadata__ = md;
  }
  const names = Object.keys(tensors).sort();
  const items: { data: Float32Array; begin: number }[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
    const t = tensors[name];
    const data = t instanceof Float32Array ? t : t?.data;
    const shape = t instanceof Float32Array ? [t.length] : t?.shape;
    if (!(data instanceof Float32Array) || !Array.isArray(shape) || !shape.every(isIndex)) {
      throw new SafetensorsError(`tensor ${JSON.stringify(name)}: expected a Float32Array or {data: Float32Array, shape: number[]}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape ${fmtShape([...shape])} needs ${size} values, data has ${data.length}`);
    }
    // defineProperty: a tensor named "__proto__" must become a key, not a prototype.
    Object.defineProperty(header, name, {
      value: { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + 4 * size] },
      enumerable: true, writable: true, configurable: true,
    });
    items.push({ data, begin: offset });
    offset += 4 * size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true); // high word stays 0: headers are far below 2^32
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  const base = 8 + padded;
  for (const { data, begin } of items) {
    if (isLittleEndian) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base + begin);
    else for (let i = 0; i < data.length; i++) dv.setFloat32(base + begin + 4 * i, data[i], true);
  }
  return out;
}

/** What `loadStateDict` accepts: a loaded file, or `{ name: Float32Array | {data, shape} }` as an object or Map. */
export type StateDictInput =
  | SafetensorsFile
  | Record<string, Float32Array | { data: Float32Array; shape: readonly number[] }>
  | Map<string, Float32Array | { data: Float32Array; shape: readonly number[] }>;

/**
 * Normalises any StateDictInput to `Map<name, {data, shape}>`; `shape` is null where the input gave a bare
 * Float32Array (the consumer checks the length against the shape it expects). For a loaded file, `data` converts on
 * first access (so unused tensors cost nothing). Data is not copied: a Tensor's
 * `data` is a view into wasm memory, so copy it before the memory can grow.
 */
export function toStateDict(x: StateDictInput): Map<string, { data: Float32Array; shape: number[] | null }> {
  return named('toStateDict', () => stateDictOf(x));
}

function stateDictOf(x: StateDictInput): Map<string, { data: Float32Array; shape: number[] | null }> {
  const out = new Map<string, { data: Float32Array; shape: number[] | null }>();
  if (isSafetensorsFile(x)) {
    for (const name of x.names) {
      const t = x.tensors[name];
      // Lazy: a module taking a few tensors from a large checkpoint converts only those, and an unreadable dtype
      // (F8, ...) only throws if that tensor is actually used.
      out.set(name, { get data() { return t.data; }, shape: t.shape.slice() });
    }
    return out;
  }
  if (typeof x !== 'object' || x === null) throw new TypeError(`state dict must be an object, a Map or a loaded safetensors file, got ${describeArg(x)}`);
  const entries = x instanceof Map ? [...x.entries()] : Object.entries(x);
  for (const [name, v] of entries) {
    if (v instanceof Float32Array) {
      out.set(name, { data: v, shape: null });
    } else if (v && typeof v === 'object' && (v as { data: unknown }).data instanceof Float32Array && Array.isArray(v.shape)) {
      const shape = [...v.shape];
      const size = shape.reduce((a, b) => a * b, 1);
      if (!shape.every(isIndex) || size !== v.data.length) {
        throw new TypeError(`state dict entry "${name}": shape ${fmtShape(shape)} does not match ${v.data.length} values`);
      }
      out.set(name, { data: v.data, shape });
    } else {
      throw new TypeError(`state dict entry "${name}" must be a Float32Array or {data: Float32Array, shape: number[]}`);
    }
  }
  return out;
}

function isSafetensorsFile(x: unknown): x is SafetensorsFile {
  const f = x as SafetensorsFile;
  return typeof x === 'object' && x !== null && !(x instanceof Map) && typeof f.stateDict === 'function' &&
    Array.isArray(f.names) && typeof f.tensors === 'object' && f.tensors !== null;
}
