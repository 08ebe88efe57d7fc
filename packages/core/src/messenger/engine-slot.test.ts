import { describe, expect, it } from 'vitest';
import { createEngineSlot } from './engine-slot';
import type { Part } from './kernel';

type Demo = Part & { act(x: number): void };

/** A slot whose code arrives when `arrive()` is called, in a messenger booted and shut down by hand. */
function setup() {
  const log: string[] = [];
  const errors: string[] = [];
  let arrive!: () => void;
  const loaded = new Promise<void>((resolve) => (arrive = resolve));
  let boot = new AbortController();
  const k = { signal: () => boot.signal, report: (e: { message: string }) => void errors.push(e.message) };
  const slot = createEngineSlot<Demo>(k, 'demo', () =>
    loaded.then(() => ({
      boot: () => void log.push('boot'),
      shutdown: () => void log.push('shutdown'),
      act: (x: number) => void log.push('act ' + x),
    })),
  );
  const settle = async () => {
    arrive();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const shutdown = () => {
    boot.abort();
    slot.shutdown();
  };
  const reboot = () => (boot = new AbortController());
  return { slot, log, errors, settle, shutdown, reboot };
}

describe('an engine slot and shutdown', () => {
  it('does not boot code that arrives after shutdown, nor run calls made before it, and reports nothing', async () => {
    const { slot, log, errors, settle, shutdown } = setup();
    void slot.ensure().catch(() => {});
    slot.run((p) => p.act(1));
    shutdown();
    await settle();
    expect(log).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('boots once per boot, runs calls at once when the code is here, and boots again at the next boot', async () => {
    const { slot, log, settle, shutdown, reboot } = setup();
    const first = slot.ensure();
    await settle();
    await first;
    slot.run((p) => p.act(1));
    shutdown();
    await expect(slot.ensure()).rejects.toThrow('not booted');
    reboot();
    await slot.ensure();
    await slot.ensure();
    slot.run((p) => p.act(2));
    expect(log).toEqual(['boot', 'act 1', 'shutdown', 'boot', 'act 2']);
  });

  it('reports code that fails to load, and tries again at the next need', async () => {
    let attempt = 0;
    const errors: string[] = [];
    const k = { signal: () => new AbortController().signal, report: (e: { message: string }) => void errors.push(e.message) };
    const slot = createEngineSlot<Part>(k, 'search', async () => {
      if (attempt++ === 0) throw new Error('offline');
      return {};
    });
    slot.run(() => {});
    await expect.poll(() => errors).toEqual(['the search engine could not be loaded: offline']);
    await expect(slot.ensure()).resolves.toEqual({});
  });
});
