import type { WritableAtom } from 'nanostores';
import type { Part } from './kernel';

/**
 * A part whose code lives in an engine loaded on demand. Its stores exist from the start, since
 * the UI subscribes to them at mount; a method called before the code has arrived waits for it,
 * except the synchronous ones, which answer `defaults` meanwhile. `boot` loads the code only when
 * `needed()` says the config uses the part.
 */
export function createLazyPart<P extends Part, S extends Record<string, WritableAtom<any>>>(
  load: () => Promise<(stores: S) => P>,
  stores: S,
  needed: () => boolean,
  defaults: Partial<Record<keyof P, unknown>> = {},
): P {
  let impl: P | undefined;
  let loading: Promise<P> | undefined;
  const get = () => (loading ||= load().then((make) => (impl = make(stores))));
  const lifecycle: Part = {
    boot: () => (impl || needed() ? get().then((p) => p.boot?.()) : undefined),
    userText: (text) => !!impl?.userText?.(text),
    activity: (kind, name) => impl?.activity?.(kind, name),
    shutdown: () => impl?.shutdown?.(),
  };
  return new Proxy(stores as unknown as P, {
    get(target, name) {
      if (name in target) return (target as Record<PropertyKey, unknown>)[name];
      if (name in lifecycle) return lifecycle[name as keyof Part];
      if (impl) return (impl as Record<PropertyKey, unknown>)[name];
      if (name in defaults) return () => defaults[name as keyof P];
      return (...args: unknown[]) => get().then((p) => (p as Record<PropertyKey, any>)[name](...args));
    },
  });
}
