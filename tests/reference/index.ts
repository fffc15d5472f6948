// Independent float64 reference for the module tests (see the header of each file).
export * from './math.ts';
export * from './d2l.ts';
export * from './mha.ts';
export * from './transformer.ts';
