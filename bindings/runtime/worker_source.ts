// The source of a pool worker, as a string: the worker is started from it (worker_threads `eval` in Node and Deno,
// a module Worker from a blob: URL in browsers), so no worker file has to be found, copied or served by a bundler.
// It is a string rather than a function's toString() because bundlers and tsx rewrite functions (helpers such as
// esbuild's __name) in ways a worker without the bundle cannot run.
//
// Protocol (bindings/runtime/pool.ts writes the other side; slot numbers are the CTL_* constants there):
// 1. The first message gives { module, memory, ctl, prog, offs, tid, names, wideTiles, spin }; the worker
//    instantiates the same module on the same shared memory and answers { ready: true } (or { error }).
// 2. From then on it never returns to its event loop: it waits for ctl[GEN] to change (spinning a little, then
//    Atomics.wait), claims tasks of the published job by compare-and-swap on ctl[NEXT] (job tag in the high bits,
//    task index in the low 16), runs each task's kernel calls, and counts it in ctl[DONE] (notifying the caller on
//    the last one). A thrown error (a wasm trap) is recorded once in ctl[ERR] and the message text; the remaining
//    tasks are then claimed but skipped, so the call always completes and the caller throws.
// 3. ctl[STOP] set: the loop ends and the worker closes.
export const WORKER_SOURCE = String.raw`
'use strict';
const GEN = 0, NEXT = 1, DONE = 2, ERR = 3, STOP = 4, STRIDE = 5, NT = 6, MSG_LEN = 8, WORKER_TASKS = 9, FAULT = 10, MSG = 16;
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node) && typeof self === 'undefined';
let port = isNode ? null : self;
const post = (m) => port.postMessage(m);
let started = false;
const onMessage = async (msg) => {
  if (started) return;
  started = true;
  let ex;
  try {
    const inst = await WebAssembly.instantiate(msg.module, { env: { memory: msg.memory } });
    ex = inst.exports;
    ex.gemm_set_tiles(msg.wideTiles);
  } catch (e) {
    post({ error: String(e && e.message || e) });
    return;
  }
  const C = new Int32Array(msg.ctl), F = new Float64Array(msg.prog), O = new Int32Array(msg.offs);
  const fns = msg.names.map((n) => ex[n]);
  const tid = msg.tid, spin = msg.spin;
  const args = [];
  let seen = Atomics.load(C, GEN);
  post({ ready: true });
  for (;;) {
    let g, n = 0;
    while ((g = Atomics.load(C, GEN)) === seen) {
      if (++n > spin) { Atomics.wait(C, GEN, seen); n = 0; }
    }
    seen = g;
    if (Atomics.load(C, STOP) !== 0) break;
    const tag = Atomics.load(C, NEXT) >>> 16;
    const count = Atomics.load(C, NT + (tag & 1));
    const local = tid * Atomics.load(C, STRIDE);
    for (;;) {
      const cur = Atomics.load(C, NEXT);
      if ((cur >>> 16) !== tag || (cur & 0xffff) >= count) break;
      if (Atomics.compareExchange(C, NEXT, cur, cur + 1) !== cur) continue;
      if (Atomics.load(C, ERR) === 0) {
        try {
          // tests: a fault injected for this worker (Pool.injectFault)
          if (Atomics.load(C, FAULT) === tid && Atomics.compareExchange(C, FAULT, tid, 0) === tid) throw new Error('injected fault');
          let p = O[cur & 0xffff];
          const calls = F[p++];
          for (let c = 0; c < calls; c++) {
            const fn = fns[F[p]], nargs = F[p + 1], mask = F[p + 2];
            p += 3;
            args.length = nargs;
            for (let a = 0; a < nargs; a++) args[a] = ((mask >>> a) & 1) !== 0 ? F[p + a] + local : F[p + a];
            p += nargs;
            fn(...args);
          }
        } catch (e) {
          if (Atomics.compareExchange(C, ERR, 0, tid) === 0) {
            const s = String(e && e.message || e).slice(0, 240);
            for (let i = 0; i < s.length; i++) Atomics.store(C, MSG + i, s.charCodeAt(i));
            Atomics.store(C, MSG_LEN, s.length);
          }
        }
      }
      Atomics.add(C, WORKER_TASKS, 1);
      if (Atomics.add(C, DONE, 1) + 1 === count) Atomics.notify(C, DONE);
    }
  }
  // (Deno's node:worker_threads parentPort has no close())
  if (isNode) { if (typeof port.close === 'function') port.close(); } else self.close();
};
if (isNode) {
  // require in a CommonJS eval worker; import() wherever require is missing (an ES module worker)
  const wt = typeof require === 'function' ? Promise.resolve(require('node:worker_threads')) : import('node:worker_threads');
  wt.then((m) => { port = m.parentPort; port.on('message', onMessage); });
} else {
  self.onmessage = (e) => onMessage(e.data);
}
`;
