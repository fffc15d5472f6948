// Tails of elementwise loops: the last n % 4 elements go through the same f32x4 code as the body, so every
// element gets the same rounding. Inputs may be read up to 16 bytes past their end (kernel ABI); outputs
// are written lane by lane so nothing past element n is touched.

// Stores lanes 0 .. count-1 (count in 1..3) of v at p.
@inline export function storePartial(p: usize, v: v128, count: i32): void {
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}
