// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createContextTracker, type ContextTracker } from './tracker';

const tick = () => new Promise((r) => setTimeout(r, 5));
let tracker: ContextTracker | undefined;
let clock = 1_000_000;
const now = () => clock;

beforeEach(() => {
  clock = 1_000_000;
  history.replaceState(null, '', '/start?session=s3cr3t&tab=1');
  document.title = 'Start';
});
afterEach(() => tracker?.destroy());

describe('createContextTracker', () => {
  it('records the current page at creation, redacted', () => {
    tracker = createContextTracker({ now });
    const s = tracker.snapshot();
    expect(s.page.url).toMatch(/\/start\?tab=1$/);
    expect(s.page.path).toBe('/start');
    expect(s.page.title).toBe('Start');
    expect(s.trail).toEqual([{ type: 'page', at: clock, url: s.page.url, title: 'Start' }]);
    expect(s.visitCount).toBe(1);
    expect(s.returning).toBe(false);
  });

  it('records pushState, replaceState, popstate and hashchange as page views, one per new URL', async () => {
    tracker = createContextTracker({ now });
    history.pushState(null, '', '/orders?token=abc');
    document.title = 'Orders';
    await tick();
    history.replaceState(null, '', '/orders/42');
    await tick();
    history.replaceState({ scroll: 10 }, '', '/orders/42'); // same URL: no new view
    await tick();
    location.hash = '#details';
    await tick();
    window.dispatchEvent(new PopStateEvent('popstate'));
    await tick();
    const pages = tracker.snapshot().trail.map((e) => e.url?.replace(/^https?:\/\/[^/]+/, ''));
    expect(pages).toEqual(['/start?tab=1', '/orders', '/orders/42', '/orders/42#details']);
    expect(tracker.snapshot().trail[1].title).toBe('Orders');
  });

  it('collapses a pushState immediately followed by replaceState into one view', async () => {
    tracker = createContextTracker({ now });
    history.pushState(null, '', '/a');
    history.replaceState(null, '', '/b');
    await tick();
    expect(tracker.snapshot().trail.map((e) => e.url?.replace(/^https?:\/\/[^/]+/, ''))).toEqual(['/start?tab=1', '/b']);
  });

  it('restores history methods on destroy and leaves no own property behind', () => {
    const proto = Object.getPrototypeOf(history);
    const hadOwn = Object.prototype.hasOwnProperty.call(history, 'pushState');
    tracker = createContextTracker({ now });
    expect(history.pushState).not.toBe(proto.pushState);
    tracker.destroy();
    expect(Object.prototype.hasOwnProperty.call(history, 'pushState')).toBe(hadOwn);
    expect(history.pushState).toBe(proto.pushState);
  });

  it("keeps a wrapper installed after ours working, and stops recording, after destroy", async () => {
    tracker = createContextTracker({ now });
    const ours = history.pushState;
    const seen: string[] = [];
    history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
      seen.push(String(args[2]));
      return ours.apply(this, args);
    };
    tracker.destroy();
    history.pushState(null, '', '/later');
    await tick();
    expect(seen).toEqual(['/later']);
    expect(location.pathname).toBe('/later');
    expect(tracker.snapshot().trail).toHaveLength(1);
    delete (history as Partial<History>).pushState;
  });

  it('prefers the Navigation API when present and does not touch history', async () => {
    const navigation = new EventTarget();
    (window as unknown as { navigation: EventTarget }).navigation = navigation;
    const push = history.pushState;
    try {
      tracker = createContextTracker({ now });
      expect(history.pushState).toBe(push);
      history.pushState(null, '', '/via-navigation');
      navigation.dispatchEvent(new Event('currententrychange'));
      await tick();
      expect(tracker.snapshot().page.path).toBe('/via-navigation');
      tracker.destroy();
      history.pushState(null, '', '/after');
      navigation.dispatchEvent(new Event('currententrychange'));
      await tick();
      expect(tracker.snapshot().page.path).toBe('/via-navigation');
    } finally {
      delete (window as unknown as { navigation?: EventTarget }).navigation;
    }
  });

  it('bounds the trail, newest kept', () => {
    tracker = createContextTracker({ now, trailLimit: 3 });
    for (let i = 0; i < 5; i++) tracker.track('e' + i);
    expect(tracker.snapshot().trail.map((e) => e.name)).toEqual(['e2', 'e3', 'e4']);
  });

  it('measures time on the current page, reset by a page view', () => {
    tracker = createContextTracker({ now });
    clock += 4000;
    expect(tracker.snapshot().timeOnPageMs).toBe(4000);
    tracker.pageView();
    clock += 1500;
    expect(tracker.snapshot().timeOnPageMs).toBe(1500);
  });

  it('redacts string event properties and drops values that cannot be stored', () => {
    tracker = createContextTracker({ now });
    tracker.track('checkout', { email: 'a@b.co', total: 30, ok: true, fn: () => 1, nested: { a: 1 } });
    expect(tracker.snapshot().trail[1].properties).toEqual({ email: '[email]', total: 30, ok: true });
  });

  it('keeps identity tokens out of the snapshot and uses the user id as visitor id', () => {
    tracker = createContextTracker({ now });
    const anonymous = tracker.snapshot().visitorId;
    expect(anonymous).toMatch(/^[0-9a-z]{16}$/);
    tracker.setUser({ id: 'u1', name: 'Aiko', userHash: 'HASH', jwt: 'JWT', attributes: { plan: 'pro' } });
    const s = tracker.snapshot();
    expect(s.visitorId).toBe('u1');
    expect(s.user).toEqual({ id: 'u1', name: 'Aiko', attributes: { plan: 'pro' } });
    expect(JSON.stringify(s)).not.toMatch(/HASH|JWT/);
    expect(tracker.save().visitorId).toBe(anonymous);
  });

  it('counts a new visit after 30 minutes away and marks the visitor returning', () => {
    const first = createContextTracker({ now });
    first.track('signup');
    const saved = first.save();
    first.destroy();

    clock += 60 * 60_000;
    tracker = createContextTracker({ now });
    tracker.restore(saved);
    const s = tracker.snapshot();
    expect(s.visitCount).toBe(2);
    expect(s.returning).toBe(true);
    expect(s.visitorId).toBe(saved.visitorId);
    expect(s.firstSeen).toBe(1_000_000);
    expect(s.trail.map((e) => e.type + (e.name || ''))).toEqual(['page', 'eventsignup', 'page']);
    // Restoring again (another tab, a late read) neither double-counts nor duplicates.
    tracker.restore(tracker.save());
    expect(tracker.snapshot().visitCount).toBe(2);
    expect(tracker.snapshot().trail).toHaveLength(3);
  });

  it('treats a reload within 30 minutes as the same visit', () => {
    const first = createContextTracker({ now });
    const saved = first.save();
    first.destroy();
    clock += 5 * 60_000;
    tracker = createContextTracker({ now });
    tracker.restore(saved);
    expect(tracker.snapshot().visitCount).toBe(1);
  });

  it('ignores a corrupt saved context', () => {
    tracker = createContextTracker({ now });
    tracker.restore({ visitorId: 5, trail: [null, { type: 'x', at: 1 }], visitCount: 'a' } as never);
    expect(tracker.snapshot().trail).toHaveLength(1);
    expect(tracker.snapshot().visitCount).toBe(1);
  });

  it('reports changes and reports device facts coarsely', () => {
    const onChange = vi.fn();
    tracker = createContextTracker({ now, onChange });
    tracker.track('x');
    expect(onChange).toHaveBeenCalledTimes(2);
    const d = tracker.snapshot().device;
    expect(['mobile', 'tablet', 'desktop']).toContain(d.platform);
    expect(d.viewport.width).toBeGreaterThan(0);
    expect(typeof d.timeZone).toBe('string');
  });

  it('works without a window (worker, Node)', () => {
    tracker = createContextTracker({ window: null, now });
    tracker.track('x');
    expect(tracker.snapshot().trail).toHaveLength(1);
  });
});

describe('events and restored trails are redacted like page views', () => {
  it('masks event names and property keys, and hides secret-named properties', () => {
    tracker = createContextTracker({ window: null, now });
    tracker.track('mail aiko@example.com', { 'to aiko@example.com': 1, password: 'hunter2', sessionToken: 42, plan: 'pro', phone: 'call 090-1234-5678' });
    const [event] = tracker.snapshot().trail;
    expect(event.name).toBe('mail [email]');
    expect(event.properties).toEqual({ 'to [email]': 1, password: '[redacted]', sessionToken: '[redacted]', plan: 'pro', phone: 'call [phone]' });
  });

  it('redacts a restored trail again, under the current rules', () => {
    tracker = createContextTracker({ window: null, now });
    tracker.restore({
      visitorId: 'v1',
      visitCount: 1,
      firstSeen: 1,
      lastSeen: 1,
      trail: [
        { type: 'page', at: 1, url: 'https://a.example/cb?state=abc&nonce=n1&tab=2', title: 'for aiko@example.com' },
        { type: 'event', at: 2, name: 'x', properties: { ticket: 'T-1', note: 'y'.repeat(5000) } },
      ],
    });
    const [page, event] = tracker.snapshot().trail;
    expect(page).toEqual({ type: 'page', at: 1, url: 'https://a.example/cb?tab=2', title: 'for [email]' });
    expect(event.properties!.ticket).toBe('[redacted]');
    expect(String(event.properties!.note).length).toBeLessThanOrEqual(300);
  });
});
