// package.json's "test" and "test:ts" name every test file explicitly (Node 20's `node --test` does not expand globs,
// and a shell glob would not reach the folders below tests/): a test file that is in no list would never run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './dist_build.ts';

test('package.json: "test" and "test:ts" list every tests/**/*.test.ts once, in the same order', () => {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const onDisk = (readdirSync(join(ROOT, 'tests'), { recursive: true }) as string[])
    .map((f) => `tests/${f.split('\\').join('/')}`).filter((f) => f.endsWith('.test.ts')).sort();
  const listed = (name: string): string[] => {
    const words = scripts[name].split(/\s+/);
    assert.ok(!words.some((w) => /[*?[{]/.test(w)), `${name}: no globs: ${scripts[name]}`);
    return words.slice(words.lastIndexOf('--test') + 1);
  };
  const main = listed('test'), ts = listed('test:ts');
  assert.deepEqual(ts, main, '"test:ts" runs the files of "test"');
  assert.deepEqual([...main].sort(), onDisk, 'the files listed are the test files on disk');
  assert.equal(new Set(main).size, main.length, 'each file once');
});
