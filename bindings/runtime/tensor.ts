// A float32 tensor living in the runtime's linear memory. `data` is a fresh view on every access because
// views over memory.buffer go stale when the memory grows; copy (`toArray()`) what must outlive the tensor.
import { fail, fmtShape } from '../errors.ts';
import { DISPOSE } from './dispose.ts';

/** The slice of a runtime a Tensor needs (kept minimal to avoid an import cycle). */
export interface TensorHost {
  readonly memory: WebAssembly.Memory;
  free(ptr: number): void;
  /** @internal Told when a tensor it handed out is disposed (Runtime keeps its live tensors for rt.dispose()). */
  forget?(t: Tensor): void;
}

/**
 * The validity of the tensors one module call returned: they live in the module's buffers until its
 * next call or its dispose(), which ends the lease (and every tensor holding it then throws when used).
 */
export class Lease {
  alive = true;
  constructor(readonly owner: string) {}
}

export class Tensor {
  /** Row-major shape; `size` = product of the dims. */
  readonly shape: readonly number[];
  readonly size: number;
  /** @internal */ readonly host: TensorHost;
  /** @internal Set on module outputs: the tensor dies when the lease ends. */
  readonly lease: Lease | null;
  private _ptr: number;
  private readonly owned: boolean;
  private freedByRuntime = false;

  /** @internal Use `rt.tensor()` / `rt.empty()`. */
  constructor(host: TensorHost, ptr: number, shape: readonly number[], owned = true, lease: Lease | null = null) {
    this.host = host;
    this._ptr = ptr;
    this.shape = Object.freeze(shape.slice());
    this.size = shape.reduce((a, b) => a * b, 1);
    this.owned = owned;
    this.lease = lease;
  }

  /** Byte offset of element 0 in the linear memory (for kernels and other libraries' zero-copy use). */
  get ptr(): number {
    return this.live('Tensor.ptr');
  }

  /** A live Float32Array view of the elements (writes go straight into wasm memory). */
  get data(): Float32Array {
    return new Float32Array(this.host.memory.buffer, this.live('Tensor.data'), this.size);
  }

  /** A JS-owned copy of the elements. */
  toArray(): Float32Array {
    return new Float32Array(this.host.memory.buffer, this.live('Tensor.toArray'), this.size).slice();
  }

  private live(where: string): number {
    if (this.disposed) fail(where, `tensor used after ${this.deadReason()} (shape ${fmtShape(this.shape)})`);
    return this._ptr;
  }

  /** True after dispose(), and for a module's output after the module's next call or dispose(). */
  get disposed(): boolean {
    return this._ptr < 0 || (this.lease !== null && !this.lease.alive);
  }

  /** @internal Why a disposed tensor is dead, for error messages. */
  deadReason(): string {
    if (this._ptr >= 0 && this.lease && !this.lease.alive) {
      return `its module's next call or dispose() (it was an output of ${this.lease.owner}, valid until then)`;
    }
    return this.freedByRuntime ? "its runtime's dispose()" : 'dispose()';
  }

  /** Frees the memory (idempotent). Views taken from `data` must not be used afterwards. On a module output this
   *  only detaches the object (the module owns the memory). */
  dispose(): void {
    if (this._ptr < 0) return;
    if (this.owned) {
      this.host.free(this._ptr);
      this.host.forget?.(this);
    }
    this._ptr = -1;
  }

  /** @internal rt.dispose(): frees the tensor like dispose(), and later use says why. */
  disposeWithRuntime(): void {
    this.freedByRuntime = true;
    this.dispose();
  }

  /** `using t = rt.tensor(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}
