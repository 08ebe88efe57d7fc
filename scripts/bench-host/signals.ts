import type { Page } from 'playwright-core';

export type Signals = ReturnType<typeof listen>;

/**
 * The moments the page tells the bench (`console.debug('__bench:<name>')`), as they come. The bench
 * waits for them this way, not by polling the page: each poll is a script the DevTools protocol
 * runs on the page's main thread, and the first one also installs Playwright's helper script
 * there (50–150 ms at 4× CPU). Polled from the first byte, that landed inside the widget's boot in
 * some loads and not others, and added 80 ms to the median launcher time of the bare widget.
 */
export function listen(page: Page) {
  const seen = new Set<string>();
  const waiting = new Map<string, () => void>();
  page.on('console', (message) => {
    const name = message.type() === 'debug' && /^__bench:(\w+)$/.exec(message.text())?.[1];
    if (!name) return;
    seen.add(name);
    waiting.get(name)?.();
  });
  return {
    /** Forgets that the page told `name` (one told late, after its wait timed out). */
    forget: (name: string) => void seen.delete(name),
    /** Resolves once the page has told `name` (at once if it already has); `what` names it in the timeout's error. */
    async next(name: string, what: string, timeout: number) {
      if (seen.has(name)) return seen.delete(name), undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          waiting.set(name, resolve);
          timer = setTimeout(() => reject(new Error(`${what} did not appear within ${timeout / 1000} s`)), timeout);
        });
        seen.delete(name);
      } finally {
        clearTimeout(timer);
        waiting.delete(name);
      }
    },
  };
}
