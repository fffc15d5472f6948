// Malformed-input table (tests/support/malformed_table.ts), on both builds. For every entry: it throws an Error whose
// message names the call and the argument, and rt.memoryStats() (and the second runtime's) are exactly as before the
// table. Around the table: a fixed set of good calls (ops, Attention, MultiHead, Transformer encoder and decoder) gives
// bit-identical results after it, and the module outputs it left behind are untouched.
//
// Entries marked `todo` are known defects: they run as node:test todos on a context of their own (so a leak there
// cannot fail the others), each checked against the memory as it was just before it. MALFORMED_IGNORE_TODO=1 runs
// them as ordinary entries on the main context (to check a fix before removing the mark).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, type MemoryStats, type Runtime } from '../../bindings/index.ts';
import { VARIANTS } from '../support/util.ts';
import { TABLE, goodCalls, makeCtx, type Ctx, type Entry } from '../support/malformed_table.ts';

const IGNORE_TODO = process.env.MALFORMED_IGNORE_TODO === '1';

function title(i: number, e: Entry): string {
  return `#${i} ${e.call} / ${e.arg}: ${e.run.toString().replace(/\s+/g, ' ')}`;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** Runs the entry and returns what it threw (awaiting a returned promise); fails when nothing was thrown. */
async function thrown(e: Entry, c: Ctx): Promise<unknown> {
  let result: unknown;
  try {
    result = e.run(c);
    if (isThenable(result)) result = await result;
  } catch (err) {
    return err;
  }
  const what = result === null || typeof result !== 'object' ? String(result) : `a ${(result as object).constructor?.name ?? 'object'}`;
  if (result && typeof (result as { dispose?: unknown }).dispose === 'function') (result as { dispose(): void }).dispose();
  return assert.fail(`expected an Error naming ${e.call} and ${e.arg}; nothing was thrown (returned ${what})`);
}

function checkError(e: Entry, err: unknown): Error {
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  const msg = err.message;
  assert.ok(msg.includes(e.call), `message does not name the call "${e.call}": ${err.name}: ${msg}`);
  assert.ok(msg.includes(e.arg), `message does not name the argument "${e.arg}": ${err.name}: ${msg}`);
  return err;
}

const stats = (rt: Runtime): MemoryStats => ({ ...rt.memoryStats() });

function bits(x: Float32Array): Uint32Array {
  return new Uint32Array(x.slice().buffer);
}

for (const variant of VARIANTS) {
  describe(`malformed inputs (${variant})`, () => {
    let other: Runtime;
    let c: Ctx;          // main context: good calls and every entry without a todo mark
    let cTodo: Ctx;      // todo entries
    let good: ReturnType<typeof goodCalls>;
    let base: MemoryStats, otherBase: MemoryStats;
    const notTypeOrRange: string[] = [];

    before(async () => {
      other = await init({ variant });
      c = await makeCtx(variant, other);
      cTodo = await makeCtx(variant, other);
      good = goodCalls(c);
      base = stats(c.rt);
      otherBase = stats(other);
    });

    TABLE.forEach((e, i) => {
      const todo = e.todo !== undefined && !IGNORE_TODO;
      test(title(i, e), todo ? { todo: e.todo } : {}, async () => {
        const ctx = todo ? cTodo : c;
        const before = todo ? stats(ctx.rt) : base;
        const otherBefore = todo ? stats(other) : otherBase;
        const err = checkError(e, await thrown(e, ctx));
        if (!(err instanceof TypeError) && !(err instanceof RangeError)) notTypeOrRange.push(`#${i} ${err.name}: ${err.message}`);
        assert.deepEqual(stats(ctx.rt), before, `rt.memoryStats() changed by #${i} (${err.message})`);
        assert.deepEqual(stats(other), otherBefore, `the other runtime's memoryStats() changed by #${i}`);
      });
    });

    test('after the table: module outputs untouched, good calls bit-identical, memory unchanged', (t) => {
      for (const [name, held] of Object.entries(good.held)) {
        assert.deepEqual(bits(held.toArray()), bits(good.results[name]), `${name}: the output of the last good call was overwritten`);
      }
      const again = goodCalls(c);
      for (const [name, x] of Object.entries(good.results)) {
        assert.deepEqual(bits(again.results[name]), bits(x), `${name}: not bit-identical after the table`);
      }
      assert.deepEqual(stats(c.rt), base, 'rt.memoryStats() after rerunning the good calls');
      assert.deepEqual(stats(other), otherBase, "the other runtime's memoryStats()");
      if (notTypeOrRange.length) t.diagnostic(`errors neither TypeError nor RangeError:\n${notTypeOrRange.join('\n')}`);
    });
  });
}
