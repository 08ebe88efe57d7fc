import type { ReadableAtom } from 'nanostores';
import { useEffect, useReducer } from 'preact/hooks';

/**
 * The value of a core store; the component re-renders when it changes. Every view of the widget
 * reads stores this way: a hook of a few lines, where a signals runtime would add 3 KB gz and a
 * hook into every render.
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
