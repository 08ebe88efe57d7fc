import { signal, type ReadonlySignal } from '@preact/signals';
import type { ReadableAtom } from 'nanostores';

const bound = new WeakMap<ReadableAtom<unknown>, ReadonlySignal<unknown>>();

/** A signal mirroring a core store: components that read `.value` re-render when the store changes. */
export function fromStore<T>(store: ReadableAtom<T>): ReadonlySignal<T> {
  let s = bound.get(store) as ReadonlySignal<T> | undefined;
  if (!s) {
    const mirror = signal(store.get());
    store.subscribe((value) => (mirror.value = value));
    bound.set(store, mirror);
    s = mirror;
  }
  return s;
}
