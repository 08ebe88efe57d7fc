import { describe, expect, it } from 'vitest';
import { makeSnippet } from './snippet';

const text = (parts: ReturnType<typeof makeSnippet>) => parts.map((p) => p.text).join('');

describe('snippet boundaries', () => {
  it('starts and ends on whole words', () => {
    const body =
      'Introductory paragraph about unrelated things that goes on for a while before anything useful appears here. ' +
      'To reset your password open the account page and choose the reset link we send you by e-mail, then choose a new one ' +
      'that is long enough and unique to this service, and sign in again everywhere.';
    const snippet = text(makeSnippet(body, new Set(['password', 'reset'])));
    const inner = snippet.replace(/^…/, '').replace(/…$/, '');
    const words = body.split(' ');
    expect(snippet.startsWith('…')).toBe(true);
    expect(words).toContain(inner.split(' ')[0]);
    expect(words).toContain(inner.split(' ').pop());
  });
});
