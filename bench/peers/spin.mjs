// A busy loop of integer math, the unit of the threads suite's probe of how much of a second core this machine gives
// right now: run on the main thread (bench/peers/peer_worker.ts) and in a peer worker (peer_worker.mjs) at once.
// Plain JavaScript so that the worker's entry module (not run through tsx) can import it.

/** Spins for `ms`: { n: iterations, t: ms it ran }. */
export function spinFor(ms) {
  let x = 1, n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 10000; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
    n++;
  }
  return { n: n + (x & 0), t: performance.now() - t0 };
}
