import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock, type ClockStyle } from './clock';

const STYLES: Record<ClockStyle, Intl.DateTimeFormatOptions> = {
  time: { hour: 'numeric', minute: '2-digit' },
  when: { weekday: 'short', hour: 'numeric', minute: '2-digit' },
  day: { month: 'short', day: 'numeric', year: 'numeric' },
};
// Midnight, the morning, noon, the evening, the turn of a year and a leap day, in the local zone.
const MOMENTS = [new Date(2026, 0, 1, 0, 7), new Date(2026, 10, 29, 9, 5), new Date(2026, 5, 14, 12, 0), new Date(2026, 11, 31, 23, 59), new Date(2028, 1, 29, 21, 45)];
/** Intl writes a (narrow) no-break space before AM/PM in some releases and a plain one in others. */
const spaces = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ');

afterEach(() => vi.restoreAllMocks());

describe('clock', () => {
  for (const locale of ['en', 'ja'])
    for (const style of ['time', 'day'] as const)
      it(`writes ${locale} "${style}" as Intl.DateTimeFormat does`, () => {
        for (const d of MOMENTS) expect(spaces(clock(d.getTime(), locale, style))).toBe(spaces(new Intl.DateTimeFormat(locale, STYLES[style]).format(d)));
      });

  it('builds no Intl.DateTimeFormat for English or Japanese times and days, as the first one loads the date data', () => {
    const made = vi.spyOn(Intl, 'DateTimeFormat');
    for (const style of ['time', 'day'] as const) clock(Date.now(), 'en', style), clock(Date.now(), 'ja-JP', style);
    expect(made).not.toHaveBeenCalled();
  });

  it('keeps AM/PM on the line of its time', () => {
    expect(clock(new Date(2026, 1, 1, 15, 30).getTime(), 'en', 'time')).toBe('3:30\u00a0PM');
  });

  it('writes any other locale through Intl, and an unknown tag in the browser default', () => {
    const d = new Date(2026, 10, 29, 9, 5);
    expect(clock(d.getTime(), 'fr', 'day')).toBe(new Intl.DateTimeFormat('fr', STYLES.day).format(d));
    expect(clock(d.getTime(), 'not a tag!', 'time')).toBe(new Intl.DateTimeFormat(undefined, STYLES.time).format(d));
  });
});
