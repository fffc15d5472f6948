// onnxruntime-web in a worker of its own (bench/peers/ort_threads.ts starts it): ORT's thread count
// (env.wasm.numThreads) is fixed for a JS realm when its first session is created, so 1-thread and 2-thread ORT
// can only run side by side in one process from separate realms. One worker = one ORT instance with one numThreads.
// Messages: { id, op, ... } in, { id, ok, value | error } out (see ort_threads.ts).
type Ort = typeof import('onnxruntime-web');
type Msg = { id: number; op: string; [k: string]: unknown };

const deno = (globalThis as { Deno?: unknown }).Deno;
const port: { postMessage(m: unknown, t?: Transferable[]): void } & Record<string, unknown> = deno
  ? (globalThis as unknown as typeof port)
  : ((await import('node:worker_threads')).parentPort as unknown as typeof port);

let ort: Ort | null = null;
const sessions = new Map<number, { s: import('onnxruntime-web').InferenceSession; feeds: Record<string, { data: Float32Array; dims: number[] }>; output: string; last: Float32Array | null }>();
let nextSession = 1;

async function handle(m: Msg): Promise<unknown> {
  switch (m.op) {
    case 'init': {
      ort = await import('onnxruntime-web');
      ort.env.wasm.numThreads = m.numThreads as number;   // read once, when the first session is created
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return { version: ort.env.versions?.web ?? '?' };
    }
    case 'session': {
      const s = await ort!.InferenceSession.create(m.model as Uint8Array, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const id = nextSession++;
      sessions.set(id, { s, feeds: m.feeds as never, output: m.output as string, last: null });
      // what initializeWebAssembly left in env: numThreads is reset to 1 when this realm cannot run threads
      return { id, numThreads: ort!.env.wasm.numThreads };
    }
    case 'run': {
      // as bench/contestants.ts ortGraphs: new tensors over the same data every call (ORT copies them in)
      const x = sessions.get(m.session as number)!;
      const feeds = Object.fromEntries(Object.entries(x.feeds).map(([k, v]) => [k, new ort!.Tensor('float32', v.data, v.dims)]));
      x.last = (await x.s.run(feeds))[x.output].data as Float32Array;
      return null;
    }
    case 'output': return sessions.get(m.session as number)!.last;
    case 'release': {
      const x = sessions.get(m.session as number);
      sessions.delete(m.session as number);
      await x?.s.release();
      return null;
    }
    case 'ping': return null;
    default: throw new Error(`ort_worker: unknown op ${m.op}`);
  }
}

const onMessage = (m: Msg) => {
  handle(m).then((value) => port.postMessage({ id: m.id, ok: true, value }),
    (e) => port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }));
};
if (deno) (globalThis as unknown as { onmessage: (e: { data: Msg }) => void }).onmessage = (e) => onMessage(e.data);
else (port as unknown as { on(ev: string, f: (m: Msg) => void): void }).on('message', onMessage);
