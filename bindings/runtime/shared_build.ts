// The shared-memory twin of a single-thread build, made from its bytes: the memory section (id 5) becomes an import
// `env.memory` of a shared memory with the same minimum and the wasm32 maximum. The code is the same; asc's threads
// builds (build/*-threads.wasm) differ from the result only in their data segments keeping zero bytes, which a fresh
// memory holds anyway (tests/runtime/shared_build.test.ts). The inline builds embed only the two single-thread
// builds and make their twins with this, which halves what they embed.

const MAX_PAGES = 65536;   // the wasm32 maximum (a shared memory must declare one)

function readLeb(b: Uint8Array, p: number): [number, number] {
  let r = 0, shift = 0, x: number;
  do {
    x = b[p++];
    r += (x & 0x7f) * 2 ** shift;
    shift += 7;
  } while (x & 0x80);
  return [r, p];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return out;
}

/** The bytes of `single` with its one memory imported as a shared `env.memory`; throws if it has no memory section
 *  or already imports something. */
export function sharedMemoryBuild(single: Uint8Array): Uint8Array {
  const out: number[] = Array.from(single.subarray(0, 8));
  let p = 8, minPages = -1;
  const sections: { id: number; body: Uint8Array }[] = [];
  while (p < single.length) {
    const id = single[p++];
    let size: number;
    [size, p] = readLeb(single, p);
    const body = single.subarray(p, p + size);
    p += size;
    if (id === 2) throw new Error('sharedMemoryBuild: the build already imports something');
    if (id === 5) {
      const [count, q] = readLeb(body, 0);
      if (count !== 1 || body[q] !== 0) throw new Error('sharedMemoryBuild: expected one memory without a maximum');
      [minPages] = readLeb(body, q + 1);
      continue;
    }
    sections.push({ id, body });
  }
  if (minPages < 0) throw new Error('sharedMemoryBuild: the build has no memory section');
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  // one import: "env" "memory", kind memory, limits flags 3 (maximum present, shared), min, max
  const imports = [1, ...name('env'), ...name('memory'), 2, 3, ...leb(minPages), ...leb(MAX_PAGES)];
  let placed = false;
  for (const s of sections) {
    // the import section goes right after the type section (id 1), before every other known section
    if (!placed && s.id !== 1 && s.id !== 0) {
      out.push(2, ...leb(imports.length), ...imports);
      placed = true;
    }
    out.push(s.id, ...leb(s.body.length), ...s.body);
  }
  if (!placed) out.push(2, ...leb(imports.length), ...imports);
  return new Uint8Array(out);
}

/** `build` without its data segments (an empty data section and data count): what the pool's workers instantiate,
 *  so that the static data is written once, by the main instance, and never again while kernels run. The kernels
 *  never touch segments by index (no memory.init / data.drop), so nothing else changes. */
export function withoutDataSegments(build: Uint8Array): Uint8Array {
  const out: number[] = Array.from(build.subarray(0, 8));
  let p = 8;
  while (p < build.length) {
    const id = build[p++];
    let size: number;
    [size, p] = readLeb(build, p);
    const body = id === 11 || id === 12 ? [0] : Array.from(build.subarray(p, p + size));
    p += size;
    out.push(id, ...leb(body.length), ...body);
  }
  return new Uint8Array(out);
}
