import { backoffDelay, parseFrame } from './backoff';
import { createLink, linkAdapter } from './link';
import type { ClientFrame, TransportAdapter } from './types';

/** The part of the WebSocket API the adapter uses (the browser's, or the `ws` package's in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketTransportOptions {
  url: string;
  protocols?: string | string[];
  /** Ping interval; the line counts as dead after two intervals of silence. Default 25 000 ms. */
  heartbeatMs?: number;
  /** A WebSocket constructor (required in Node 20: pass `ws`'s). Default: the global one. */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocketLike;
  /** How long a send waits for its ack before failing (the outbox then retries). Default 20 000 ms. */
  ackTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap, in ms. Defaults 500 and 30 000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/**
 * The WebSocket adapter: a hello frame carrying the session (identity token included), then JSON
 * frames both ways. Reconnects with capped, jittered exponential backoff, pings to detect a dead
 * line, and after each reconnect sends again every message not yet acknowledged.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): TransportAdapter {
  const WS = options.WebSocket || (globalThis as unknown as { WebSocket: WebSocketTransportOptions['WebSocket'] }).WebSocket!;
  const beat = options.heartbeatMs ?? 25_000;
  const link = createLink(options.ackTimeoutMs ?? 20_000);
  let ws: WebSocketLike | undefined;
  let up = false;
  let stopped = true;
  let attempt = 0;
  let heard = 0;
  /** Connection attempts in a row that never opened; the third one is reported. */
  let refused = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let pinger: ReturnType<typeof setInterval> | undefined;

  const write = (frame: ClientFrame) => {
    if (up) ws!.send(JSON.stringify(frame));
  };
  /** Forgets the socket now (a dead line can take long to report its close) and plans the reconnect. */
  const drop = (socket: WebSocketLike) => {
    if (ws !== socket) return;
    ws = socket.onopen = socket.onmessage = socket.onclose = null as never;
    socket.onerror = () => {};
    try {
      socket.close();
    } catch {}
    if (up) link.sink?.status({ type: 'online', online: (up = false) });
    else if (!stopped && ++refused === FAILURES_REPORTED) link.sink?.error(new Error(refusedMessage(options.url)));
    if (!stopped) retry = setTimeout(open, backoffDelay(attempt++, options.retryBaseMs, options.retryMaxMs));
  };
  const open = () => {
    clearTimeout(retry);
    if (stopped || ws) return;
    const socket = (ws = new WS(options.url, options.protocols));
    socket.onopen = () => {
      attempt = refused = 0;
      heard = Date.now();
      up = true;
      write({ type: 'hello', session: link.session!, last: link.last });
      for (const p of link.pending.values()) write(p.frame);
      link.sink?.status({ type: 'online', online: true });
    };
    socket.onmessage = (event) => {
      heard = Date.now();
      const frame = parseFrame(event.data);
      if (frame?.type === 'ping') write({ type: 'pong' });
      else if (frame) link.receive(frame);
    };
    socket.onclose = socket.onerror = () => drop(socket);
  };

  return linkAdapter(
    link,
    async (frame) => write(frame),
    () => {
      attempt = refused = 0;
      if (stopped) {
        stopped = false;
        pinger = setInterval(() => {
          if (!up) return;
          if (Date.now() - heard > 2 * beat) drop(ws!);
          else write({ type: 'ping' });
        }, beat);
      }
      open();
    },
    () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(pinger);
      if (ws) drop(ws);
    },
  );
}

/** Failed connection attempts in a row before the page is told. */
const FAILURES_REPORTED = 3;

/** Why a socket may never open; a browser does not tell a refused origin (403) from a relay that is down. */
function refusedMessage(url: string): string {
  const origin = typeof location !== 'undefined' ? location.origin : 'this page';
  return (
    `could not connect to ${url} (${FAILURES_REPORTED} attempts). If the relay is running, it may refuse this page's origin: ` +
    `add "${origin}" to the relay's allowedOrigins. Messages wait and are sent when the connection returns.`
  );
}
