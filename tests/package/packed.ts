// Test helper: the package as users get it. `npm pack` into a temp dir, and a consumer project with the tarball
// installed offline (the package has no dependencies, so nothing but the tarball is needed; --offline keeps npm off
// the network). The npm that runs is the one running the tests (npm_execpath under `npm test`), else the one on PATH,
// never an `npm` package some devDependency put in node_modules/.bin, and without the parent npm's npm_* environment.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { ensureDist, ROOT } from './dist_build.ts';

export function npm(args: string[], cwd: string, timeout: number): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes(`node_modules${sep}.bin`)).join(delimiter);
  const cli = process.env.npm_execpath;
  const [cmd, pre] = cli && /npm-cli\.[cm]?js$/.test(cli) ? [process.execPath, [cli]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  return execFileSync(cmd, [...pre, ...args], { cwd, env, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32' });
}

export interface Packed { tarball: string; files: string[] }

/** Builds dist/ if stale, then `npm pack`s the package into `dir`. */
export function packPackage(dir: string): Packed {
  ensureDist();
  // --ignore-scripts: nothing to run (the package has no lifecycle scripts; dist/ and build/ are fresh)
  const out = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT, 60_000))[0] as
    { filename: string; files: { path: string }[] };
  return { tarball: join(dir, out.filename), files: out.files.map((f) => f.path) };
}

/** A fresh project at `dir` with the tarball installed from the file alone. */
export function installTarball(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', tarball, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, 60_000);
}
