import { atom } from 'nanostores';
import { describe, expect, it } from 'vitest';
import type { Part } from './kernel';
import { createLazyPart } from './lazy-part';

type Demo = Part & { act(x: number): void };

/** A part whose code arrives when `arrive()` is called; records what ran. */
function setup() {
  const log: string[] = [];
  let arrive!: () => void;
  const loaded = new Promise<void>((r) => (arrive = r));
  const part = createLazyPart<Demo, { $x: ReturnType<typeof atom<number>> }>(
    () =>
      loaded.then(() => () => ({
        boot: () => void log.push('boot'),
        shutdown: () => void log.push('shutdown'),
        act: (x: number) => void log.push('act ' + x),
      })),
    { $x: atom(0) },
    () => true,
  );
  const settle = async () => {
    arrive();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { part, log, settle };
}

describe('a lazy part and shutdown', () => {
  it('does not boot code that arrives after shutdown, nor run calls made before it', async () => {
    const { part, log, settle } = setup();
    part.boot!();
    part.act(1);
    part.shutdown!();
    await settle();
    expect(log).toEqual([]);
  });

  it('boots once at the next boot when asked for while stopped', async () => {
    const { part, log, settle } = setup();
    part.boot!();
    await settle();
    part.shutdown!();
    await part.ensure();
    expect(log).toEqual(['boot', 'shutdown']);
    await part.boot!();
    part.act(2);
    expect(log).toEqual(['boot', 'shutdown', 'boot', 'act 2']);
  });
});
