// Named, reusable buffers owned by one module: outputs and scratch. A buffer is reallocated only when a call
// needs more than it has, so repeated forwards of the same shapes allocate nothing and never grow memory.
import type { Runtime } from './runtime.ts';

export class Workspace {
  private readonly bufs = new Map<string, { ptr: number; floats: number }>();
  constructor(private readonly rt: Runtime) {}

  /** Pointer to at least `floats` f32 elements under `name` (contents undefined, kept across calls). */
  get(name: string, floats: number): number {
    const b = this.bufs.get(name);
    if (b && b.floats >= floats) return b.ptr;
    if (b) this.rt.free(b.ptr);
    const ptr = this.rt.alloc(Math.max(floats, 1) * 4);
    this.bufs.set(name, { ptr, floats });
    return ptr;
  }

  /** Frees every buffer. */
  dispose(): void {
    for (const b of this.bufs.values()) this.rt.free(b.ptr);
    this.bufs.clear();
  }
}
