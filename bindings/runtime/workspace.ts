// Named, reusable buffers owned by one module (outputs and scratch), and the journal that makes every public call
// all-or-nothing. A buffer is reallocated only when a call needs more than it has, so repeated forwards of the
// same shapes allocate nothing and never grow memory.
import type { Runtime } from './runtime.ts';
import { Lease } from './tensor.ts';

/**
 * @internal Undo log of the public call in progress. State changes made while a call runs (a workspace buffer
 * replaced, a cache advanced) register how to undo them and what to finish on success; if the call throws, they
 * are undone in reverse order, so the call leaves every module, tensor and the allocator as it found them.
 * Calls nest (a Transformer runs MultiHeads): only the outermost commits or rolls back.
 */
export class Journal {
  private depth = 0;
  private undos: (() => void)[] = [];
  private commits: (() => void)[] = [];
  /** Name of the outermost public call, used in out-of-memory messages. */
  where = 'alloc';

  /** Runs `fn` as one all-or-nothing call named `where`. */
  atomic<T>(where: string, fn: () => T): T {
    if (this.depth++ === 0) this.where = where;
    let ok = false;
    try {
      const r = fn();
      ok = true;
      return r;
    } finally {
      if (--this.depth === 0) {
        const list = ok ? this.commits : this.undos.reverse();
        this.undos = [];
        this.commits = [];
        this.where = 'alloc';
        for (const f of list) f();
      }
    }
  }

  /** Records how to undo a change (run if the call fails) and what to finish if it succeeds. Outside a call the
   *  change is final at once. */
  record(undo: (() => void) | null, commit: (() => void) | null): void {
    if (this.depth === 0) { commit?.(); return; }
    if (undo) this.undos.push(undo);
    if (commit) this.commits.push(commit);
  }

  get active(): boolean {
    return this.depth > 0;
  }
}

export class Workspace {
  private readonly bufs = new Map<string, { ptr: number; floats: number }>();
  constructor(private readonly rt: Runtime) {}

  /**
   * Pointer to at least `floats` f32 elements under `name` (contents undefined, kept across calls). A buffer that
   * must grow is replaced by a new one; the old one is freed only when the call succeeds (undone if it fails).
   */
  get(name: string, floats: number): number {
    const b = this.bufs.get(name);
    if (b && b.floats >= floats) return b.ptr;
    const j = this.rt.journal;
    const ptr = this.rt.alloc(Math.max(floats, 1) * 4, j.where);   // throws before anything changes
    const fresh = { ptr, floats };
    this.bufs.set(name, fresh);
    j.record(() => {
      this.rt.free(ptr);
      if (b) this.bufs.set(name, b); else this.bufs.delete(name);
    }, b ? () => this.rt.free(b.ptr) : null);
    return ptr;
  }

  /** True when [ptr, ptr + bytes) overlaps one of this workspace's buffers. */
  overlaps(ptr: number, bytes: number): boolean {
    for (const b of this.bufs.values()) if (ptr < b.ptr + b.floats * 4 && b.ptr < ptr + bytes) return true;
    return false;
  }

  /** Frees every buffer. */
  dispose(): void {
    for (const b of this.bufs.values()) this.rt.free(b.ptr);
    this.bufs.clear();
  }
}

/**
 * The lease of a module's outputs. Each successful call hands out tensors under a new lease and ends the
 * previous one (those tensors would now read the new call's values, or freed memory); dispose() ends the last.
 */
export class Outputs {
  private current: Lease;
  constructor(private readonly rt: Runtime, private readonly owner: string) {
    this.current = new Lease(owner);
  }

  /** The lease of the tensors the last successful call returned. */
  get lease(): Lease {
    return this.current;
  }

  /** The lease for this call's outputs; the previous outputs end only if the call succeeds. */
  next(): Lease {
    const n = new Lease(this.owner);
    this.rt.journal.record(() => { n.alive = false; }, () => { this.current.alive = false; this.current = n; });
    return n;
  }

  /** Ends the last outputs (module dispose). */
  end(): void {
    this.current.alive = false;
  }
}
