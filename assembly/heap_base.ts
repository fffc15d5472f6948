// First byte the JS allocator may hand out: everything below belongs to static data.
export function heap_base(): usize {
  return __heap_base;
}
