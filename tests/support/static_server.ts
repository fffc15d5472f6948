// A static file server for browser tests and benches: 127.0.0.1 on a free port, no caching, correct types for .js
// and .wasm. `mounts` maps URL prefixes ('/__test__/') to other folders (bundled page scripts in a temp dir); all
// other paths come from `root`. Optional cross-origin isolation headers (SharedArrayBuffer, threads).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.css': 'text/css',
  '.map': 'application/json', '.onnx': 'application/octet-stream', '.bin': 'application/octet-stream',
};

export interface StaticServer {
  readonly url: string;            // http://127.0.0.1:PORT
  readonly requests: string[];     // every path requested, in order
  close(): Promise<void>;
}

export async function serveStatic(root: string, opts: { mounts?: Record<string, string>; isolate?: boolean } = {}): Promise<StaticServer> {
  const requests: string[] = [];
  root = resolve(root);
  const mounts = Object.entries(opts.mounts ?? {}).map(([p, d]) => [p, resolve(d)] as const);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; } // no 404 console error in every page
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const [dir, rel] = mount ? [mount[1], path.slice(mount[0].length)] : [root, path.slice(1)];
    let file = normalize(join(dir, rel));
    if (file !== dir && !file.startsWith(dir + sep)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (opts.isolate) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.writeHead(200, headers);
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
