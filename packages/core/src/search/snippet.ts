import { normalizeSearchText, stemWord, WORD_PATTERN } from './tokenize';

/** One piece of a snippet; `mark` is set on the words the query matched. */
export type SnippetPart = { text: string; mark?: true };

/**
 * A short plain-text window of `body` around the densest cluster of matched terms, the matched words
 * marked. `terms` holds search terms as the tokenizer writes them (stems, CJK bigrams).
 */
export function makeSnippet(body: string, terms: Set<string>, size = 120): SnippetPart[] {
  // Markdown links become their text, other markup characters go, white space collapses.
  const text = body.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*`#>|]+|(^|\s)_+|_+(\s|$)/g, '$1$2').replace(/\s+/g, ' ').trim();
  const marks: number[] = []; // start, end pairs in `text`
  for (const m of text.slice(0, 2000).matchAll(WORD_PATTERN)) {
    const at = m.index!;
    if (m[1]) {
      // Normalise the run at once; only if that changes its length, character by character.
      const whole = normalizeSearchText(m[0]);
      const n = whole.length == m[0].length ? whole : m[0].split('').map(normalizeSearchText).join('');
      const has = (i: number) => i >= 0 && i + 1 < n.length && terms.has(n[i] + n[i + 1]);
      for (let i = 0; i < m[0].length; i++)
        if (has(i - 1) || has(i) || terms.has(n[i])) {
          if (marks[marks.length - 1] == at + i) marks[marks.length - 1]++;
          else marks.push(at + i, at + i + 1);
        }
    } else if (terms.has(stemWord(normalizeSearchText(m[0])))) marks.push(at, at + m[0].length);
  }
  // The window start that covers the most marks.
  let start = 0;
  for (let i = 0, best = 0; i < marks.length; i += 2) {
    let count = 0;
    for (let j = i; j < marks.length && marks[j + 1] <= marks[i] + size - 20; j += 2) count++;
    if (count > best) (best = count), (start = Math.max(0, marks[i] - 20));
  }
  // The window starts and ends on word boundaries (text without spaces, such as Japanese, is cut where it falls).
  if (start && text[start - 1] !== ' ') {
    const back = text.lastIndexOf(' ', start) + 1;
    start = back && start - back <= 15 ? back : text.indexOf(' ', start) + 1 || start;
  }
  let end = Math.min(text.length, start + size);
  if (end < text.length && text[end] !== ' ') {
    const space = text.lastIndexOf(' ', end);
    if (space > start + size / 2) end = space;
  }
  const parts: SnippetPart[] = [];
  let at = start;
  for (let i = 0; i < marks.length; i += 2) {
    const a = Math.max(marks[i], at), b = Math.min(marks[i + 1], end);
    if (b <= a) continue;
    if (a > at) parts.push({ text: text.slice(at, a) });
    parts.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (end > at) parts.push({ text: text.slice(at, end) });
  if (start && parts.length) parts[0].text = '…' + parts[0].text;
  if (end < text.length && parts.length) parts[parts.length - 1].text += '…';
  return parts;
}
