import type { ReadableAtom } from 'nanostores';
import { useEffect, useReducer } from 'preact/hooks';

/**
 * The value of a core store; the component re-renders when it changes. What the launcher and
 * what sits beside it read: hooks alone, so the page's first download carries no signals runtime
 * (the panel's views, which arrive at first open, use signals through `fromStore`).
 */
export function useStore<T>(store: ReadableAtom<T>): T {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  const value = store.get();
  useEffect(() => {
    // A change between this render and the subscription is not missed.
    if (store.get() !== value) changed(0);
    return store.listen(() => changed(0));
  }, [store]);
  return value;
}
