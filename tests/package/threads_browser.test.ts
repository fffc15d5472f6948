// init({ threads }) in headless Chromium and Firefox pages (tests/support/browsers.ts), through the built package
// entry /dist/index.js. The page (tests/package/browser/threads_page.ts) runs every split path of
// tests/support/threads_fixtures.ts on 1 and 2 threads on the main thread (no Atomics.wait there: the caller spins)
// and, in Chromium, again in a module worker it starts, and reports what it saw:
// - served with COOP/COEP (cross-origin isolated): 2 threads on the shared-memory builds, the same bits as 1 thread,
//   and the workers ran tasks;
// - served without them: no SharedArrayBuffer, so threads: 2 runs on 1 thread, says why, and still gives those bits.
// Firefox (Debian's firefox-esr) is skipped, saying why, when it is not installed. Firefox runs no module-worker pass:
// under puppeteer's WebDriver BiDi session, Firefox 153 ESR now and then blocks for good in `new Worker()` called
// inside a worker (the pool's workers are nested there), with or without this library; without automation it does not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { ensureDist, ROOT } from './dist_build.ts';
import type { ContextResult, ThreadsPageResult } from './browser/threads_page.ts';
import { firefoxSkip, launchChromium, launchFirefoxOrThrow, type BrowserName, type BrowserSession } from '../support/browsers.ts';
import { serveStatic, type StaticServer } from '../support/static_server.ts';

let work = '';
let isolated: StaticServer | null = null;
let plain: StaticServer | null = null;

before(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'wasm-attention-threads-browser-'));
  await build({
    entryPoints: [join(ROOT, 'tests/package/browser/threads_page.ts')], outfile: join(work, 'threads_page.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
  });
  isolated = await serveStatic(ROOT, { mounts: { '/__test__/': work }, isolate: true });
  plain = await serveStatic(ROOT, { mounts: { '/__test__/': work } });
});

after(async () => {
  await isolated?.close();
  await plain?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Opens the page, waits for window.__result; fails on a page failure or any console error.
async function runPage(browser: BrowserSession, server: StaticServer): Promise<{ contexts: ContextResult[]; requested: string[] }> {
  const from = server.requests.length;
  const inWorker = browser.name === 'chromium';
  const page = await browser.open(`${server.url}/tests/package/browser/threads.html?worker=${inWorker ? 1 : 0}`);
  try {
    await page.waitFor(() => (globalThis as { __result?: unknown }).__result !== undefined, 40_000).catch(async (e: Error) => {
      // name the step that never finished; a main thread spinning in a job does not answer at all
      const at = await Promise.race([page.evaluate(() => (globalThis as { __progress?: string }).__progress),
        new Promise((r) => setTimeout(r, 5_000, 'no answer from the page: its main thread is busy (spinning in a job?)'))]);
      throw new Error(`${e.message}\nstuck at: ${at}`);
    });
    const r = await page.evaluate(() => (globalThis as unknown as { __result: ThreadsPageResult }).__result);
    const logs = page.errors();
    assert.ok(r.ok, `page failed in ${browser.version}: ${r.ok ? '' : r.error}\n${logs.join('\n')}`);
    assert.deepEqual(logs.filter((l) => !/favicon/.test(l)), [], 'no console errors, page errors or failed requests');
    assert.equal(r.worker !== null, inWorker, 'the module-worker pass ran where asked');
    return { contexts: r.worker ? [r.main, r.worker] : [r.main], requested: server.requests.slice(from) };
  } finally {
    await page.close();
  }
}

function engineSuite(name: BrowserName, launch: () => Promise<BrowserSession>, skip: string | false): void {
  const Name = name[0].toUpperCase() + name.slice(1);
  describe(`${Name} threads`, { skip }, () => {
    let browser: BrowserSession | null = null;
    before(async () => { browser = await launch(); });
    after(async () => { await browser?.close(); });

    test(`${Name}, cross-origin isolated: threads: 2 runs 2 threads (main thread, and a worker in Chromium), same bits as 1 thread`, { timeout: 60_000 }, async () => {
      const { contexts, requested } = await runPage(browser!, isolated!);
      for (const ctx of contexts) {
        const at = `${name} ${ctx.where}`;
        assert.equal(ctx.isolated, true, `${at}: crossOriginIsolated with COOP/COEP`);
        if (name === 'chromium') assert.deepEqual(ctx.runs.map((r) => r.variant), ['simd', 'relaxed'], `${at}: Chromium has relaxed SIMD`);
        for (const r of ctx.runs) {
          const v = `${at} ${r.variant}`;
          assert.deepEqual(r.one, { count: 1, requested: 1, reason: null }, v);
          assert.deepEqual(r.two, { count: 2, requested: 2, reason: null }, `${v}: threads: 2`);
          assert.ok(r.sharedMemory, `${v}: threads: 2 runs a shared-memory build`);
          assert.ok(r.outputs >= 25, `${v}: ${r.outputs} outputs compared`);
          assert.deepEqual(r.diff, [], `${v}: outputs whose bits differ between 1 and 2 threads`);
          assert.deepEqual(r.unsplit, [], `${v}: outputs computed without the pool on 2 threads`);
          assert.ok(r.stats && r.stats.jobs >= 20 && r.stats.workerTasks > 0, `${v}: the pool ran jobs and the worker ran tasks: ${JSON.stringify(r.stats)}`);
        }
        // 'auto': the cores the browser reports, at most 4, and all of them start
        const cores = Math.max(1, Math.min(4, ctx.hardwareConcurrency));
        assert.deepEqual(ctx.auto, { count: cores, requested: cores, reason: null }, `${at}: threads: 'auto' (hardwareConcurrency ${ctx.hardwareConcurrency})`);
      }
      for (const v of contexts[0].runs.map((r) => r.variant)) {
        assert.ok(requested.includes(`/build/${v}-threads.wasm`), `the page fetched /build/${v}-threads.wasm: ${requested.join(', ')}`);
      }
    });

    test(`${Name}, not cross-origin isolated: threads: 2 runs on 1 thread, says why, same bits`, { timeout: 60_000 }, async () => {
      const { contexts, requested } = await runPage(browser!, plain!);
      for (const ctx of contexts) {
        const at = `${name} ${ctx.where}`;
        assert.equal(ctx.isolated, false, `${at}: not crossOriginIsolated without COOP/COEP`);
        assert.ok(ctx.runs.length >= 1);
        for (const r of ctx.runs) {
          const v = `${at} ${r.variant}`;
          assert.deepEqual(r.one, { count: 1, requested: 1, reason: null }, v);
          assert.equal(r.two.count, 1, `${v}: threads: 2 falls back to 1 thread`);
          assert.equal(r.two.requested, 2, v);
          assert.match(r.two.reason ?? '', /cross-origin isolated/i, `${v}: the reason names cross-origin isolation`);
          assert.match(r.two.reason ?? '', /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/, `${v}: and the headers`);
          assert.equal(r.stats, null, `${v}: no pool`);
          assert.equal(r.sharedMemory, false, v);
          assert.ok(r.outputs >= 25, `${v}: ${r.outputs} outputs compared`);
          assert.deepEqual(r.diff, [], `${v}: outputs whose bits differ between threads: 1 and threads: 2`);
        }
        assert.equal(ctx.auto.count, 1, `${at}: threads: 'auto' runs on 1 thread`);
        if (ctx.auto.requested > 1) assert.match(ctx.auto.reason ?? '', /cross-origin isolated/i, at);
      }
      assert.deepEqual(requested.filter((p) => p.endsWith('-threads.wasm')), [], 'no shared-memory build fetched');
    });
  });
}

engineSuite('chromium', launchChromium, false);
engineSuite('firefox', launchFirefoxOrThrow, firefoxSkip());
