// Finds, compiles and instantiates one of the two builds in Node, Deno or a browser.
import { embeddedWasm, type BuildName } from '../wasm_url.ts';
import { sharedMemoryBuild } from './shared_build.ts';
export { defaultWasmURL, type Variant, type BuildName } from '../wasm_url.ts';

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

// Shown with every "could not find the packaged build" error: what to do when a bundler did not copy the file.
const MOVED_HINT = "if a bundler moved wasm-attention without copying build/*.wasm, import 'wasm-attention/inline' " +
  '(the builds embedded, no file to find) or pass init({ wasm: { simd, relaxed } })';

interface DenoLike { readFile(path: URL): Promise<Uint8Array> }
interface NodeFs { readFile(path: URL): Promise<Uint8Array> }

// node:fs/promises without an import that bundlers would try to resolve for the browser (webpack's
// UnhandledSchemeError, esbuild's "Could not resolve"): process.getBuiltinModule (Node >= 20.16, Deno, Bun), else
// (Node 20.0-20.15) a dynamic import of a computed name that every bundler leaves alone. Never runs in a browser.
async function nodeFs(): Promise<NodeFs | null> {
  if (!isNodeLike) return null;
  const proc = process as { getBuiltinModule?: (id: string) => unknown };
  if (typeof proc.getBuiltinModule === 'function') return proc.getBuiltinModule('node:fs/promises') as NodeFs;
  const name = ['node:fs', 'promises'].join('/');
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as NodeFs;
}

function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

// file: URLs are read from disk (Deno: Deno.readFile, which needs read permission; Node: fs), anything else fetched.
async function readURL(url: URL): Promise<ArrayBuffer | Response> {
  // wasm-attention:embedded/<variant>.wasm: what defaultWasmURL() names in the inline builds
  if (url.protocol === 'wasm-attention:') {
    const variant = /^embedded\/((?:simd|relaxed)(?:-threads)?)\.wasm$/.exec(url.pathname)?.[1] as BuildName | undefined;
    // the inline builds embed the single-thread builds only: a threads build is made from its twin
    const single = variant?.endsWith('-threads') ? embeddedWasm(variant.slice(0, -'-threads'.length) as BuildName) : null;
    const bytes = variant ? embeddedWasm(variant) ?? (single && sharedMemoryBuild(single)) : null;
    if (!bytes) throw new Error(`init: ${url.href} is not embedded in this build`);
    return toArrayBuffer(bytes);
  }
  if (url.protocol === 'file:') {
    const deno = (globalThis as { Deno?: DenoLike }).Deno;
    if (deno && typeof deno.readFile === 'function') {
      try {
        return toArrayBuffer(await deno.readFile(url));
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'NotCapable' || name === 'PermissionDenied') {
          const dir = new URL('.', url).pathname;
          throw new Error(`init: Deno needs read access to ${url.pathname}: run with --allow-read=${dir} (or --allow-read), ` +
            "or import 'wasm-attention/inline', which reads no file", { cause: e });
        }
        if (name === 'NotFound') throw new Error(`init: ${url.href} does not exist; ${MOVED_HINT}`, { cause: e });
        throw e;
      }
    }
    const fs = await nodeFs();
    if (fs) {
      try {
        return toArrayBuffer(await fs.readFile(url));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') throw new Error(`init: ${url.href} does not exist; ${MOVED_HINT}`, { cause: e });
        throw e;
      }
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`init: could not fetch ${url.href} (HTTP ${res.status}); ${MOVED_HINT}`);
  // a dev server's fallback page (HTTP 200, text/html) instead of the file
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
    throw new Error(`init: ${url.href} answered with an HTML page, not the wasm build; ${MOVED_HINT}`);
  }
  return res;
}

/** Compiles `source` into a Module. */
export async function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  return (await compileWasmKeepingBytes(source, false)).module;
}

/** Compiles `source` and keeps its bytes (null when it was a Module, or streamed when `keep` is false). */
export async function compileWasmKeepingBytes(source: WasmSource, keep = true): Promise<{ module: WebAssembly.Module; bytes: Uint8Array | null }> {
  if (source instanceof WebAssembly.Module) return { module: source, bytes: null };
  if (typeof source === 'string') source = new URL(source, isNodeLike ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (source instanceof URL) source = await readURL(source);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!keep && typeof WebAssembly.compileStreaming === 'function' &&
        (source.headers.get('content-type') ?? '').startsWith('application/wasm')) {
      return { module: await WebAssembly.compileStreaming(source), bytes: null };
    }
    source = await source.arrayBuffer();
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), bytes };
  }
  throw new TypeError(`init: wasm must be bytes, a URL, a string path/URL, a WebAssembly.Module or a Response, got ${Object.prototype.toString.call(source)}`);
}

/** Instantiates a compiled build: the single-thread builds import nothing, the threads builds their memory. */
export async function instantiateWasm(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<WebAssembly.Instance> {
  return WebAssembly.instantiate(module, memory ? { env: { memory } } : {});
}

/** True when `module` imports its memory (a threads build). */
export function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}
