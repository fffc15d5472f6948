// Argument checking shared by ops and modules. Every message names the caller, the argument, what was
// expected and what came, e.g. `matmul: b must have k*n = 4*5 = 20 elements, got 19`.

/** `[2, 3]` -> "[2, 3]". */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name;
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} of length ${(v as unknown as ArrayLike<number>).length}`;
  }
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}
export { describe as describeValue };

/** Throws a RangeError prefixed with the caller's name. */
export function fail(where: string, msg: string): never {
  throw new RangeError(`${where}: ${msg}`);
}

/** Throws a TypeError prefixed with the caller's name. */
export function failType(where: string, msg: string): never {
  throw new TypeError(`${where}: ${msg}`);
}

/** Rejects option names the caller does not know (a typo would otherwise be silently ignored). */
export function checkOptions(where: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    failType(where, `options must be an object, got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts as object)) {
    if (!allowed.includes(key)) {
      failType(where, `unknown option "${key}" (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** A positive integer size such as m, k, rows, embedDim. */
export function checkPositiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    fail(where, `${name} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** A non-negative integer (lengths, offsets). */
export function checkNonNegativeInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    fail(where, `${name} must be a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

/** A finite number (eps, scale). */
export function checkFinite(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `${name} must be a finite number, got ${describe(v)}`);
  return v;
}

export function checkBoolean(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') failType(where, `${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** One of a fixed set of strings. */
export function checkEnum<T extends string>(where: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    fail(where, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** Element count check: `expr` spells how `expected` is made, e.g. "k*n = 4*5". */
export function checkLength(where: string, name: string, got: number, expected: number, expr?: string): void {
  if (got !== expected) {
    fail(where, `${name} must have ${expr ? `${expr} = ` : ''}${expected} elements, got ${got}`);
  }
}

/** nn modules' dropout probability: accepted for PyTorch compatibility (eval mode ignores it), but it must be one. */
export function checkDropout(where: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(where, `dropout must be a number in [0, 1] (ignored: modules run in eval mode), got ${describe(v)}`);
}
