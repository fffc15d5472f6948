// Finds, compiles and instantiates one of the two builds in Node, Deno or a browser.
import type { Variant } from '../wasm_url.ts';
export { defaultWasmURL, type Variant } from '../wasm_url.ts';

/** What init({ wasm }) accepts: bytes, a URL (or string URL/path), a compiled Module, or a fetch Response. */
export type WasmSource = ArrayBuffer | ArrayBufferView | URL | string | WebAssembly.Module | Response;

// (func (drop (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))): validates only where
// relaxed SIMD is enabled (Node >= 21, Deno, Chrome >= 114, Firefox >= 145; Node 20 behind a flag).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]),
  0xfd, 0x85, 0x02, 0x1a, 0x0b,
]);

/** True when this engine accepts relaxed SIMD. */
export function relaxedSimdSupported(): boolean {
  try { return WebAssembly.validate(RELAXED_PROBE); } catch { return false; }
}

const isNodeLike = typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node;

async function readURL(url: URL): Promise<ArrayBuffer | Response> {
  if (url.protocol === 'file:' && isNodeLike) {
    const fs = await import('node:fs/promises');
    const buf = await fs.readFile(url);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`init: could not fetch ${url.href} (HTTP ${res.status})`);
  return res;
}

/** Compiles `source` into a Module. */
export async function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string') source = new URL(source, isNodeLike ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (source instanceof URL) source = await readURL(source);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (typeof WebAssembly.compileStreaming === 'function' &&
        (source.headers.get('content-type') ?? '').startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(source);
    }
    source = await source.arrayBuffer();
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  throw new TypeError(`init: wasm must be bytes, a URL, a string path/URL, a WebAssembly.Module or a Response, got ${Object.prototype.toString.call(source)}`);
}

/** Instantiates a compiled build; the kernels import nothing. */
export async function instantiateWasm(module: WebAssembly.Module): Promise<WebAssembly.Instance> {
  return WebAssembly.instantiate(module, {});
}
