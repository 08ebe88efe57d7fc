import { describe, expect, it } from 'vitest';
import { makeSnippet } from './snippet';

const text = (parts: { text: string }[]) => parts.map((p) => p.text).join('');
const words = 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec romeo'.split(' ');

describe('makeSnippet', () => {
  it('cuts English on word boundaries at both ends', () => {
    const body = [...words, ...words, 'refund', ...words, ...words].join(' ');
    for (const size of [60, 77, 90, 101, 120]) {
      const shown = text(makeSnippet(body, new Set(['refund']), size));
      const inner = shown.replace(/^…/, '').replace(/…$/, '');
      expect(shown).toMatch(/^….*…$/);
      expect(inner).toContain('refund');
      for (const w of inner.split(' ')) expect(words.includes(w) || w == 'refund').toBe(true);
    }
  });

  it('never cuts a number in Japanese', () => {
    // 返品 sits 20 characters after the 3 of 30日: a window starting 20 characters before a match would cut 30.
    const body = 'ご注文の商品は、お届けから30' + '日以内で未使用のものに限り、'.padEnd(18, 'ご') + '返品できます。' + '料金は2,500円です。'.repeat(3) + 'ご不明な点はお問い合わせください。';
    for (let size = 40; size < 100; size++) {
      const shown = text(makeSnippet(body, new Set(['返品']), size));
      expect(shown).toContain('返品');
      const inner = shown.replace(/^…/, '').replace(/…$/, '');
      const from = body.indexOf(inner);
      const to = from + inner.length;
      expect(from).toBeGreaterThanOrEqual(0);
      expect(/[\d,]/.test(body[from - 1]) && /\d/.test(body[from])).toBe(false);
      expect(/\d/.test(body[to - 1]) && /[\d,]/.test(body[to])).toBe(false);
    }
  });

  it('keeps the whole body when it is short, and marks the matched words', () => {
    const parts = makeSnippet('Use the **Forgot password** link.', new Set(['forgot', 'password']));
    expect(text(parts)).toBe('Use the Forgot password link.');
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['Forgot', 'password']);
  });
});
