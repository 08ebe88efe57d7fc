import { backoffDelay, parseFrame, transportError, type TransportError } from './backoff';
import { createLink, linkAdapter } from './link';
import type { ClientFrame, TransportAdapter, TransportSession } from './types';

/** The part of the EventSource API the adapter uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: any) => void) | null;
  close(): void;
}

export interface HttpTransportOptions {
  /** Base URL: frames are POSTed to `{url}/frames`, events read from `{url}/events`. */
  url: string;
  fetch?: typeof fetch;
  EventSource?: new (url: string) => EventSourceLike;
  ackTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** Headers that carry the conversation and the identity token, for the server to verify. */
export function identityHeaders(session: TransportSession | undefined): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (session) h['x-madoguchi-conversation'] = session.conversationId;
  if (session?.token) h['x-madoguchi-token'] = session.token;
  if (session?.user.jwt) h.authorization = 'Bearer ' + session.user.jwt;
  if (session?.user.userHash) h['x-madoguchi-user-hash'] = session.user.userHash;
  return h;
}

/**
 * The HTTP adapter: every frame is a POST (the reply carries its ack), replies and status arrive
 * as server-sent events. When the server has forgotten the conversation it answers 409 and the
 * adapter says hello again; a lost event stream is reopened with backoff.
 */
export function createHttpTransport(options: HttpTransportOptions): TransportAdapter {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch || fetch;
  const ES = options.EventSource || (globalThis as unknown as { EventSource: HttpTransportOptions['EventSource'] }).EventSource!;
  const link = createLink(options.ackTimeoutMs ?? 20_000);
  let stream: EventSourceLike | undefined;
  let stopped = true;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const post = async (frame: ClientFrame): Promise<void> => {
    const res = await doFetch(base + '/frames', { method: 'POST', headers: identityHeaders(link.session), body: JSON.stringify(frame) });
    const frames: unknown = await res.json().catch(() => []);
    for (const f of Array.isArray(frames) ? frames : []) if (f?.type && f.type !== 'error') link.receive(f);
    if (!res.ok) {
      const error = (Array.isArray(frames) && frames.find((f) => f?.type === 'error')) || {};
      throw transportError(error.message || 'HTTP ' + res.status, error.code || 'http-' + res.status, res.status >= 500 || res.status === 409 || res.status === 429);
    }
  };
  const hello = () => post({ type: 'hello', session: link.session!, last: link.last });
  /** Posts a frame, saying hello first when the server no longer knows the conversation. */
  const deliver = (frame: ClientFrame) =>
    post(frame).catch((error: TransportError) => {
      if (error.code !== 'hello-first') throw error;
      return hello().then(() => post(frame));
    });
  const listen = () => {
    const s = link.session!;
    const es = (stream = new ES(`${base}/events?conversation=${encodeURIComponent(s.conversationId)}${s.token ? '&token=' + encodeURIComponent(s.token) : ''}${link.last ? '&last=' + encodeURIComponent(link.last) : ''}`));
    es.onopen = () => {
      attempt = 0;
      link.sink?.status({ type: 'online', online: true });
    };
    es.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame) link.receive(frame);
    };
    es.onerror = () => {
      link.sink?.status({ type: 'online', online: false });
      // A closed stream (refused, or the server forgot us) is reopened by hand; otherwise the browser retries.
      if (es.readyState === 2) restartLater();
    };
  };
  const restart = () => {
    clearTimeout(retry);
    stream?.close();
    stream = undefined;
    if (stopped) return;
    hello().then(listen, restartLater);
  };
  const restartLater = () => {
    stream?.close();
    if (!stopped) retry = setTimeout(restart, backoffDelay(attempt++, options.retryBaseMs, options.retryMaxMs));
  };

  return linkAdapter(
    link,
    deliver,
    () => {
      attempt = 0;
      stopped = false;
      if (!stream || stream.readyState === 2) restart();
    },
    () => {
      stopped = true;
      clearTimeout(retry);
      stream?.close();
      stream = undefined;
    },
  );
}
