// as-pect 8.1 kernel specs (simd build only: relaxed opcodes crash inside as-pect, so the relaxed
// build is checked by the TypeScript tests in tests/*.test.ts).
export default {
  entries: ['tests/kernels/**/*.spec.ts'],
  include: ['tests/kernels/**/*.include.ts'],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
