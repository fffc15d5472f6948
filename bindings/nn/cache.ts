// Key/value caches for step-by-step decoding. The keys and values of earlier positions are kept projected, so a
// decode step projects only its new positions and attends over the cache: nothing is recomputed. Preallocated to
// maxLength, so a decode loop allocates nothing and never grows memory.
import { fail } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { DISPOSE } from '../runtime/dispose.ts';

/** The projected keys and values of one attention module for `batch` sequences of up to `maxLength` positions. */
export class KVCache {
  readonly batch: number;
  readonly maxLength: number;
  /** @internal Feature size of a key/value row. */
  readonly width: number;
  /** @internal The module the cache belongs to. */
  readonly owner: object;
  /** @internal k, v: [batch, maxLength, width] f32, batch-major. */
  k: number;
  v: number;
  private len = 0;
  private readonly rt: Runtime;

  /** @internal Use module.createCache(). */
  constructor(rt: Runtime, owner: object, batch: number, maxLength: number, width: number) {
    this.rt = rt;
    this.owner = owner;
    this.batch = batch;
    this.maxLength = maxLength;
    this.width = width;
    const bytes = batch * maxLength * width * 4;
    this.k = rt.alloc(bytes, 'createCache');
    try {
      this.v = rt.alloc(bytes, 'createCache');
    } catch (e) {
      rt.free(this.k);
      throw e;
    }
  }

  /** Positions held (the same for every sequence of the batch). */
  get length(): number {
    return this.len;
  }

  get disposed(): boolean {
    return this.k === 0;
  }

  /** Empties the cache for the next sequence (keeps its memory). */
  reset(): void {
    this.len = 0;
  }

  /** Forgets every position from `length` on (beam search, speculative decoding): the cache then holds
   *  min(length, this.length) positions. */
  truncate(length: number): void {
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
      throw new RangeError(`KVCache.truncate: length must be a non-negative integer, got ${String(length)}`);
    }
    this.len = Math.min(this.len, length);
  }

  /** @internal Advances the length when the call in progress succeeds. */
  advance(by: number): void {
    const before = this.len;
    this.len += by;
    this.rt.journal.record(() => { this.len = before; }, null);
  }

  /** @internal Throws unless the cache is live, belongs to `owner` and has room for `more` positions. */
  check(where: string, owner: object, batch: number, more: number): void {
    if (this.disposed) fail(where, 'cache is disposed');
    if (this.owner !== owner) fail(where, 'cache was made by another module (use this module\'s createCache())');
    if (batch !== this.batch) fail(where, `cache holds batch = ${this.batch} sequences, got a batch of ${batch}`);
    if (this.len + more > this.maxLength) {
      fail(where, `cache is full: it holds ${this.len} of maxLength = ${this.maxLength} positions and ${more} more do not fit (reset() it or make a longer one)`);
    }
  }

  /** Frees the memory (idempotent). */
  dispose(): void {
    if (this.k === 0) return;
    this.rt.free(this.k);
    this.rt.free(this.v);
    this.k = this.v = 0;
    this.len = 0;
  }

  /** `using cache = mha.createCache(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}

/** @internal One layer's caches: self-attention, and (decoder) cross-attention over the memory. */
export interface LayerCache {
  self: KVCache;
  cross: KVCache | null;
}

/**
 * The caches of a Transformer stack: every layer's self-attention keys and values, and for a decoder the
 * cross-attention keys and values of `memory`, projected at the first step after createCache() or reset() and reused
 * by every later step of that sequence.
 */
export class TransformerCache {
  readonly batch: number;
  readonly maxLength: number;
  /** @internal */ readonly owner: object;
  /** @internal */ readonly layers: LayerCache[];

  /** @internal Use transformer.createCache(). */
  constructor(owner: object, batch: number, maxLength: number, layers: LayerCache[]) {
    this.owner = owner;
    this.batch = batch;
    this.maxLength = maxLength;
    this.layers = layers;
  }

  /** Positions held (the same for every sequence of the batch). */
  get length(): number {
    return this.layers[0].self.length;
  }

  get disposed(): boolean {
    return this.layers[0].self.disposed;
  }

  /** Empties the cache for the next sequence (keeps its memory; a decoder projects the next memory again). */
  reset(): void {
    for (const l of this.layers) { l.self.reset(); l.cross?.reset(); }
  }

  /** Forgets every position from `length` on in every layer (the memory's projection stays). */
  truncate(length: number): void {
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
      throw new RangeError(`TransformerCache.truncate: length must be a non-negative integer, got ${String(length)}`);
    }
    for (const l of this.layers) l.self.truncate(length);
  }

  /** Frees the memory (idempotent). */
  dispose(): void {
    for (const l of this.layers) { l.self.dispose(); l.cross?.dispose(); }
  }

  /** `using cache = transformer.createCache(...)`: calls dispose() at the end of the scope. */
  [DISPOSE](): void {
    this.dispose();
  }
}
