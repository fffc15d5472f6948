// The host side of bench/peers/peer_worker.mjs: onnxruntime-web at a chosen thread count in a worker of its own
// (why: see that file), so that the threads suite can time ORT with 1 and with 2 threads side by side in one process.
// ORT starts its pthreads from inside that worker (Emscripten: node:worker_threads under Node, Web Workers under Deno).
// Every call is a message round trip; the threads suite times a no-op round trip next to the ORT calls.
import { spinFor } from './spin.mjs';
import type { Feeds } from '../contestants.ts';

interface Reply { id: number; ok: boolean; value?: unknown; error?: string }

export class PeerWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private post: (m: unknown) => void = () => {};
  private stop: () => void = () => {};
  /** onnxruntime-web's version, from the worker's own import. */
  version = '?';

  private constructor(readonly numThreads: number) {}

  /** A worker whose ORT gets env.wasm.numThreads = numThreads (what ORT made of it: session()'s numThreads); with
   *  numThreads 0 ORT is not loaded (for ping, spin and tfjsThreads). */
  static async start(numThreads: number): Promise<PeerWorker> {
    const w = new PeerWorker(numThreads);
    const url = new URL('./peer_worker.mjs', import.meta.url);
    const reply = (r: Reply) => {
      const p = w.pending.get(r.id);
      w.pending.delete(r.id);
      if (r.ok) p?.resolve(r.value); else p?.reject(new Error(r.error));
    };
    const failAll = (e: unknown) => {
      for (const p of w.pending.values()) p.reject(new Error(`peer worker: ${(e as { message?: string })?.message ?? String(e)}`));
      w.pending.clear();
    };
    if ((globalThis as { Deno?: unknown }).Deno) {
      const ww = new Worker(url, { type: 'module' });
      ww.onmessage = (e: MessageEvent<Reply>) => reply(e.data);
      ww.onerror = (e) => { e.preventDefault(); failAll(e); };
      w.post = (m) => ww.postMessage(m);
      w.stop = () => ww.terminate();
    } else {
      const { Worker } = await import('node:worker_threads');
      const nw = new Worker(url);
      nw.on('message', reply);
      nw.on('error', failAll);
      w.post = (m) => nw.postMessage(m);
      w.stop = () => { void nw.terminate(); };
    }
    try {
      if (numThreads > 0) w.version = ((await w.call('init', { numThreads })) as { version: string }).version;
      else await w.ping();
    } catch (e) {
      w.terminate();
      throw e;
    }
    return w;
  }

  private call(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ id, op, ...args });
    });
  }

  /** A session on `model` fed `feeds` (copied to the worker once); numThreads = ORT's env after it was created. */
  async session(model: Uint8Array, feeds: Feeds, output: string): Promise<{ id: number; numThreads: number }> {
    return (await this.call('session', { model, feeds, output })) as { id: number; numThreads: number };
  }
  /** One session.run with new input tensors over the fed data; resolves when it is done (the output stays there). */
  run(session: number): Promise<unknown> { return this.call('run', { session }); }
  /** The output of the session's last run (copied out). */
  async output(session: number): Promise<Float32Array> { return (await this.call('output', { session })) as Float32Array; }
  /** A message round trip that does nothing. */
  ping(): Promise<unknown> { return this.call('ping'); }
  /** The worker's half of a parallel-capacity probe: a busy loop for `ms` (spinFor of ./spin.mjs, the loop this thread
   *  runs too). */
  async spin(ms: number): Promise<{ n: number; t: number }> { return (await this.call('spin', { ms })) as { n: number; t: number }; }
  /** What tfjs-backend-wasm makes of setThreadsCount(threads) in this (fresh) realm. */
  async tfjsThreads(threads: number): Promise<{ isNode: boolean; multithreadFlag: boolean; backend: boolean; threads: number | null }> {
    return (await this.call('tfjs', { threads })) as never;
  }
  terminate(): void { this.stop(); }
}

/**
 * How many cores' worth of work two threads get right now: a busy loop on this thread alone, then the same loop here
 * and in `w` at once; (rate here + rate there) / rate alone. About 2 when both cores are free; about 1 when the two
 * threads share one core (other load, or a virtual machine whose two vCPUs the host runs on one hardware thread,
 * which /proc/stat inside the VM does not show).
 */
export async function parallelCapacity(w: PeerWorker, ms = 100): Promise<number> {
  const alone = spinFor(ms);
  const there = w.spin(ms);
  const here = spinFor(ms);
  const t = await there;
  return (here.n / here.t + t.n / t.t) / (alone.n / alone.t);
}
