// sharedMemoryBuild (bindings/runtime/shared_build.ts) makes the inline builds' threads builds from the single-thread
// ones. Its output must be asc's threads build in all but the zero bytes asc keeps in data segments for an imported
// memory: same sections and code, and the same memory contents once instantiated.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedMemoryBuild, withoutDataSegments } from '../../bindings/runtime/shared_build.ts';

const bytes = (name: string) => new Uint8Array(readFileSync(new URL(`../../build/${name}.wasm`, import.meta.url)));

function sections(b: Uint8Array): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  let p = 8;
  while (p < b.length) {
    const id = b[p++];
    let size = 0, shift = 0, x: number;
    do { x = b[p++]; size += (x & 0x7f) * 2 ** shift; shift += 7; } while (x & 0x80);
    m.set(id, b.subarray(p, p + size));
    p += size;
  }
  return m;
}

function staticData(module: WebAssembly.Module): Uint8Array {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor);
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const heap = (inst.exports.heap_base as () => number)();
  return new Uint8Array(memory.buffer, 0, heap).slice();
}

for (const v of ['simd', 'relaxed'] as const) {
  test(`${v}: the made threads build equals asc's ${v}-threads.wasm but for zero bytes in data segments`, () => {
    const made = sharedMemoryBuild(bytes(v)), asc = bytes(`${v}-threads`);
    const a = sections(made), b = sections(asc);
    assert.deepEqual([...a.keys()], [...b.keys()], 'same sections in the same order');
    for (const [id, body] of a) if (id !== 11) assert.deepEqual(body, b.get(id), `section ${id}`);
    const ma = new WebAssembly.Module(made as Uint8Array<ArrayBuffer>), mb = new WebAssembly.Module(asc);
    assert.deepEqual(WebAssembly.Module.imports(ma), WebAssembly.Module.imports(mb));
    assert.deepEqual(WebAssembly.Module.exports(ma), WebAssembly.Module.exports(mb));
    assert.deepEqual(staticData(ma), staticData(mb), 'the same static data once instantiated');
  });
}

test('sharedMemoryBuild refuses what it cannot convert', () => {
  assert.throws(() => sharedMemoryBuild(bytes('simd-threads')), /already imports/);
  assert.throws(() => sharedMemoryBuild(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), /no memory section/);
});

test('withoutDataSegments: the workers\' module writes nothing when instantiated, and has the same exports', () => {
  for (const v of ['simd-threads', 'relaxed-threads']) {
    const full = bytes(v), bare = withoutDataSegments(full);
    const a = sections(bare);
    assert.deepEqual(a.get(11), new Uint8Array([0]), 'no data segments');
    assert.deepEqual(a.get(12), new Uint8Array([0]), 'data count 0');
    for (const [id, body] of sections(full)) if (id !== 11 && id !== 12) assert.deepEqual(a.get(id), body, `section ${id}`);
    const m = new WebAssembly.Module(bare as Uint8Array<ArrayBuffer>);
    assert.deepEqual(WebAssembly.Module.exports(m), WebAssembly.Module.exports(new WebAssembly.Module(full)));
    const data = staticData(m);
    assert.ok(data.length > 0 && data.every((b) => b === 0), `${v}: instantiating it wrote nothing`);
    assert.ok(staticData(new WebAssembly.Module(full)).some((b) => b !== 0), `${v}: the full build has static data`);
  }
});
