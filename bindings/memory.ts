// Allocator over the one linear memory. Every block starts 16-byte aligned and has 16 spare bytes after it,
// because SIMD kernels may read up to 16 bytes past the end of an input. Free blocks are kept sorted by address
// and merged with their neighbours, so repeated alloc/free of the same sizes reuses memory and never grows it.

const ALIGN = 16;
const SPARE = 16;
const PAGE = 65536;

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

  /** A 16-byte aligned block of at least `bytes` bytes (contents undefined). Grows memory when needed. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: bytes must be a non-negative integer, got ${bytes}`);
    const want = roundUp(Math.max(bytes, 1), ALIGN) + SPARE;
    let ptr = -1, size = want;
    const fl = this.freeList;
    for (let i = 0; i < fl.length; i += 2) { // first fit; split when the remainder is worth keeping
      if (fl[i + 1] < want) continue;
      ptr = fl[i];
      if (fl[i + 1] - want >= ALIGN + SPARE) { fl[i] += want; fl[i + 1] -= want; }
      else { size = fl[i + 1]; fl.splice(i, 2); }
      break;
    }
    if (ptr < 0) {
      ptr = this.top;
      this.ensure(ptr + size);
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

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
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
