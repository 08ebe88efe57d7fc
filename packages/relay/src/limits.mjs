// @ts-check
/** Rate limits: token buckets per key (an IP, a visitor, a conversation), kept in this process. */

/**
 * The default limits; every one can be changed with `RELAY_LIMITS` (JSON) or the `limits` option.
 * A value of 0 turns that limit off.
 */
export const DEFAULT_LIMITS = {
  /** WebSocket and event-stream connections open at once from one IP. */
  connectionsPerIp: 100,
  /** New conversations one IP may start per minute (burst of the same size). */
  conversationsPerIpPerMinute: 30,
  /** Conversations one visitor may start per hour. */
  conversationsPerVisitorPerHour: 20,
  /** Frames (messages, typing, handoffs) per conversation per second, with a burst of 20. */
  framesPerConversationPerSecond: 5,
  /** HTTP requests per IP per second, with a burst of 50. */
  requestsPerIpPerSecond: 20,
  /** Agent sign-in attempts per IP per minute. */
  signInsPerIpPerMinute: 10,
  /** Messages one conversation may hold. */
  messagesPerConversation: 2000,
};

/**
 * Buckets that refill at `perSecond` up to `burst`. `take(key)` answers how many seconds to wait
 * (0: allowed). @param {number} perSecond @param {number} burst
 */
export function bucket(perSecond, burst) {
  /** @type {Map<string, { tokens: number; at: number }>} */
  const buckets = new Map();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, b] of buckets) if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) buckets.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    /** @param {string} key */
    take(key) {
      if (!perSecond) return 0;
      const now = Date.now();
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / perSecond);
    },
    stop: () => clearInterval(sweep),
  };
}
