// A peer library in a worker of its own (started by bench/peers/peer_worker.ts), for the threads suite.
// onnxruntime-web's thread count (env.wasm.numThreads) is fixed per JS realm when its first session is created, and
// bench/run.ts's own ORT (peers.ts) is pinned to 1 thread: a worker is a new realm with its own ORT module, env and
// wasm heap, so ORT with 1 and with 2 threads can run side by side in one process. One worker = one numThreads.
// Plain JavaScript: Node 20 does not apply the parent's `--import tsx` to a worker's entry module.
// Messages: { id, op, ...args } in, { id, ok, value | error } out. Also a busy loop ('spin') for the threads suite's
// probe of how much of a second core this machine gives right now.
import { spinFor } from './spin.mjs';

const deno = globalThis.Deno;
const port = deno ? globalThis : (await import('node:worker_threads')).parentPort;

let ort = null;
const sessions = new Map();
let nextSession = 1;

async function handle(m) {
  switch (m.op) {
    case 'init':
      ort = await import('onnxruntime-web');
      ort.env.wasm.numThreads = m.numThreads;   // read once, when this realm's first session is created
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return { version: ort.env.versions?.web ?? '?' };
    case 'session': {
      const s = await ort.InferenceSession.create(m.model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const id = nextSession++;
      sessions.set(id, { s, feeds: m.feeds, output: m.output, last: null });
      // env after initializeWebAssembly: ORT sets numThreads back to 1 where it cannot start threads
      return { id, numThreads: ort.env.wasm.numThreads };
    }
    case 'run': {
      // as bench/contestants.ts ortGraphs: new tensors over the same data every call (ORT copies them in)
      const x = sessions.get(m.session);
      const feeds = Object.fromEntries(Object.entries(x.feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
      x.last = (await x.s.run(feeds))[x.output].data;
      return null;
    }
    case 'output':
      return sessions.get(m.session).last;
    case 'release': {
      const x = sessions.get(m.session);
      sessions.delete(m.session);
      await x?.s.release();
      return null;
    }
    case 'ping':
      return null;
    case 'spin':   // the other half of the threads suite's parallel-capacity probe
      return spinFor(m.ms);
    case 'tfjs': {
      // tfjs-backend-wasm asked for 2 threads in a fresh realm: what it decides (peers.ts pins the main realm to 1)
      const tf = await import('@tensorflow/tfjs-core');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const { fileURLToPath } = await import('node:url');
      wasm.setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
      wasm.setThreadsCount(m.threads);
      const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      const ok = await tf.setBackend('wasm');
      return { isNode: tf.env().get('IS_NODE'), multithreadFlag: mt, backend: ok, threads: ok ? wasm.getThreadsCount() : null };
    }
    default:
      throw new Error(`peer_worker: unknown op ${m.op}`);
  }
}

const onMessage = (m) => {
  handle(m).then((value) => port.postMessage({ id: m.id, ok: true, value }),
    (e) => port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }));
};
if (deno) globalThis.onmessage = (e) => onMessage(e.data);
else port.on('message', onMessage);
