// The peer libraries we compare against, set up once per process, single-threaded, SIMD, in Node and in Deno:
//   - onnxruntime-web (wasm execution provider)
//   - TensorFlow.js with @tensorflow/tfjs-backend-wasm (XNNPACK)
// Used by the correctness tests (same weights through both) and by bench/.
//
// What was checked (onnxruntime-web 1.30.0, tfjs 4.22.0, Node 20, Deno 2.9):
//   - `import 'onnxruntime-web'` resolves to dist/ort.node.min.mjs in both Node and Deno (Deno honours the "node"
//     export condition). That build loads dist/ort-wasm-simd-threaded.{mjs,wasm} (the plain SIMD build, not JSEP/WebGPU)
//     from beside itself, so env.wasm.wasmPaths is not needed. With env.wasm.numThreads = 1 it starts no pthread
//     workers and runs every op on the calling thread; env.wasm.proxy = false keeps it off a proxy worker.
//     The package ships only SIMD builds, so SIMD is always on.
//   - tfjs-backend-wasm picks its binary from two feature flags. WASM_HAS_MULTITHREAD_SUPPORT is forced to false so
//     it loads tfjs-backend-wasm-simd.wasm (not the threaded build, which would need Blob workers), and
//     setThreadsCount(1) pins XNNPACK's pool to one thread. setWasmPaths gets the package's dist folder as a plain
//     file path with a trailing slash: under Node and Deno the Emscripten loader reads it with fs.
import { fileURLToPath } from 'node:url';

type Ort = typeof import('onnxruntime-web');
type Tf = typeof import('@tensorflow/tfjs-core');

/** The runtime this runs in, with versions (for benchmark reports). */
export function runtimeInfo(): { runtime: 'node' | 'deno'; version: string; v8: string } {
  const deno = (globalThis as { Deno?: { version: { deno: string; v8: string } } }).Deno;
  if (deno) return { runtime: 'deno', version: deno.version.deno, v8: deno.version.v8 };
  return { runtime: 'node', version: process.versions.node, v8: process.versions.v8 };
}

// ---------------------------------------------------------------------------------------------------------------
// onnxruntime-web

export interface OrtPeer {
  ort: Ort;
  /** e.g. 'onnxruntime-web 1.30.0 (wasm EP, 1 thread, ort-wasm-simd-threaded)' */
  description: string;
  /** A session for model bytes (see bench/peers/onnx_model.ts), wasm EP, all graph optimisations, 1 thread. */
  session(model: Uint8Array): Promise<import('onnxruntime-web').InferenceSession>;
  /** A float32 input tensor (shares `data`, no copy on the JS side). */
  tensor(data: Float32Array, dims: readonly number[]): import('onnxruntime-web').Tensor;
  /** Runs a session; inputs as Float32Array + dims pairs or ready tensors; returns every output's data. */
  run(session: import('onnxruntime-web').InferenceSession,
      feeds: Record<string, { data: Float32Array; dims: readonly number[] } | import('onnxruntime-web').Tensor>): Promise<Record<string, Float32Array>>;
}

let ortPromise: Promise<OrtPeer> | undefined;

/** onnxruntime-web, configured once: wasm execution provider, one thread, SIMD build, no proxy worker. */
export function ortPeer(): Promise<OrtPeer> {
  ortPromise ??= (async () => {
    const ort: Ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    const tensor = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims as number[]);
    const peer: OrtPeer = {
      ort,
      description: `onnxruntime-web ${ort.env.versions?.web ?? '?'} (wasm EP, ${ort.env.wasm.numThreads} thread, SIMD)`,
      session: (model) => ort.InferenceSession.create(model, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      }),
      tensor,
      async run(session, feeds) {
        const f: Record<string, import('onnxruntime-web').Tensor> = {};
        for (const [k, v] of Object.entries(feeds)) {
          f[k] = v instanceof ort.Tensor ? v : tensor((v as { data: Float32Array }).data, (v as { dims: readonly number[] }).dims);
        }
        const out = await session.run(f);
        const r: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(out)) r[k] = v.data as Float32Array;
        return r;
      },
    };
    return peer;
  })();
  return ortPromise;
}

// ---------------------------------------------------------------------------------------------------------------
// TensorFlow.js, wasm backend

export interface TfPeer {
  tf: Tf;
  /** e.g. 'tfjs-backend-wasm 4.22.0 (XNNPACK, 1 thread, simd binary)' */
  description: string;
}

let tfPromise: Promise<TfPeer> | undefined;

/** TensorFlow.js with the wasm backend active: SIMD binary, one XNNPACK thread. */
export function tfPeer(): Promise<TfPeer> {
  tfPromise ??= (async () => {
    const tf: Tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The package's dist/ folder, as a file path ending in '/' (Emscripten concatenates the binary's name).
    const dist = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
    wasm.setWasmPaths(dist);
    wasm.setThreadsCount(1);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    const threads = wasm.getThreadsCount();
    return {
      tf,
      description: `tfjs-backend-wasm ${wasm.version_wasm} (XNNPACK, ${threads} thread, ${simd ? 'simd' : 'no-simd'} binary)`,
    };
  })();
  return tfPromise;
}
