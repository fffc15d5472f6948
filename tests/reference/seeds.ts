// The worked examples of the seed documents, as data (the tests that reproduce them: tests/reference/reference.test.ts
// for the float64 reference, tests/nn/attention.test.ts for Attention).

/** Seed 001: x [3, 4]; keys = x @ w_key etc. (plain matmuls, weights stored [in, out]); unscaled dot attention. */
export const SEED001 = {
  x: [1, 0, 1, 0, 0, 2, 0, 2, 1, 1, 1, 1],
  wKey: [0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0],
  wQuery: [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1],
  wValue: [0, 2, 0, 0, 3, 0, 1, 0, 3, 1, 1, 0],
};
