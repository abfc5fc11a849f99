/** Where memoAsync keeps promises: a Map, or a bounded cache of the same shape (lru-cache's LRUCache). */
export interface PromiseCache<K, V> {
  get(key: K): Promise<V> | undefined;
  set(key: K, value: Promise<V>): unknown;
  delete(key: K): unknown;
}

/**
 * One promise per key, shared by concurrent callers: `make` runs once while it is pending or succeeded. A
 * rejected promise is forgotten, and so is a result `keep` refuses (a lookup that found nothing), so the next
 * call tries again instead of repeating a failure for the rest of the process.
 */
export function memoAsync<K, V>(
  cache: PromiseCache<K, V>,
  key: K,
  make: () => Promise<V>,
  keep: (value: V) => boolean = () => true,
): Promise<V> {
  const hit = cache.get(key);
  if (hit) return hit;
  const p = make();
  cache.set(key, p);
  p.then(
    (v) => {
      if (!keep(v) && cache.get(key) === p) cache.delete(key);
    },
    () => {
      if (cache.get(key) === p) cache.delete(key);
    },
  );
  return p;
}
