// The "weight-read floor" peer of the decode-step (L = 1) cases: the time to read a module's weights once.
import { randomF32 } from '../rng.ts';
import type { BenchContext, Contestant, OurBuild } from '../suite.ts';

// Memory-read probe: a tiny hand-assembled wasm function over the runtime's own memory,
//   sum(p, n): four f32x4 accumulators, v128.load of 64 bytes per iteration, until p reaches p + 4n (n a multiple
//   of 16, n >= 16); returns lane 0 of the summed accumulators so the loads cannot be dropped.
// It reads every byte once and writes nothing, with far fewer operations per byte than a GEMV: a lower bound for
// any kernel that reads the same bytes once.

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

function readProbeBytes(): Uint8Array<ArrayBuffer> {
  const acc = (local: number, offset: number) => [
    0x20, local, 0x20, 0x00,                // local.get acc; local.get p
    0xfd, 0x00, 0x04, offset,               // v128.load align=16 offset
    0xfd, 0xe4, 0x01,                       // f32x4.add
    0x21, local,                            // local.set acc
  ];
  const code = [
    0x02, 0x01, 0x7f, 0x04, 0x7b,           // locals: end i32, 4 x v128
    0x20, 0x00, 0x20, 0x01, 0x41, 0x02, 0x74, 0x6a, 0x21, 0x02,   // end = p + (n << 2)
    0x03, 0x40,                             // loop
    ...acc(3, 0), ...acc(4, 16), ...acc(5, 32), ...acc(6, 48),
    0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0x00,              // p = p + 64 (tee)
    0x20, 0x02, 0x49, 0x0d, 0x00,           // br_if (p < end) to the loop
    0x0b,                                   // end loop
    0x20, 0x03, 0x20, 0x04, 0xfd, 0xe4, 0x01, 0x20, 0x05, 0xfd, 0xe4, 0x01, 0x20, 0x06, 0xfd, 0xe4, 0x01,
    0xfd, 0x1f, 0x00,                       // f32x4.extract_lane 0
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7d]),             // type (i32, i32) -> f32
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]),       // import "e" "m" memory (min 1)
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00]),             // export "sum"
    ...section(10, [0x01, ...uleb(code.length), ...code]),
  ]);
}

/** sum(p, n) over `b`'s linear memory. */
export function readProbe(b: OurBuild): (p: number, n: number) => number {
  const mod = new WebAssembly.Module(readProbeBytes());
  const inst = new WebAssembly.Instance(mod, { e: { m: b.rt.memory } });
  return inst.exports.sum as (p: number, n: number) => number;
}

/**
 * The floor as a contestant: `sum` over a buffer of the primary build's memory (any build would do: the probe is
 * the same code) of `bytesOf(build)` bytes, once per call. No contestant when no build of ours loaded.
 */
export function weightReadFloor(ctx: BenchContext, bytesOf: (b: OurBuild) => number):
    { contestants: Contestant[]; dispose: () => void } {
  const b = ctx.builds.find((x) => x.primary) ?? ctx.builds[0];
  if (!b) return { contestants: [], dispose() {} };
  const bytes = bytesOf(b);
  const n = Math.floor(bytes / 64) * 16;
  const p = b.rt.alloc(n * 4);
  b.rt.f32(p, n).set(randomF32(n, 99));
  const sum = readProbe(b);
  let sink = 0;
  const floor: Contestant = {
    name: `weight-read floor ${(bytes / 1048576).toFixed(1)} MiB`, kind: 'peer',
    run: () => { sink += sum(p, n); },
  };
  return { contestants: [floor], dispose: () => { b.rt.free(p); if (sink === 0.5) console.log(sink); } };
}
