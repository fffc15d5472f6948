// A small, self-contained protobuf encoder for ONNX models, for tests and benchmarks that compare our kernels with
// onnxruntime-web on the same weights. No dependencies: it writes the wire format of the messages of onnx.proto
// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto,
// OperatorSetIdProto) directly. Only encoding, no decoding.
//
// Usage:
//   const g = new GraphBuilder('matmul');
//   g.input('A', [m, k]);                      // dims: numbers, or strings for symbolic dims ('batch')
//   g.initializer('B', bData, [k, n]);         // Float32Array -> FLOAT; BigInt64Array/{ type: 'int64' } -> INT64
//   g.node('MatMul', ['A', 'B'], ['Y']);       // attributes: g.node('Gemm', [...], [...], { transB: 1, alpha: 1.0 })
//   g.output('Y', [m, n]);
//   const bytes = g.model({ opset: 17 });      // Uint8Array, feed to ort.InferenceSession.create(bytes)
//
// Attribute values map to ONNX attribute types like this (override with the helpers `attr.*` when ambiguous):
//   integer number -> INT, non-integer number -> FLOAT, string -> STRING,
//   number[] of integers -> INTS, number[] with a non-integer -> FLOATS, Float32Array -> FLOATS,
//   attr.float(1) -> FLOAT even though 1 is an integer (e.g. Gemm alpha, LayerNormalization epsilon), attr.floats([...]).
// An empty name in a node's inputs ('') is an omitted optional input, as in ONNX.
//
// Field numbers and enum values are those of the public onnx.proto (proto2).

/** ONNX TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11,
} as const;
export type DataTypeName = keyof typeof DataType;

/** ONNX AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Wire format

const WIRE_VARINT = 0;
const WIRE_I32 = 5;
const WIRE_LEN = 2;
const utf8 = new TextEncoder();

/** Appends protobuf fields to a growable byte buffer. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  private byte(b: number): void { this.reserve(1); this.buf[this.len++] = b; }

  /** Varint of a (possibly negative) 64-bit integer; negatives use 10-byte two's complement, as int64 does. */
  varint(v: number | bigint): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`onnx_model: ${v} is not a safe integer`);
      if (v >= 0 && v < 0x80000000) {         // fast path
        while (v > 0x7f) { this.byte((v & 0x7f) | 0x80); v >>>= 7; }
        this.byte(v);
        return;
      }
      v = BigInt(v);
    }
    let u = BigInt.asUintN(64, v);
    while (u > 0x7fn) { this.byte(Number(u & 0x7fn) | 0x80); u >>= 7n; }
    this.byte(Number(u));
  }

  private tag(field: number, wire: number): void { this.varint((field << 3) | wire); }

  int(field: number, v: number | bigint): void { this.tag(field, WIRE_VARINT); this.varint(v); }

  float(field: number, v: number): void {
    this.tag(field, WIRE_I32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  string(field: number, s: string): void { this.bytes(field, utf8.encode(s)); }

  /** An embedded message, written by `fill` into a fresh writer. */
  message(field: number, fill: (w: Writer) => void): void {
    const w = new Writer();
    fill(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array { return this.buf.slice(0, this.len); }
}

// ---------------------------------------------------------------------------------------------------------------
// Message encoders (field numbers from onnx.proto)

/** A dimension: a fixed size, or a symbolic name (dim_param), or null for unknown. */
export type Dim = number | string | null;

/** An attribute value; see the mapping in the header comment. */
export type AttrValue =
  | number | string | number[] | Float32Array | string[]
  | { kind: 'float'; value: number } | { kind: 'floats'; value: ArrayLike<number> }
  | { kind: 'int'; value: number | bigint } | { kind: 'ints'; value: ArrayLike<number | bigint> }
  | { kind: 'tensor'; value: TensorInit };

/** Explicit attribute types for values a plain number cannot express unambiguously. */
export const attr = {
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  floats: (value: ArrayLike<number>): AttrValue => ({ kind: 'floats', value }),
  int: (value: number | bigint): AttrValue => ({ kind: 'int', value }),
  ints: (value: ArrayLike<number | bigint>): AttrValue => ({ kind: 'ints', value }),
  tensor: (value: TensorInit): AttrValue => ({ kind: 'tensor', value }),
};

/** A constant tensor: data (typed array or numbers) with its dims and element type. */
export interface TensorInit {
  name?: string;
  dims: readonly number[];
  /** Element type; defaults to FLOAT for Float32Array/number[], INT64 for BigInt64Array, INT32 for Int32Array... */
  type?: DataTypeName;
  data: ArrayLike<number> | ArrayLike<bigint>;
}

// TypedArray -> little-endian bytes for raw_data.
function rawData(t: TensorInit, type: DataTypeName): Uint8Array {
  const n = t.data.length;
  const expect = t.dims.reduce((a, b) => a * b, 1);
  if (n !== expect) throw new RangeError(`onnx_model: tensor ${t.name ?? ''} has ${n} values but dims [${t.dims}] need ${expect}`);
  let arr: ArrayBufferView;
  switch (type) {
    case 'FLOAT': arr = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>); break;
    case 'DOUBLE': arr = Float64Array.from(t.data as ArrayLike<number>); break;
    case 'INT32': arr = Int32Array.from(t.data as ArrayLike<number>); break;
    case 'INT8': arr = Int8Array.from(t.data as ArrayLike<number>); break;
    case 'UINT8': case 'BOOL': arr = Uint8Array.from(t.data as ArrayLike<number>); break;
    case 'INT64': {
      const b = new BigInt64Array(n);
      for (let i = 0; i < n; i++) b[i] = BigInt(t.data[i] as number | bigint);
      arr = b;
      break;
    }
    default: throw new TypeError(`onnx_model: unsupported tensor type ${type}`);
  }
  // raw_data is little-endian; every engine this runs on is little-endian too, so the bytes are used as they are.
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function defaultType(data: TensorInit['data']): DataTypeName {
  if (data instanceof BigInt64Array) return 'INT64';
  if (data instanceof Int32Array) return 'INT32';
  if (data instanceof Int8Array) return 'INT8';
  if (data instanceof Uint8Array) return 'UINT8';
  if (data instanceof Float64Array) return 'DOUBLE';
  return 'FLOAT';
}

// TensorProto: dims = 1 (repeated int64), data_type = 2, name = 8, raw_data = 9.
function writeTensor(w: Writer, t: TensorInit): void {
  const type = t.type ?? defaultType(t.data);
  for (const d of t.dims) w.int(1, d);
  w.int(2, DataType[type]);
  if (t.name) w.string(8, t.name);
  w.bytes(9, rawData(t, type));
}

// AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, strings = 9, type = 20.
function writeAttribute(w: Writer, name: string, v: AttrValue): void {
  w.string(1, name);
  const f = (x: number) => w.float(2, x);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) { w.int(3, v); w.int(20, AttrType.INT); } else { f(v); w.int(20, AttrType.FLOAT); }
  } else if (typeof v === 'string') {
    w.string(4, v); w.int(20, AttrType.STRING);
  } else if (v instanceof Float32Array) {
    for (const x of v) w.float(7, x);
    w.int(20, AttrType.FLOATS);
  } else if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      for (const s of v as string[]) w.string(9, s);
      w.int(20, AttrType.STRINGS);
    } else if ((v as number[]).every((x) => Number.isInteger(x))) {
      for (const x of v as number[]) w.int(8, x);
      w.int(20, AttrType.INTS);
    } else {
      for (const x of v as number[]) w.float(7, x);
      w.int(20, AttrType.FLOATS);
    }
  } else {
    switch (v.kind) {
      case 'float': f(v.value); w.int(20, AttrType.FLOAT); break;
      case 'int': w.int(3, v.value); w.int(20, AttrType.INT); break;
      case 'floats': for (let i = 0; i < v.value.length; i++) w.float(7, v.value[i]); w.int(20, AttrType.FLOATS); break;
      case 'ints': for (let i = 0; i < v.value.length; i++) w.int(8, v.value[i]); w.int(20, AttrType.INTS); break;
      case 'tensor': w.message(5, (m) => writeTensor(m, v.value)); w.int(20, AttrType.TENSOR); break;
      default: throw new TypeError(`onnx_model: bad attribute ${name}`);
    }
  }
}

// ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1. TypeProto.Tensor: elem_type = 1, shape = 2.
// TensorShapeProto: dim = 1. Dimension: dim_value = 1, dim_param = 2. A null shape writes no shape (unknown rank).
function writeValueInfo(w: Writer, name: string, type: DataTypeName, shape: readonly Dim[] | null): void {
  w.string(1, name);
  w.message(2, (tp) => tp.message(1, (tt) => {
    tt.int(1, DataType[type]);
    if (shape) {
      tt.message(2, (sh) => {
        for (const d of shape) {
          sh.message(1, (dm) => {
            if (typeof d === 'number') dm.int(1, d);
            else if (typeof d === 'string') dm.string(2, d);
          });
        }
      });
    }
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Builder

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttrValue>;
  /** '' (default ONNX domain) or e.g. 'com.microsoft'. */
  domain: string;
  name: string;
}

export interface ModelOptions {
  /** Default-domain opset version (default 17). */
  opset?: number;
  /** Extra opsets, e.g. { 'com.microsoft': 1 } (com.microsoft v1 is always added). */
  opsets?: Record<string, number>;
  /** ModelProto.ir_version (default 8, matching opset 17-18). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
}

/** Builds one ONNX graph and serialises it as a ModelProto. */
export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inputs: { name: string; type: DataTypeName; shape: readonly Dim[] | null }[] = [];
  private readonly outputs: { name: string; type: DataTypeName; shape: readonly Dim[] | null }[] = [];
  private readonly inits: TensorInit[] = [];
  private counter = 0;

  constructor(readonly name = 'graph') {}

  /** A graph input fed at run time. Shape dims may be numbers, symbolic names or null; a null shape = unknown rank. */
  input(name: string, shape: readonly Dim[] | null, type: DataTypeName = 'FLOAT'): this {
    this.inputs.push({ name, type, shape });
    return this;
  }

  /** A graph output. */
  output(name: string, shape: readonly Dim[] | null, type: DataTypeName = 'FLOAT'): this {
    this.outputs.push({ name, type, shape });
    return this;
  }

  /** A constant (weight) stored in the model, e.g. g.initializer('W', w, [k, n]) or
   *  g.initializer('shape', [0, 0, 4, 16], [4], 'INT64') for a Reshape target. */
  initializer(name: string, data: TensorInit['data'], dims: readonly number[], type?: DataTypeName): this {
    this.inits.push({ name, data, dims, type });
    return this;
  }

  /** A node. Returns its output names (so `const [y] = g.node(...)` chains). Domain defaults to ''. */
  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttrValue> = {},
       options: { domain?: string; name?: string } = {}): string[] {
    this.nodes.push({
      opType, inputs, outputs, attributes,
      domain: options.domain ?? '',
      name: options.name ?? `${opType}_${this.counter++}`,
    });
    return outputs;
  }

  /** The GraphProto bytes. GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12. */
  graphBytes(): Uint8Array {
    const w = new Writer();
    this.writeGraph(w);
    return w.finish();
  }

  private writeGraph(w: Writer): void {
    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.
    for (const n of this.nodes) {
      w.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name);
        nw.string(4, n.opType);
        for (const [k, v] of Object.entries(n.attributes)) nw.message(5, (aw) => writeAttribute(aw, k, v));
        if (n.domain) nw.string(7, n.domain);
      });
    }
    w.string(2, this.name);
    for (const t of this.inits) w.message(5, (tw) => writeTensor(tw, t));
    for (const v of this.inputs) w.message(11, (vw) => writeValueInfo(vw, v.name, v.type, v.shape));
    for (const v of this.outputs) w.message(12, (vw) => writeValueInfo(vw, v.name, v.type, v.shape));
  }

  /** The serialised ModelProto. ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
   *  opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2). */
  model(options: ModelOptions = {}): Uint8Array {
    const opsets: Record<string, number> = { '': options.opset ?? 17, 'com.microsoft': 1, ...(options.opsets ?? {}) };
    const w = new Writer();
    w.int(1, options.irVersion ?? 8);
    w.string(2, options.producerName ?? 'wasm-attention-tests');
    w.string(3, options.producerVersion ?? '0');
    w.message(7, (gw) => this.writeGraph(gw));
    for (const [domain, version] of Object.entries(opsets)) {
      w.message(8, (ow) => { if (domain) ow.string(1, domain); ow.int(2, version); });
    }
    return w.finish();
  }
}
