import type { WritableAtom } from 'nanostores';
import type { Part } from './kernel';

/** A part whose code may not have arrived yet; `ensure` loads and boots it. */
export type LazyPart<P> = P & { ensure(): Promise<void> };

/**
 * A part whose code lives in an engine loaded on demand. Its stores exist from the start, since
 * the UI subscribes to them at mount; a method called before the code has arrived waits for it,
 * except the synchronous ones, which answer `defaults` meanwhile (and run `early`, for what the
 * user must see at once). `boot` loads the code only when `needed()` says the part is in use.
 */
export function createLazyPart<P extends Part, S extends Record<string, WritableAtom<any>>>(
  load: () => Promise<(stores: S) => P>,
  stores: S,
  needed: () => boolean,
  defaults: Partial<Record<keyof P, unknown>> = {},
  early: Partial<Record<keyof P, (...args: any[]) => void>> = {},
): LazyPart<P> {
  let impl: P | undefined;
  let loading: Promise<P> | undefined;
  let booted: Promise<void> | undefined;
  /** Shutdown bumps gen and stops the part until its next boot: code that arrives meanwhile does not boot. */
  let gen = 0;
  let stopped = false;
  const get = () => (loading ||= load().then((make) => (impl = make(stores))));
  const lifecycle: Part & { ensure(): Promise<void> } = {
    ensure: () => {
      const g = gen;
      // Asked while stopped: load only, and let the next boot boot it.
      return (booted ||= get().then((p) => (g !== gen ? undefined : stopped ? void (booted = undefined) : p.boot?.())));
    },
    boot: () => {
      stopped = false;
      return needed() ? lifecycle.ensure() : undefined;
    },
    userText: (text) => !!impl?.userText?.(text),
    activity: (kind, name) => impl?.activity?.(kind, name),
    shutdown: () => {
      gen++;
      stopped = true;
      booted = undefined;
      impl?.shutdown?.();
    },
  };
  return new Proxy(stores as unknown as LazyPart<P>, {
    get(target, name) {
      if (name in target) return (target as unknown as Record<PropertyKey, unknown>)[name];
      if (name in lifecycle) return lifecycle[name as keyof typeof lifecycle];
      if (impl) return (impl as Record<PropertyKey, unknown>)[name];
      if (name in defaults) return () => defaults[name as keyof P];
      return (...args: unknown[]) => {
        early[name as keyof P]?.(...args);
        // A call made before a shutdown is dropped once the code arrives: that session is over.
        const g = gen;
        return lifecycle.ensure().then(() => (g === gen ? (impl as Record<PropertyKey, any>)[name](...args) : undefined));
      };
    },
  });
}
