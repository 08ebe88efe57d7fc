import type { OutgoingMessage, TransportAdapter, TransportSink } from './types';

export interface LoopbackOptions {
  /** Delay before the echo, in milliseconds. Default 400. */
  delay?: number;
  /** Name shown on replies. Default "Echo". */
  agentName?: string;
}

/**
 * A transport that answers every message with an echo after a short delay: for tests, demos,
 * and a messenger that works end to end before a real backend exists.
 */
export function createLoopbackTransport(options: LoopbackOptions = {}): TransportAdapter & {
  sent: OutgoingMessage[];
  packets: unknown[];
} {
  const delay = options.delay ?? 400;
  const agentName = options.agentName ?? 'Echo';
  let sink: TransportSink | undefined;
  const seen = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, delay);
    timers.add(t);
  };
  const adapter = {
    sent: [] as OutgoingMessage[],
    packets: [] as unknown[],
    connect(_session: unknown, s: TransportSink) {
      sink = s;
      s.status({ type: 'online', online: true });
    },
    async send(message: OutgoingMessage) {
      if (seen.has(message.id)) return;
      seen.add(message.id);
      adapter.sent.push(message);
      later(() => sink?.message({ id: 'echo-' + message.id, text: message.text, authorName: agentName }));
    },
    async handoff(packet: unknown) {
      adapter.packets.push(packet);
      later(() => sink?.status({ type: 'agent-joined', name: agentName }));
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      sink = undefined;
    },
  };
  return adapter;
}
