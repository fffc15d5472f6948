// The float64 reference, written once (see the header of each file): the ops, module and fuzz tests compare with it,
// the kernel tests measure their ulp errors with it (the kernels themselves are compared with their own *_ref).
export * from './math.ts';
export * from './d2l.ts';
export * from './mha.ts';
export * from './transformer.ts';
export * from './sdpa.ts';
export * from './seeds.ts';
