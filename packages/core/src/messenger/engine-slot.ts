import type { Kernel, Part } from './kernel';

/**
 * Where a part's implementation sits once its engine has arrived. A part's facade (its stores
 * and typed methods) exists from the start, since the UI subscribes at mount; each method either
 * answers from `part` when the code is here or waits for it with `run`.
 */
export interface EngineSlot<P extends Part> {
  /** The implementation, once its engine has loaded. */
  readonly part: P | undefined;
  /** Loads the engine (once) and boots the part (once per boot of the messenger). */
  ensure(): Promise<P>;
  /** Calls `fn` with the part now when it is here, else once it has loaded and booted; failures are reported. */
  run(fn: (part: P) => unknown): void;
  /** Forgets the boot (the code stays loaded) and shuts the part down. */
  shutdown(): void;
}

/**
 * Thrown into work asked of a part after the messenger shut down; never reported. Made on first
 * need, not when the bundle is evaluated: an Error records the stack it was made on, and where a
 * debugger or any DevTools-protocol client is attached (DevTools, Playwright, RUM tooling) that
 * means re-parsing the whole bundle for source positions, 20–35 ms at 4× CPU in the boot's first task.
 */
let ended: Error | undefined;
const ENDED = () => (ended ||= new Error('the messenger is not booted'));

export function createEngineSlot<P extends Part>(k: Pick<Kernel, 'report' | 'signal'>, name: string, load: () => Promise<P>): EngineSlot<P> {
  let part: P | undefined;
  let loading: Promise<P> | undefined;
  let booted: Promise<P> | undefined;
  const fetchCode = () =>
    (loading ||= load().then(
      (p) => (part = p),
      (cause) => {
        loading = undefined; // a later need tries again (the line may be back)
        throw cause;
      },
    ));
  const slot: EngineSlot<P> = {
    get part() {
      return part;
    },
    ensure() {
      const signal = k.signal();
      if (signal.aborted) return Promise.reject(ENDED());
      return (booted ||= fetchCode()
        .then(async (p) => {
          // A part boots only inside the boot that asked for it.
          if (signal.aborted) throw ENDED();
          await p.boot?.();
          return p;
        })
        .catch((cause) => {
          booted = undefined;
          throw cause;
        }));
    },
    run(fn) {
      if (part) fn(part);
      else
        slot.ensure().then(fn, (cause) => {
          if (cause !== ended) k.report({ message: `the ${name} engine could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
        });
    },
    shutdown() {
      booted = undefined;
      part?.shutdown?.();
    },
  };
  return slot;
}
