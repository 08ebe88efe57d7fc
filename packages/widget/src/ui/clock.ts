/**
 * Message times and days, written out for the widget's two languages from the Date's own fields.
 *
 * A page's first Intl.DateTimeFormat loads the browser's date and time-zone data: 130–330 ms in
 * one native call at 4× CPU in Chromium, which no scheduling can slice. Built in an idle moment
 * ahead of an open, it was the one long task a returning visitor's page had; built in the click,
 * it would be in the open. English and Japanese times and days read as Intl writes them; any
 * other locale, and the rare weekday form, still go through Intl (one formatter per locale and style).
 */
export type ClockStyle = 'time' | 'when' | 'day';

const EN_MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * `at` (ms since the epoch) in the reader's time zone, in `locale`: "9:05 AM" / "9:05" (time),
 * "Nov 29, 2026" / "2026年11月29日" (day), or with the weekday ("Sun 9:05 AM", when: only an
 * agent's away note uses it, and it goes through Intl).
 */
export function clock(at: number, locale: string, style: ClockStyle): string {
  const d = new Date(at);
  const [hours, month, date, year] = [d.getHours(), d.getMonth(), d.getDate(), d.getFullYear()];
  const hm = `:${String(d.getMinutes()).padStart(2, '0')}`;
  const day = style == 'day';
  // A no-break space keeps AM/PM on the line of its time.
  if (style != 'when' && /^en\b/i.test(locale)) return day ? `${EN_MONTHS.substr(month * 3, 3)} ${date}, ${year}` : `${hours % 12 || 12}${hm}\u00a0${hours < 12 ? 'AM' : 'PM'}`;
  if (style != 'when' && /^ja\b/i.test(locale)) return day ? `${year}年${month + 1}月${date}日` : hours + hm;
  let f = formats.get(locale + style);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = day ? { month: 'short', day: 'numeric', year: 'numeric' } : { ...(style == 'when' && { weekday: 'short' }), hour: 'numeric', minute: '2-digit' };
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      f = new Intl.DateTimeFormat(undefined, options);
    }
    formats.set(locale + style, f);
  }
  return f.format(d);
}
