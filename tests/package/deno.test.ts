// Runs the Deno tests (tests/package/deno/) against the built dist/index.js, with the expected numbers computed here in
// Node from the sources, and checks that Deno picked the relaxed build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as source from '../../bindings/index.ts';
import { ensureDist, ROOT } from './dist_build.ts';
import { runChecks, type Lib, type Results } from '../support/runtime_fixtures.ts';

const DENO = join(ROOT, 'node_modules/.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');

test('Deno: dist/index.js finds the wasm, picks relaxed, and matches Node', { timeout: 90_000 }, async () => {
  ensureDist();
  assert.ok(existsSync(DENO), `${DENO} missing (devDependency "deno")`);
  const expected: Record<string, Results> = { simd: await runChecks(source as unknown as Lib, { variant: 'simd' }) };
  if (source.relaxedSimdSupported()) expected.relaxed = await runChecks(source as unknown as Lib, { variant: 'relaxed' });
  const dir = mkdtempSync(join(tmpdir(), 'wasm-attention-deno-'));
  try {
    const file = join(dir, 'expected.json');
    writeFileSync(file, JSON.stringify(expected));
    const r = spawnSync(DENO, ['test', '-A', 'tests/package/deno/'], {
      cwd: ROOT, encoding: 'utf8', timeout: 80_000,
      env: { ...process.env, NO_COLOR: '1', WASM_ATTENTION_EXPECTED: file, WASM_ATTENTION_DENO_OUT: join(dir, 'deno') },
    });
    assert.equal(r.status, 0, `deno test failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /ok \| 3 passed \| 0 failed/, r.stdout);
    // what Deno computed, independently of its own assertions
    const relaxed = JSON.parse(readFileSync(join(dir, 'deno.relaxed.json'), 'utf8')) as Results;
    assert.equal(relaxed.variant, 'relaxed');
    const simd = JSON.parse(readFileSync(join(dir, 'deno.simd.json'), 'utf8')) as Results;
    assert.equal(simd.variant, 'simd');
    assert.equal(simd.tensor.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
