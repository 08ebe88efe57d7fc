// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MadoguchiEvent } from './events';
import { createAnalyticsSink } from './sink';

const ev = (i: number): MadoguchiEvent => ({ type: 'search.made', query: `q${i}`, resultCount: i, at: 1000 + i });
const lines = (body: string) => body.trim().split('\n').map((l) => JSON.parse(l));

function hide() {
  Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

afterEach(() => {
  Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  vi.useRealTimers();
});

describe('createAnalyticsSink', () => {
  it('posts a full batch at once as newline-delimited JSON', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const sink = createAnalyticsSink({ url: '/collect', batchSize: 3, fetch });
    sink.push(ev(1));
    sink.push(ev(2));
    expect(fetch).not.toHaveBeenCalled();
    sink.push(ev(3));
    await Promise.resolve();
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/collect');
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    expect(lines(init.body as string)).toEqual([ev(1), ev(2), ev(3)]);
    sink.close();
  });

  it('sends a partial batch after flushMs', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => new Response(null));
    const sink = createAnalyticsSink({ url: '/c', flushMs: 1000, fetch });
    sink.push(ev(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(1);
    sink.close();
  });

  it('keeps events when the endpoint fails and sends them with the next flush', async () => {
    const fetch = vi.fn().mockRejectedValueOnce(new TypeError('offline')).mockResolvedValue(new Response(null));
    const sink = createAnalyticsSink({ url: '/c', batchSize: 10, fetch });
    sink.push(ev(1));
    await sink.flush();
    sink.push(ev(2));
    await sink.flush();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(lines((fetch.mock.calls[1][1] as RequestInit).body as string)).toEqual([ev(1), ev(2)]);
    sink.close();
  });

  it('flushes by beacon when the page hides, in batches', () => {
    const fetch = vi.fn(async () => new Response(null));
    const sendBeacon = vi.fn((_url: string, _body: string) => true);
    const sink = createAnalyticsSink({ url: '/c', batchSize: 2, flushMs: 60_000, fetch, sendBeacon, window });
    sink.push(ev(1));
    hide();
    expect(sendBeacon).toHaveBeenCalledTimes(1);
    expect(lines(sendBeacon.mock.calls[0][1] as string)).toEqual([ev(1)]);
    sink.close();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('flushes by beacon on pagehide and uses navigator.sendBeacon by default', () => {
    const sendBeacon = vi.fn((_url: string, _body: string) => true);
    Object.defineProperty(navigator, 'sendBeacon', { value: sendBeacon, configurable: true });
    const sink = createAnalyticsSink({ url: '/c', batchSize: 10, fetch: vi.fn() });
    sink.push(ev(1));
    sink.push(ev(2));
    window.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).toHaveBeenCalledWith('/c', expect.stringContaining('"q2"'));
    sendBeacon.mockClear();
    window.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).not.toHaveBeenCalled();
    sink.close();
  });

  it('falls back to fetch when the beacon is refused, and stops listening once closed', () => {
    const fetch = vi.fn(async () => new Response(null));
    const sendBeacon = vi.fn((_url: string, _body: string) => false);
    const sink = createAnalyticsSink({ url: '/c', fetch, sendBeacon, window });
    sink.push(ev(1));
    hide();
    expect(fetch).toHaveBeenCalledTimes(1);
    sink.close();
    sink.push(ev(2));
    window.dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).toHaveBeenCalledTimes(1);
  });
});
