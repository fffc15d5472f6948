// Headless browsers for tests and benches, behind one small interface:
//   const b = await launchChromium();            // always a browser (system chromium, else @sparticuz/chromium)
//   const f = await launchFirefox();             // { browser } or { browser: null, reason } when Firefox is absent
//   const p = await b.open(url);                 // a new page, console errors / page errors / failed requests recorded
//   await p.waitFor('window.__done === true');   // or a function; rejects at once on an uncaught page error
//   await p.evaluate(() => document.title);      // a function or an expression string, run in the page
//   p.errors()                                   // console.error lines, uncaught errors, failed requests (so far)
//   await p.screenshot(file); await p.close(); await b.close();
// Chromium is driven with playwright-core, Firefox with puppeteer-core over WebDriver BiDi. Each browser gets a fresh
// profile in a temp dir; close() ends the browser, waits for its process to exit (SIGKILL after a grace period) and
// removes the profile, so nothing is left behind. Environment overrides:
//   WASM_ATTENTION_CHROMIUM  = 'bundled' (ignore system browsers, use @sparticuz/chromium) | a path to a chromium binary
//   WASM_ATTENTION_FIREFOX   = a path to a firefox binary | 'none' (behave as if Firefox were not installed)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export type BrowserName = 'chromium' | 'firefox';

export interface BrowserPage {
  /** Runs `fn` (a function, or an expression string) in the page and returns its (JSON-able) result. */
  evaluate<T>(fn: string | (() => T | Promise<T>)): Promise<T>;
  /** Resolves when `fn` (function or expression) is truthy in the page; rejects on timeout or an uncaught page error. */
  waitFor(fn: string | (() => unknown), timeoutMs?: number): Promise<void>;
  /** console.error / console.warn lines, uncaught page errors and failed requests, in order. */
  errors(): string[];
  /** Every console message, `type: text`. */
  console(): string[];
  screenshot(path: string, opts?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserSession {
  readonly name: BrowserName;
  readonly version: string;
  /** The binary that runs, and where it came from ('system' | 'bundled' | 'env'). */
  readonly executablePath: string;
  readonly source: 'system' | 'bundled' | 'env';
  open(url: string, opts?: { width?: number; height?: number }): Promise<BrowserPage>;
  close(): Promise<void>;
}

export type LaunchResult = { browser: BrowserSession; reason?: undefined } | { browser: null; reason: string };

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--no-default-browser-check', '--disable-crash-reporter', '--disable-breakpad'];

function executable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return true; } catch { return false; }
}

/** First executable named `names[i]` on PATH. */
function onPath(...names: string[]): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const n of names) if (dir && executable(join(dir, n))) return join(dir, n);
  }
  return null;
}

/** Where Chromium would come from, without launching it. */
export async function chromiumExecutable(): Promise<{ path: string; source: 'system' | 'bundled' | 'env' }> {
  const env = process.env.WASM_ATTENTION_CHROMIUM ?? process.env.CHROMIUM_PATH;
  if (env && env !== 'bundled' && env !== 'system') {
    if (!executable(env)) throw new Error(`WASM_ATTENTION_CHROMIUM=${env} is not an executable`);
    return { path: env, source: 'env' };
  }
  if (env !== 'bundled') {
    const sys = ['/usr/bin/chromium'].find(executable) ?? onPath('chromium', 'chromium-browser');
    if (sys) return { path: sys, source: 'system' };
  }
  // @sparticuz/chromium: a headless Chromium inside the npm package, inflated to $TMPDIR/chromium on first use.
  const { default: sparticuz } = await import('@sparticuz/chromium');
  return { path: await sparticuz.executablePath(), source: 'bundled' };
}

/** Where Firefox is, or null. Debian's firefox-esr (CI installs it), else firefox on PATH (not the /usr/bin/firefox
 *  shell wrapper, which puppeteer cannot track). */
export function firefoxExecutable(): string | null {
  const env = process.env.WASM_ATTENTION_FIREFOX;
  if (env === 'none') return null;
  if (env) return executable(env) ? env : null;
  for (const p of ['/usr/lib/firefox-esr/firefox-esr', '/usr/bin/firefox-esr', '/usr/lib/firefox/firefox']) if (executable(p)) return p;
  return onPath('firefox-esr');
}

function version(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return (r.stdout ?? '').trim().split('\n').pop() ?? '';
}

// The browser's processes: every process whose command line names our fresh profile dir (the browser, its helpers,
// chromium's crashpad handler, which detaches itself) and all their descendants. Linux (/proc); elsewhere only `root`.
function browserProcesses(profile: string, root?: number): Set<number> {
  const found = new Set<number>(root ? [root] : []);
  let entries: string[];
  try { entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return found; }
  const parent = new Map<number, number>();
  for (const d of entries) {
    const pid = Number(d);
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(profile)) found.add(pid);
    } catch { /* exited meanwhile */ }
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (!found.has(pid) && found.has(ppid)) { found.add(pid); grew = true; }
  }
  return found;
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return true; }
};

// After the browser was asked to close: waits for `pids` to exit, SIGKILLs what is left after `graceMs`.
async function reap(pids: Set<number>, graceMs = 5_000): Promise<void> {
  pids.delete(process.pid);
  const end = Date.now() + graceMs;
  while ([...pids].some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const left = [...pids].filter(alive);
  for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  const end2 = Date.now() + 2_000;
  while (left.some(alive) && Date.now() < end2) await new Promise((r) => setTimeout(r, 50));
}

// Records console errors, page errors and failed requests; `crashed` rejects on the first uncaught page error.
class Recorder {
  readonly log: string[] = [];
  readonly all: string[] = [];
  private rejectCrash: ((e: Error) => void) | null = null;
  console(type: string, text: string): void {
    this.all.push(`${type}: ${text}`);
    if (type === 'error' || type === 'warning' || type === 'warn') this.log.push(`console.${type}: ${text}`);
  }
  pageError(message: string): void {
    this.log.push(`pageerror: ${message}`);
    this.rejectCrash?.(new Error(`uncaught page error: ${message}`));
  }
  requestFailed(url: string, why: string | undefined): void { this.log.push(`requestfailed: ${url} ${why ?? ''}`); }
  crashed(): Promise<never> {
    return new Promise<never>((_, reject) => { this.rejectCrash = reject; });
  }
}

async function waitWithCrash(wait: Promise<unknown>, rec: Recorder, what: string): Promise<void> {
  const crash = rec.crashed();
  crash.catch(() => {});
  try {
    await Promise.race([wait, crash]);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}\n${rec.log.join('\n')}`);
  }
}

/** Headless Chromium (playwright-core): system /usr/bin/chromium or chromium on PATH, else @sparticuz/chromium. */
export async function launchChromium(): Promise<BrowserSession> {
  const { chromium } = await import('playwright-core');
  const exe = await chromiumExecutable();
  const profile = mkdtempSync(join(tmpdir(), 'wasm-attention-chromium-'));
  let context: import('playwright-core').BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: exe.path, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 900 },
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not launch Chromium (${exe.source} ${exe.path}): ${(e as Error).message}`);
  }
  for (const p of context.pages()) await p.close(); // the persistent context opens one blank page
  const ver = context.browser()?.version() ?? version(exe.path);
  let closed = false;
  return {
    name: 'chromium', version: ver, executablePath: exe.path, source: exe.source,
    async open(url, opts = {}) {
      const page = await context.newPage();
      if (opts.width || opts.height) await page.setViewportSize({ width: opts.width ?? 1200, height: opts.height ?? 900 });
      const rec = new Recorder();
      page.on('console', (m) => rec.console(m.type(), m.text()));
      page.on('pageerror', (e) => rec.pageError(e.message));
      page.on('requestfailed', (r) => rec.requestFailed(r.url(), r.failure()?.errorText));
      await page.goto(url);
      return {
        evaluate: <T>(fn: string | (() => T | Promise<T>)) => page.evaluate(fn as () => T) as Promise<T>,
        waitFor: (fn, timeoutMs = 30_000) =>
          waitWithCrash(page.waitForFunction(fn as () => unknown, null, { timeout: timeoutMs, polling: 50 }), rec, `waiting in ${url}`),
        errors: () => [...rec.log],
        console: () => [...rec.all],
        screenshot: async (path, o = {}) => { await page.screenshot({ path, fullPage: o.fullPage ?? true }); },
        close: () => page.close(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const pids = browserProcesses(profile); // the persistent context does not expose its process
      await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await reap(new Set([...pids, ...browserProcesses(profile)]));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Headless Firefox (Debian firefox-esr) via puppeteer-core over WebDriver BiDi; null with a reason when absent. */
export async function launchFirefox(opts: { prefs?: Record<string, unknown> } = {}): Promise<LaunchResult> {
  const exe = firefoxExecutable();
  if (!exe) {
    return { browser: null, reason: process.env.WASM_ATTENTION_FIREFOX === 'none'
      ? 'WASM_ATTENTION_FIREFOX=none' : 'Firefox is not installed (apt-get install -y firefox-esr; CI\'s .ci/run does this)' };
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'wasm-attention-firefox-'));
  let browser: import('puppeteer-core').Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox', protocol: 'webDriverBiDi', executablePath: exe, headless: true, userDataDir: profile,
      defaultViewport: { width: 1200, height: 900 }, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      extraPrefsFirefox: {
        // no network chatter, updates or telemetry in a test profile
        'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false, 'datareporting.policy.dataSubmissionEnabled': false,
        'toolkit.telemetry.enabled': false, 'network.captive-portal-service.enabled': false, 'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false, 'extensions.update.enabled': false,
        ...opts.prefs,
      },
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    return { browser: null, reason: `could not launch Firefox (${exe}): ${(e as Error).message}` };
  }
  const proc = browser.process();
  const ver = await browser.version().catch(() => version(exe));
  let closed = false;
  const session: BrowserSession = {
    name: 'firefox', version: ver, executablePath: exe, source: process.env.WASM_ATTENTION_FIREFOX ? 'env' : 'system',
    async open(url, opts = {}) {
      const page = await browser.newPage();
      if (opts.width || opts.height) await page.setViewport({ width: opts.width ?? 1200, height: opts.height ?? 900 });
      const rec = new Recorder();
      page.on('console', (m) => rec.console(m.type(), m.text()));
      page.on('pageerror', (e) => rec.pageError(e instanceof Error ? e.message : String(e)));
      page.on('requestfailed', (r) => rec.requestFailed(r.url(), r.failure()?.errorText));
      await page.goto(url);
      return {
        evaluate: <T>(fn: string | (() => T | Promise<T>)) => page.evaluate(fn as () => T) as Promise<T>,
        waitFor: (fn, timeoutMs = 30_000) =>
          waitWithCrash(page.waitForFunction(fn as () => unknown, { timeout: timeoutMs, polling: 50 }), rec, `waiting in ${url}`),
        errors: () => [...rec.log],
        console: () => [...rec.all],
        screenshot: async (path, o = {}) => { await page.screenshot({ path, fullPage: o.fullPage ?? true }); },
        close: () => page.close(),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const pids = browserProcesses(profile, proc?.pid);
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await reap(new Set([...pids, ...browserProcesses(profile, proc?.pid)]));
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return { browser: session };
}

/** Both launchers by name (benches loop over browsers). Chromium always yields a browser or throws. */
export async function launchBrowser(name: BrowserName, opts: { firefoxPrefs?: Record<string, unknown> } = {}): Promise<LaunchResult> {
  if (name === 'chromium') return { browser: await launchChromium() };
  return launchFirefox({ prefs: opts.firefoxPrefs });
}

export const firefoxInstalled = (): boolean => firefoxExecutable() !== null;

/** launchFirefox for a test suite: the session, or throws the reason it could not start. */
export async function launchFirefoxOrThrow(): Promise<BrowserSession> {
  const r = await launchFirefox();
  if (!r.browser) throw new Error(r.reason);
  return r.browser;
}

/** false when Firefox is installed, else why its tests are skipped (node:test's `skip`). */
export const firefoxSkip = (): false | string => (firefoxExecutable() ? false
  : 'Firefox not installed: apt-get install -y firefox-esr to run these (CI\'s .ci/run installs it; set WASM_ATTENTION_FIREFOX=/path to use another)');
export const systemChromium = (): string | null =>
  process.env.WASM_ATTENTION_CHROMIUM === 'bundled' ? null : (['/usr/bin/chromium'].find(existsSync) ?? onPath('chromium', 'chromium-browser'));
