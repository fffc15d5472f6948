// `using` support (explicit resource management): Tensor, Attention, MultiHead, Transformer, KVCache,
// TransformerCache and Runtime have a `[Symbol.dispose]()` method that calls their `dispose()`.
//
// Engines without Symbol.dispose (older browsers; Node 20 has it) get the key that transpilers' `using` helpers fall
// back to, Symbol.for('Symbol.dispose') (esbuild, tsx, Babel), so `using` lowered by them works everywhere. A polyfill
// of Symbol.dispose must be loaded before this package (the key is read once, when the package loads).

// The same declarations as @types/node's compatibility/disposable.d.ts and TypeScript's lib.esnext.disposable (they
// merge with either), so the published .d.ts type-checks for consumers whose `lib` lacks "esnext.disposable" and
// `using x = ...` compiles for those who have it.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
}

/** `Symbol.dispose`, or `Symbol.for('Symbol.dispose')` where the engine has none. */
export const DISPOSE: typeof Symbol.dispose =
  ((Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose')) as typeof Symbol.dispose;
