// Long differential fuzz campaigns of every op and module against the float64 references (tests/fuzz/cases.ts).
//
//   node --experimental-wasm-relaxed-simd --import tsx tools/fuzz.ts --cases 5000 --seed 42
//   npm run fuzz -- --cases 5000 --seed 42 [--variant simd|relaxed] [--target matmul,multihead] [--keep-going]
//   npm run fuzz -- --case 42:1234 [--variant relaxed]          # rerun one case (prints its options)
//
// Options:
//   --cases N        number of cases (default 1000), indices --start .. --start+N-1 (default start 0)
//   --seed S         campaign seed, 0 .. 2^32-1 (default: random, printed)
//   --case S:I       run only this case (repeatable); prints its options
//   --variant V      simd | relaxed | both (default both: every case on both builds)
//   --target T,...   only cases of these targets (indices of other targets are skipped; --cases counts cases run)
//   --keep-going     do not stop at the first failure; list all failures at the end
//   --stats          print per target the worst |error| / tolerance seen (1.0 = at the tolerance)
//   --threads N      run on init({ threads: N }) with every call split over the pool however small (the split
//                    thresholds at 0), to exercise the split paths on every shape (default 1)
// Exits 1 when a case fails (the message names the case id, its options and the rerun command), 2 on bad usage.
import { init, type Runtime } from '../bindings/index.ts';
import { SPLIT_MIN } from '../bindings/ops/parallel.ts';
import { FuzzFailure, TARGETS, makeCase, parseCaseId, runCase, type Target, type Variant } from '../tests/support/fuzz_cases.ts';

interface Args {
  cases: number; seed: number; start: number; only: { seed: number; index: number }[];
  variants: Variant[]; targets: Target[]; keepGoing: boolean; stats: boolean; threads: number;
}

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\nusage: tools/fuzz.ts [--cases N] [--seed S] [--start I] [--case S:I] [--variant simd|relaxed|both] ` +
    `[--target ${TARGETS.join(',')}] [--keep-going] [--stats]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { cases: 1000, seed: Math.floor(Math.random() * 2 ** 32), start: 0, only: [], variants: ['simd', 'relaxed'], targets: [], keepGoing: false, stats: false, threads: 1 };
  const int = (name: string, v: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > max) usage(`${name} needs a non-negative integer${max < Number.MAX_SAFE_INTEGER ? ` <= ${max}` : ''}, got ${v}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const val = () => inline ?? argv[++i];
    switch (flag) {
      case '--cases': a.cases = int('--cases', val()); break;
      case '--seed': a.seed = int('--seed', val(), 0xffffffff); break;
      case '--start': a.start = int('--start', val()); break;
      case '--case': try { a.only.push(parseCaseId(val() ?? '')); } catch (e) { usage((e as Error).message); } break;
      case '--variant': {
        const v = val();
        if (v === 'both') a.variants = ['simd', 'relaxed'];
        else if (v === 'simd' || v === 'relaxed') a.variants = [v];
        else usage(`--variant must be simd, relaxed or both, got ${v}`);
        break;
      }
      case '--target': {
        const ts = (val() ?? '').split(',').filter(Boolean);
        for (const t of ts) if (!(TARGETS as readonly string[]).includes(t)) usage(`unknown target ${t} (targets: ${TARGETS.join(', ')})`);
        a.targets = ts as Target[];
        break;
      }
      case '--keep-going': a.keepGoing = true; break;
      case '--stats': a.stats = true; break;
      case '--threads': a.threads = Math.max(1, int('--threads', val(), 64)); break;
      case '--help': case '-h': usage('help');
      // falls through (usage exits)
      default: usage(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.threads > 1) Object.assign(SPLIT_MIN, { gemmMacs: 0, rowElements: 0, mathElements: 0, cheapElements: 0 });
  const rts = new Map<Variant, Runtime>();
  for (const v of args.variants) {
    try { rts.set(v, await init({ variant: v, threads: args.threads })); } catch (e) {
      process.stderr.write(`fuzz: cannot start the ${v} build: ${(e as Error).message}` +
        (v === 'relaxed' ? ' (Node 20 needs --experimental-wasm-relaxed-simd; npm run fuzz passes it)' : '') + '\n');
      process.exit(2);
    }
    const th = rts.get(v)!.threads;
    if (th.count < args.threads) { process.stderr.write(`fuzz: asked ${args.threads} threads, got ${th.count}: ${th.reason}\n`); process.exit(2); }
  }
  // the explicit case ids, or seed:start, seed:start+1, ... (skipping the indices of other targets with --target)
  const total = args.only.length || args.cases;
  let next = args.start, given = 0;
  const nextCase = () => {
    if (args.only.length) return given < args.only.length ? makeCase(args.only[given].seed, args.only[given++].index) : null;
    for (;;) {
      const c = makeCase(args.seed, next++);
      if (!args.targets.length || args.targets.includes(c.target)) return c;
    }
  };
  if (!args.only.length) {
    process.stdout.write(`fuzz: seed ${args.seed}, ${args.cases} cases from index ${args.start}, builds ${args.variants.join(' + ')}` +
      `${args.targets.length ? `, targets ${args.targets.join(',')}` : ''}\n`);
  }
  const counts = new Map<Target, number>();
  const worst = new Map<Target, { ratio: number; id: string; variant: Variant }>();
  const failures: FuzzFailure[] = [];
  const t0 = performance.now();
  let lastReport = t0, done = 0;
  for (let c = done < total ? nextCase() : null; c; c = done < total ? nextCase() : null) {
    if (args.only.length) process.stdout.write(`case ${c.id}: ${c.target} ${JSON.stringify(c.options)}\n`);
    counts.set(c.target, (counts.get(c.target) ?? 0) + 1);
    for (const [variant, rt] of rts) {
      try {
        const s = runCase(rt, c);
        const w = worst.get(c.target);
        if (!w || s.worst > w.ratio) worst.set(c.target, { ratio: s.worst, id: c.id, variant });
        if (args.only.length) process.stdout.write(`  ${variant}: ok (worst |error|/tolerance ${s.worst.toFixed(3)})\n`);
      } catch (e) {
        if (!(e instanceof FuzzFailure)) throw e;
        failures.push(e);
        process.stdout.write(`\nFAIL ${e.message}\n`);
        if (!args.keepGoing) {
          process.stdout.write(`\nfuzz: case ${c.id} failed on ${variant} after ${done} passing cases; reproduce with: npm run fuzz -- --case ${c.id} --variant ${variant}\n`);
          process.exit(1);
        }
      }
    }
    done++;
    const now = performance.now();
    if (now - lastReport > 2000 && !args.only.length) {
      lastReport = now;
      const rate = done / ((now - t0) / 1000);
      process.stderr.write(`fuzz: ${done}/${total} cases (${rate.toFixed(0)}/s, ~${((total - done) / rate).toFixed(0)} s left), ${failures.length} failed\n`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const per = [...counts].sort((a, b) => TARGETS.indexOf(a[0]) - TARGETS.indexOf(b[0])).map(([t, n]) => `${t} ${n}`).join(', ');
  const range = args.only.length ? '' : `, indices ${args.start}..${next - 1}`;
  process.stdout.write(`fuzz: ${done} cases x ${rts.size} build(s) in ${secs.toFixed(1)} s (${per}${range}); ${failures.length} failed\n`);
  if (args.stats) {
    for (const t of TARGETS) {
      const w = worst.get(t);
      if (w) process.stdout.write(`  ${t.padEnd(15)} worst |error|/tolerance ${w.ratio.toFixed(3)} (case ${w.id}, ${w.variant})\n`);
    }
  }
  if (failures.length) {
    process.stdout.write(`failed cases:\n${failures.map((f) => `  npm run fuzz -- --case ${f.caseId} --variant ${f.variant}   (${f.target})`).join('\n')}\n`);
    process.exit(1);
  }
}

main().catch((e) => { process.stderr.write(`fuzz: ${(e as Error).stack ?? e}\n`); process.exit(1); });
