import { transportError } from './backoff';
import { identityHeaders } from './http';
import { packetId } from './link';
import type { HandoffPacket, OutgoingMessage, TransportAdapter, TransportSession, TransportSink } from './types';

export interface WebhookTransportOptions {
  url: string;
  fetch?: typeof fetch;
}

/**
 * A one-shot adapter for help desks that take tickets: messages are collected, and `handoff` makes
 * ONE POST `{ type: "ticket", id, session, packet }` whose packet carries the full transcript.
 * The POST has an `Idempotency-Key` header (the packet id) and a packet already filed is not sent again.
 */
export function createWebhookTransport(options: WebhookTransportOptions): TransportAdapter {
  const doFetch = options.fetch || fetch;
  const transcript = new Map<string, HandoffPacket['transcript'][number]>();
  const filed = new Set<string>();
  let session: TransportSession | undefined;
  let sink: TransportSink | undefined;
  return {
    connect(s: TransportSession, k: TransportSink) {
      session = s;
      sink = k;
      k.status({ type: 'online', online: true });
    },
    async send(m: OutgoingMessage) {
      if (!transcript.has(m.id)) transcript.set(m.id, { id: m.id, author: 'user', text: m.text, at: m.at });
    },
    async handoff(input: unknown) {
      const packet = { ...(input as HandoffPacket) };
      const id = packetId(packet, session?.conversationId || '');
      if (filed.has(id)) return;
      const lines = new Map((packet.transcript || []).map((line) => [line.id, line]));
      for (const [key, line] of transcript) if (!lines.has(key)) lines.set(key, line);
      packet.transcript = [...lines.values()].sort((a, b) => a.at - b.at);
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { ...identityHeaders(session), 'idempotency-key': id },
        body: JSON.stringify({ type: 'ticket', id, session, packet }),
      });
      if (!res.ok) throw transportError('HTTP ' + res.status, 'http-' + res.status, res.status >= 500 || res.status === 429);
      filed.add(id);
      sink?.status({ type: 'ticket', id });
    },
    close() {
      sink = undefined;
    },
  };
}
