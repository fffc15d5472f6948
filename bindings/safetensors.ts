// safetensors reader/writer (format: ATTENTION_SEMANTICS.md §5.2). Pure TypeScript, no wasm.
// Validation follows the reference Rust reader (`safetensors/src/tensor.rs`), so a file this accepts is one
// the Python/Rust tooling accepts and vice versa.

/** Every dtype the reference reader knows, with its size in bits. */
const DTYPE_BITS = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32,
  C64: 64, F64: 64, I64: 64, U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BITS;

/** Same limit as the reference reader: refuses to parse absurd headers. */
export const MAX_HEADER_SIZE = 100_000_000;

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** One tensor of a loaded file. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Row-major shape; `[]` for a scalar. */
  readonly shape: number[];
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
  /** The `__metadata__` map (empty object when absent). */
  readonly metadata: Record<string, string>;
  /** Tensor names in file order (ascending data offset). */
  readonly names: string[];
  /** `{ name: Float32Array }` of every tensor; throws for dtypes that do not convert (see `data`). */
  stateDict(): Record<string, Float32Array>;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fmtOffsets(o: [number, number]): string {
  return `[${o[0]}, ${o[1]}]`;
}

function fmtShape(s: number[]): string {
  return `[${s.join(', ')}]`;
}

function asBytes(input: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('safetensors: loadSafetensors expects a Uint8Array or ArrayBuffer');
}

/**
 * Throws if any JSON object in `text` repeats a key. JSON.parse keeps the last duplicate silently, and the format
 * forbids duplicates. Runs only on text that JSON.parse accepted, so it just tracks strings and nesting.
 */
function checkDuplicateKeys(text: string): void {
  const stack: (Set<string> | null)[] = []; // null marks an array level
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) stack.push(new Set());
    else if (c === 0x5b) stack.push(null);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x22) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      let j = i + 1;
      while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++;
      const keys = stack[stack.length - 1];
      if (text[j] === ':' && keys) {
        // Decode escapes so that "a" and "\u0061" count as the same key.
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (keys.has(key)) throw new SafetensorsError(`header repeats the key ${JSON.stringify(key)}`);
        keys.add(key);
      }
    }
  }
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  offsets: [number, number];
}

function parseEntry(name: string, v: unknown): Entry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new SafetensorsError(`${where}: header entry must be an object {dtype, shape, data_offsets}`);
  }
  const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new SafetensorsError(`${where}: "dtype" must be a string`);
  if (!Object.prototype.hasOwnProperty.call(DTYPE_BITS, dtype)) {
    throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BITS).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw new SafetensorsError(`${where}: "data_offsets" must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  if (offsets[1] < offsets[0]) {
    throw new SafetensorsError(`${where}: data_offsets ${fmtOffsets(offsets as [number, number])} end before they begin`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape.slice(), offsets: [offsets[0], offsets[1]] };
}

function parseMetadata(v: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new SafetensorsError('"__metadata__" must be an object mapping strings to strings');
  }
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string') {
      throw new SafetensorsError(`"__metadata__" value for ${JSON.stringify(k)} must be a string, got ${JSON.stringify(s)}`);
    }
    out[k] = s;
  }
  return out;
}

/** Sorted by offsets, tensors must tile [0, buffer_end) exactly, each holding prod(shape) elements. */
function validateLayout(entries: Entry[]): number {
  entries.sort((a, b) => a.offsets[0] - b.offsets[0] || a.offsets[1] - b.offsets[1]);
  let end = 0;
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
    // BigInt: the element count of a hostile shape can exceed 2^53.
    const bits = e.shape.reduce((n, d) => n * BigInt(d), 1n) * BigInt(DTYPE_BITS[e.dtype]);
    if (bits % 8n !== 0n) {
      throw new SafetensorsError(`tensor ${JSON.stringify(e.name)}: ${e.dtype} shape ${fmtShape(e.shape)} is ${bits} bits, not a whole number of bytes`);
    }
    if (bits / 8n !== BigInt(f - b)) {
      throw new SafetensorsError(`${where} hold ${f - b} bytes but ${e.dtype} shape ${fmtShape(e.shape)} needs ${bits / 8n}`);
    }
    end = f;
    prev = e;
  }
  return end;
}

/**
 * Parses a safetensors file. Validation matches the reference reader: header length (<= 100,000,000 and within the
 * file), UTF-8 JSON object starting with `{` (trailing whitespace allowed), no duplicate keys, well-formed entries,
 * tensors contiguous from offset 0 with no holes or overlaps, byte sizes matching dtype x shape, and no bytes after
 * the last tensor. Throws SafetensorsError with a message naming the offending tensor.
 *
 * Tensor bytes are not copied; `tensor.data` converts (and copies) on first access.
 */
export function loadSafetensors(input: Uint8Array | ArrayBuffer): SafetensorsFile {
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

  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text so the `{` check below rejects it, as the reference reader does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) {
    throw new SafetensorsError(`header must start with "{", got ${JSON.stringify(text.slice(0, 16))}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  checkDuplicateKeys(text);

  let metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(v);
    else entries.push(parseEntry(name, v));
  }
  const bufferEnd = validateLayout(entries);
  if (8 + n + bufferEnd !== bytes.length) {
    throw new SafetensorsError(
      `file is ${bytes.length} bytes but the header (8 + ${n}) and tensors (${bufferEnd}) account for ${8 + n + bufferEnd}`);
  }

  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  const start = 8 + n;
  for (const e of entries) {
    tensors[e.name] = new LoadedTensor(e.name, e.dtype, e.shape, bytes.subarray(start + e.offsets[0], start + e.offsets[1]));
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
  constructor(readonly name: string, readonly dtype: SafetensorsDtype, readonly shape: number[], readonly bytes: Uint8Array) {}
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

/** A tensor to write: values plus shape, or a bare Float32Array (saved as 1-D). */
export type SaveTensor = Float32Array | { data: Float32Array; shape: readonly number[] };

/**
 * Writes F32 tensors as a safetensors file: tensors sorted by name, `__metadata__` first when given, header padded
 * with spaces so the byte buffer starts 8-byte aligned (like the reference writer).
 */
export function saveSafetensors(tensors: Record<string, SaveTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = parseMetadata(metadata);
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
  if (typeof x !== 'object' || x === null) throw new TypeError('state dict must be an object, a Map or a loaded safetensors file');
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
