import { describe, expect, it } from 'vitest';
import { dirtyPage } from '../../../../tests/e2e/secrets';
import { createContextTracker } from './tracker';

/** A window the tracker can watch: one URL, title and referrer. */
const fakeWindow = (href: string, title: string, referrer: string) =>
  ({
    location: new URL(href),
    document: { title, referrer },
    navigator: { userAgent: 'test', language: 'en', maxTouchPoints: 0 },
    innerWidth: 800,
    innerHeight: 600,
    addEventListener() {},
    removeEventListener() {},
  }) as unknown as Window;

describe('redaction fuzz: secrets in every captured field', () => {
  it.each(Array.from({ length: 200 }, (_, i) => i + 1))('seed %i: nothing secret reaches the snapshot or the saved context', (seed) => {
    const page = dirtyPage(seed);
    const tracker = createContextTracker({ window: fakeWindow(page.url, page.title, page.referrer), now: () => 1 });
    tracker.track(page.event.name, page.event.properties);
    const restored = createContextTracker({ window: null, now: () => 2 });
    restored.restore(tracker.save());
    const out = JSON.stringify([tracker.snapshot(), tracker.save(), restored.snapshot()]);
    for (const s of page.secrets) expect(out, `seed ${seed}: ${s.label}`).not.toMatch(s.pattern);
    expect(out).toContain('page=');
  });
});
