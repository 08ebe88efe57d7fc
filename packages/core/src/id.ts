const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random id of 16 base-36 characters (about 82 bits), crypto-strong where the platform offers it. */
export function createId(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0;
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 36];
  return out;
}
