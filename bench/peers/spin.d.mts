/** Spins for `ms`: { n: iterations, t: ms it ran } (bench/peers/spin.mjs). */
export function spinFor(ms: number): { n: number; t: number };
