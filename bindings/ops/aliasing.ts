// Output/input overlap check for ops whose kernels work in place: the very same buffer is fine (each element
// is read before it is written), a partial overlap would read already-written results.
import { fail } from '../errors.ts';
import { Tensor } from '../tensor.ts';

export function checkOverlap(where: string, out: unknown, inputs: readonly (readonly [string, unknown])[], sameOk: readonly string[]): void {
  if (!(out instanceof Tensor) || out.disposed) return;
  for (const [name, x] of inputs) {
    if (!(x instanceof Tensor) || x.disposed || x.host !== out.host) continue;
    const overlap = x.ptr < out.ptr + out.size * 4 && out.ptr < x.ptr + x.size * 4;
    if (!overlap) continue;
    if (sameOk.includes(name) && x.ptr === out.ptr && x.size === out.size) continue;
    fail(where, sameOk.includes(name) ? `out must be exactly ${name} (in place) or not overlap it` : `out must not overlap ${name}`);
  }
}
