// A float32 tensor living in the runtime's linear memory. `data` is a fresh view on every access because
// views over memory.buffer go stale when the memory grows; copy (`toArray()`) what must outlive the tensor.
import { fail, fmtShape } from './errors.ts';

/** The slice of a runtime a Tensor needs (kept minimal to avoid an import cycle). */
export interface TensorHost {
  readonly memory: WebAssembly.Memory;
  free(ptr: number): void;
}

export class Tensor {
  /** Row-major shape; `size` = product of the dims. */
  readonly shape: readonly number[];
  readonly size: number;
  /** @internal */ readonly host: TensorHost;
  private _ptr: number;
  private readonly owned: boolean;

  /** @internal Use `rt.tensor()` / `rt.empty()`. */
  constructor(host: TensorHost, ptr: number, shape: readonly number[], owned = true) {
    this.host = host;
    this._ptr = ptr;
    this.shape = Object.freeze(shape.slice());
    this.size = shape.reduce((a, b) => a * b, 1);
    this.owned = owned;
  }

  /** Byte offset of element 0 in the linear memory (for kernels and other libraries' zero-copy use). */
  get ptr(): number {
    if (this._ptr < 0) fail('Tensor', `used after dispose() (shape ${fmtShape(this.shape)})`);
    return this._ptr;
  }

  /** A live Float32Array view of the elements (writes go straight into wasm memory). */
  get data(): Float32Array {
    return new Float32Array(this.host.memory.buffer, this.ptr, this.size);
  }

  /** A JS-owned copy of the elements. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  get disposed(): boolean {
    return this._ptr < 0;
  }

  /** Frees the memory (idempotent). Views taken from `data` must not be used afterwards. */
  dispose(): void {
    if (this._ptr < 0) return;
    if (this.owned) this.host.free(this._ptr);
    this._ptr = -1;
  }
}
