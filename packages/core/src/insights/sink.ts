import type { MadoguchiEvent } from './events';

export interface AnalyticsSinkOptions {
  /** Where batches are POSTed: a body of newline-delimited JSON, one event a line (text/plain). */
  url: string;
  /** Send as soon as this many events wait. Default 20. */
  batchSize?: number;
  /** Send what waits after this many ms. Default 5000. */
  flushMs?: number;
  fetch?: typeof fetch;
  sendBeacon?: (url: string, body: string) => boolean;
  /** Whose hiding flushes the queue by beacon. Default: the global window, if any. */
  window?: Window;
}

export interface AnalyticsSink {
  /** Queues one event. */
  push(event: MadoguchiEvent): void;
  /** Sends everything queued now (by fetch with keepalive). */
  flush(): Promise<void>;
  /** Sends what is left by beacon and stops listening to the page. */
  close(): void;
}

/** The most events kept while the endpoint cannot be reached; the oldest go first. */
const MAX_QUEUED = 1000;

/**
 * Batches events to your own endpoint. Nothing leaves the device unless you create one.
 * When the page hides (visibilitychange → hidden, or pagehide) the queue goes by `sendBeacon`.
 */
export function createAnalyticsSink(opts: AnalyticsSinkOptions): AnalyticsSink {
  const size = opts.batchSize || 20;
  const win = opts.window || (typeof window == 'object' ? window : undefined);
  const doFetch = opts.fetch || (typeof fetch == 'function' ? fetch : undefined);
  const beacon = opts.sendBeacon || (win?.navigator.sendBeacon ? (u: string, b: string) => win.navigator.sendBeacon(u, b) : undefined);
  let queue: MadoguchiEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = (batch: MadoguchiEvent[]) => batch.map((e) => JSON.stringify(e)).join('\n') + '\n';

  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length) {
      const batch = queue.splice(0, size);
      try {
        const res = await doFetch!(opts.url, { method: 'POST', body: body(batch), keepalive: true });
        if (!res.ok) throw 0;
      } catch {
        // keep them for the next flush
        queue = batch.concat(queue).slice(-MAX_QUEUED);
        return;
      }
    }
  };
  const hide = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length) {
      const batch = queue.splice(0, size);
      if (!beacon?.(opts.url, body(batch))) {
        queue = batch.concat(queue);
        return void flush();
      }
    }
  };
  const onVisibility = () => win!.document.visibilityState == 'hidden' && hide();
  win?.document.addEventListener('visibilitychange', onVisibility);
  win?.addEventListener('pagehide', hide);

  return {
    push(event) {
      queue.push(event);
      if (queue.length > MAX_QUEUED) queue.shift();
      if (queue.length >= size) void flush();
      else timer ||= setTimeout(flush, opts.flushMs || 5e3);
    },
    flush,
    close() {
      win?.document.removeEventListener('visibilitychange', onVisibility);
      win?.removeEventListener('pagehide', hide);
      hide();
    },
  };
}
