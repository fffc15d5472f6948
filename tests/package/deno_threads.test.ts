// init({ threads }) in Deno (tests/package/deno/threads.ts, on the built dist/index.js): 2 threads on the shared-memory
// builds, the same bits as 1 thread for every split path, the workers ran tasks; and the Deno process exits by
// itself once the script is done, both after rt.dispose() and with an idle pool that was never disposed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureDist, ROOT } from './dist_build.ts';

const DENO = join(ROOT, 'node_modules/.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');
const EXIT_GRACE_MS = 10_000;   // after the script printed its results, Deno has this long to exit by itself

interface Run {
  variant: string;
  one: unknown;
  two: unknown;
  outputs: number;
  diff: string[];
  unsplit: string[];
  stats: { jobs: number; workerTasks: number } | null;
  sharedMemory: boolean;
}

// Runs the script; resolves with its results and how the process ended (killed = it did not exit by itself).
function runDeno(mode: 'dispose' | 'keep'): Promise<{ runs: Run[] | null; code: number | null; killed: boolean; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    // --allow-read only: a pool needs no more permissions than init() does
    const child = spawn(DENO, ['run', '--allow-read', 'tests/package/deno/threads.ts', mode], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '', runs: Run[] | null = null, killed = false;
    const kill = () => { killed = true; child.kill('SIGKILL'); };
    let timer = setTimeout(kill, 45_000);   // no results at all: stuck before printing them
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (runs || !line || !out.includes('\n', out.indexOf(line))) return;
      runs = (JSON.parse(line) as { runs: Run[] }).runs;
      clearTimeout(timer);
      timer = setTimeout(kill, EXIT_GRACE_MS);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s; err += s; });
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ runs, code, killed, out, err }); });
  });
}

function checkRuns(runs: Run[] | null, out: string): void {
  assert.ok(runs, `the script printed no results:\n${out}`);
  assert.deepEqual(runs.map((r) => r.variant), ['simd', 'relaxed']);
  for (const r of runs) {
    assert.deepEqual(r.one, { count: 1, requested: 1, reason: null }, r.variant);
    assert.deepEqual(r.two, { count: 2, requested: 2, reason: null }, `${r.variant}: threads: 2`);
    assert.ok(r.sharedMemory, `${r.variant}: threads: 2 runs a shared-memory build`);
    assert.ok(r.outputs >= 25, `${r.variant}: ${r.outputs} outputs compared`);
    assert.deepEqual(r.diff, [], `${r.variant}: outputs whose bits differ between 1 and 2 threads`);
    assert.deepEqual(r.unsplit, [], `${r.variant}: outputs computed without the pool on 2 threads`);
    assert.ok(r.stats && r.stats.jobs >= 20 && r.stats.workerTasks > 0, `${r.variant}: the pool ran jobs and the worker ran tasks: ${JSON.stringify(r.stats)}`);
  }
}

for (const mode of ['dispose', 'keep'] as const) {
  const what = mode === 'dispose' ? 'after rt.dispose()' : 'with an idle pool that was never disposed';
  test(`Deno: threads: 2 gives 2 threads and the bits of 1 thread; the process exits by itself ${what}`, { timeout: 60_000 }, async () => {
    ensureDist();
    assert.ok(existsSync(DENO), `${DENO} missing (devDependency "deno")`);
    const { runs, code, killed, out, err } = await runDeno(mode);
    checkRuns(runs, out);
    assert.equal(killed, false, `Deno did not exit within ${EXIT_GRACE_MS / 1000} s of finishing (${what}): killed it\n${out}`);
    assert.equal(code, 0, `deno exited with ${code}:\n${out}`);
    assert.equal(err, '', 'nothing on stderr (an uncaught error in a worker does not change the exit code)');
  });
}
