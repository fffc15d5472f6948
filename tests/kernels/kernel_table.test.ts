// The kernel table (bindings/runtime/kernels.ts) is the ABI: the release builds must export exactly its functions, with
// its parameter counts, plus the memory; the bench-only probe builds exactly PROBES. Every `ref` names a row, and every
// kernel and reference of the table is named by a both-builds test of tests/kernels/ (a file per kernel family).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KERNELS, PROBES, type KernelEntry } from '../../bindings/runtime/kernels.ts';

function exportsOf(file: string): { funcs: Map<string, number>; others: string[] } {
  const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
  // the threads builds import their (shared) memory
  const shared = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
  const imports: WebAssembly.Imports = shared ? { env: { memory: new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor) } } : {};
  const instance = new WebAssembly.Instance(module, imports);
  const funcs = new Map<string, number>(), others: string[] = [];
  for (const e of WebAssembly.Module.exports(module)) {
    if (e.kind === 'function') funcs.set(e.name, (instance.exports[e.name] as (...a: unknown[]) => unknown).length);
    else others.push(`${e.kind} ${e.name}`);
  }
  return { funcs, others };
}

function assertMatches(file: string, table: readonly KernelEntry[]): void {
  const { funcs, others } = exportsOf(file);
  assert.deepEqual(others, ['memory memory'], `${file}: only the memory besides functions`);
  const names = table.map((k) => k.name);
  assert.deepEqual([...funcs.keys()].sort(), [...names].sort(), `${file}: exported functions = table names`);
  for (const k of table) assert.equal(funcs.get(k.name), k.args.length, `${file}: ${k.name} takes ${k.args.join(', ')}`);
}

for (const variant of ['simd', 'relaxed'] as const) {
  test(`build/${variant}.wasm exports exactly the kernel table`, () => assertMatches(`${variant}.wasm`, KERNELS));
  test(`build/${variant}-threads.wasm exports exactly the kernel table and imports only a shared memory`, () => {
    assertMatches(`${variant}-threads.wasm`, KERNELS);
    const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${variant}-threads.wasm`, import.meta.url)));
    assert.deepEqual(WebAssembly.Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
    // an unshared memory is refused: the build declares its memory shared
    assert.throws(() => new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 16, maximum: 65536 }) } }));
  });
  test(`build/probes-${variant}.wasm exports exactly the probe table`, () => assertMatches(`probes-${variant}.wasm`, PROBES));
}

test('kernel table: unique names, refs are rows, every SIMD kernel has a reference beside it', () => {
  const rows: readonly KernelEntry[] = KERNELS;
  const names = new Set(rows.map((k) => k.name));
  assert.equal(names.size, rows.length, 'unique names');
  for (const k of rows) {
    if (k.ref !== null) assert.ok(names.has(k.ref), `${k.name}: ref ${k.ref} is a row`);
    if (k.name.endsWith('_ref')) assert.equal(k.ref, null, `${k.name} is a reference itself`);
    // naming grammar: <op>_f32[_variant]; runtime exports are the exception
    if (k.family !== 'runtime') assert.match(k.name, /^[a-z]+(_[a-z]+)*_f32(_[a-z0-9]+)*$/, `${k.name}: <op>_f32[_variant]`);
  }
  const noRef = rows.filter((k) => k.family !== 'runtime' && k.ref === null && !k.name.endsWith('_ref') && k.returns !== 'number' && k.name !== 'pack_b_f32');
  assert.deepEqual(noRef.map((k) => k.name), [], 'kernels without a scalar reference');
});

test('kernel table: every kernel and every scalar reference is named by a both-builds test in tests/kernels/', () => {
  const dir = new URL('./', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'kernel_table.test.ts');
  const text = files.map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
  const untested = KERNELS.filter((k) => k.family !== 'runtime' && !new RegExp(`\\b${k.name}\\b`).test(text)).map((k) => k.name);
  assert.deepEqual(untested, [], `rows of the table that no test in tests/kernels/ (${files.join(', ')}) names`);
});
