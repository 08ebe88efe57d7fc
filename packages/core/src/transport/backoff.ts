/** Milliseconds to wait before retry number `attempt` (0-based): doubling from `baseMs`, capped at `maxMs`, with jitter (50–100 %). */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + Math.random() / 2));
}

/** An error a transport reports; `retry: false` means sending again will not help (bad or oversize frame). */
export type TransportError = Error & { code?: string; retry?: boolean };

export const transportError = (message: string, code?: string, retry = true): TransportError =>
  Object.assign(new Error(message), { code, retry });

/** Reads one JSON frame with a string `type`, or undefined. */
export function parseFrame(data: unknown): ({ type: string } & Record<string, any>) | undefined {
  try {
    const frame = JSON.parse(String(data));
    return frame && typeof frame.type === 'string' ? frame : undefined;
  } catch {
    return undefined;
  }
}
