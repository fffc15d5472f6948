// Allocator over the one linear memory. Every block starts 16-byte aligned and has 16 spare bytes after it,
// because SIMD kernels may read up to 16 bytes past the end of an input. Free blocks are kept sorted by address
// and merged with their neighbours, so repeated alloc/free of the same sizes reuses memory and never grows it.
// Because merging is complete and a free block touching the top returns to the bump region, the free list is a
// function of the live blocks alone: freeing exactly what a failed call allocated restores the allocator exactly.

const ALIGN = 16;
const SPARE = 16;
const PAGE = 65536;
/** wasm32 addresses 4 GiB at most, and memory never shrinks. */
export const WASM32_MAX_BYTES = 2 ** 32;

/** An allocation that cannot fit in wasm32 memory (or that the engine refused to grow to). */
export class OutOfMemoryError extends RangeError {
  /** Bytes asked for, bytes in use and the memory's size when it failed. */
  readonly requested: number;
  readonly bytesInUse: number;
  readonly memoryBytes: number;
  constructor(where: string, requested: number, bytesInUse: number, memoryBytes: number, why: string) {
    super(`${where}: out of memory: tried to allocate ${fmtBytes(requested)} with ${fmtBytes(bytesInUse)} in use ` +
          `(memory ${fmtBytes(memoryBytes)}; ${why})`);
    this.name = 'RangeError';
    this.requested = requested;
    this.bytesInUse = bytesInUse;
    this.memoryBytes = memoryBytes;
  }
}

/** "123456789 bytes (117.7 MiB)" */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, u = -1;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u < 0 ? `${n} bytes` : `${n} bytes (${v.toFixed(1)} ${units[u]})`;
}

export class Allocator {
  private readonly memory: WebAssembly.Memory;
  private top: number;                           // first byte never handed out
  private readonly used = new Map<number, number>(); // ptr -> block size (bytes, incl. spare)
  private freeList: number[] = [];               // flat [ptr0, size0, ptr1, size1, ...] sorted by ptr
  private inUse = 0;
  private peakInUse = 0;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.top = roundUp(Math.max(base, ALIGN), ALIGN);
  }

  /** Bytes currently handed out (including alignment and spare bytes). */
  get bytesInUse(): number { return this.inUse; }
  /** Largest bytesInUse seen. */
  get peakBytesInUse(): number { return this.peakInUse; }
  /** Number of live blocks. */
  get liveBlocks(): number { return this.used.size; }

  /**
   * A 16-byte aligned block of at least `bytes` bytes (contents undefined). Grows memory when needed; throws an
   * OutOfMemoryError naming `where` (and changes nothing) when the block cannot fit in 4 GiB or the engine
   * refuses to grow the memory.
   */
  alloc(bytes: number, where = 'alloc'): number {
    if (typeof bytes !== 'number' || !(bytes >= 0) || !Number.isFinite(bytes)) {
      throw new RangeError(`${where}: bytes to allocate must be a non-negative number, got ${bytes}`);
    }
    if (bytes > WASM32_MAX_BYTES) {
      throw new OutOfMemoryError(where, bytes, this.inUse, this.memory.buffer.byteLength, 'wasm32 memory is at most 4 GiB');
    }
    const want = roundUp(Math.max(Math.ceil(bytes), 1), ALIGN) + SPARE;
    let ptr = -1, size = want, at = -1;
    const fl = this.freeList;
    for (let i = 0; i < fl.length; i += 2) { // first fit
      if (fl[i + 1] >= want) { at = i; break; }
    }
    if (at >= 0) {
      ptr = fl[at];
      // split when the remainder is worth keeping
      if (fl[at + 1] - want >= ALIGN + SPARE) { fl[at] += want; fl[at + 1] -= want; }
      else { size = fl[at + 1]; fl.splice(at, 2); }
    } else {
      ptr = this.top;
      this.ensure(ptr + size, bytes, where);  // throws before anything changes
      this.top = ptr + size;
    }
    this.used.set(ptr, size);
    this.inUse += size;
    if (this.inUse > this.peakInUse) this.peakInUse = this.inUse;
    return ptr;
  }

  /** Returns a block from alloc(). Freeing twice or freeing a foreign pointer throws. */
  free(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new RangeError(`free: ${ptr} is not a live block`);
    this.used.delete(ptr);
    this.inUse -= size;
    this.insertFree(ptr, size);
  }

  /** Usable size of a live block (without the spare bytes). */
  sizeOf(ptr: number): number {
    const size = this.used.get(ptr);
    if (size === undefined) throw new RangeError(`sizeOf: ${ptr} is not a live block`);
    return size - SPARE;
  }

  /** True when `ptr` is the start of a live block. */
  isLive(ptr: number): boolean {
    return this.used.has(ptr);
  }

  private ensure(end: number, requested: number, where: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > WASM32_MAX_BYTES) {
      throw new OutOfMemoryError(where, requested, this.inUse, have, 'wasm32 memory is at most 4 GiB');
    }
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new OutOfMemoryError(where, requested, this.inUse, have, `the engine refused to grow the memory: ${(e as Error).message}`);
    }
  }

  private insertFree(ptr: number, size: number): void {
    const fl = this.freeList;
    let i = 0;
    while (i < fl.length && fl[i] < ptr) i += 2;
    fl.splice(i, 0, ptr, size);
    // merge with the next block, then with the previous one
    if (i + 2 < fl.length && fl[i] + fl[i + 1] === fl[i + 2]) { fl[i + 1] += fl[i + 3]; fl.splice(i + 2, 2); }
    if (i >= 2 && fl[i - 2] + fl[i - 1] === fl[i]) { fl[i - 1] += fl[i + 1]; fl.splice(i, 2); i -= 2; }
    // a free block touching the top goes back to the bump region
    if (fl[i] + fl[i + 1] === this.top) { this.top = fl[i]; fl.splice(i, 2); }
  }
}

function roundUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
