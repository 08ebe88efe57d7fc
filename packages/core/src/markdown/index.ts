/**
 * A safe Markdown subset for every text the widget shows (agents, flows, articles,
 * transports). The tree holds plain strings only: there is no HTML node, links are
 * http(s)/mailto, and every search runs in amortised linear time.
 */

/** One node of the parsed tree. */
export type MdNode =
  | { type: 'text' | 'code' | 'codeblock'; value: string }
  | { type: 'linebreak' }
  | { type: 'paragraph' | 'strong' | 'em'; children: MdNode[] }
  | { type: 'link'; href: string; children: MdNode[] }
  | { type: 'image'; src: string; alt: string }
  | { type: 'list'; ordered: boolean; start: number; items: MdNode[][] };

/** Images are off unless `true` (any http(s) URL) or `allow(url)` says yes; otherwise `![alt](url)` becomes a link. */
export interface MarkdownOptions {
  images?: boolean | { allow: (url: string) => boolean };
}

/** Longer texts are cut to this many characters before parsing. */
export const MARKDOWN_MAX_CHARS = 20000;

/** `url` itself when it is an absolute http(s) or mailto URL without spaces or control characters, else undefined. */
export function safeHref(url: string): string | undefined {
  return /^(https?:\/\/|mailto:)[^\s\x00-\x1f\x7f]+$/i.test(url) ? url : undefined;
}

const textNode = (value: string): MdNode => ({ type: 'text', value });
const isWord = (c?: string) => /\w/.test(c || ' ');
const isSpace = (c?: string) => /\s/.test(c || ' ');

/** Parses `text` into paragraphs, fenced code blocks and lists of inline nodes. Never throws. */
export function parseMarkdown(text: string, options: MarkdownOptions = {}): MdNode[] {
  const out: MdNode[] = [];
  let lines: string[] = []; // the open paragraph, or the open item of `list`
  let list: (MdNode & { type: 'list' }) | undefined;
  let code: string[] | undefined;
  let block: MdNode & { value: string } = textNode('') as MdNode & { value: string };
  const flush = () => {
    if (lines[0] != null) {
      const children = inline(lines.join('\n'), options, 0);
      list ? list.items.push(children) : out.push({ type: 'paragraph', children });
    }
    lines = [];
  };
  for (const line of String(text ?? '').slice(0, MARKDOWN_MAX_CHARS).split(/\r?\n|\r/)) {
    const fence = /^ {0,3}```[^`]*$/.test(line);
    const item = /^ {0,3}(?:[-*+]|(\d{1,9})[.)]) +(.*)/.exec(line);
    if (code) {
      if (fence) (block.value = code.join('\n')), (code = undefined);
      else code.push(line);
    } else if (fence) {
      flush();
      list = undefined;
      out.push((block = { type: 'codeblock', value: '' }));
      code = [];
    } else if (item) {
      flush();
      if (!list || list.ordered != !!item[1]) out.push((list = { type: 'list', ordered: !!item[1], start: +item[1] || 1, items: [] }));
      lines.push(item[2]);
    } else if (!line.trim()) flush();
    else if (list && lines[0] != null && isSpace(line[0])) lines.push(line.trim());
    else {
      if (list) flush();
      list = undefined;
      lines.push(line);
    }
  }
  if (code) block.value = code.join('\n');
  flush();
  return out;
}

function inline(s: string, o: MarkdownOptions, depth: number, inLink?: boolean): MdNode[] {
  const out: MdNode[] = [];
  const memo: Record<string, number[]> = {};
  let text = '';
  let i = 0;
  const push = (n: MdNode) => {
    if (text) out.push(textNode(text));
    text = '';
    out.push(n);
  };
  const nest = (a: number, b: number, link?: boolean) =>
    depth < 8 ? inline(s.slice(a, b), o, depth + 1, inLink || link) : [textNode(s.slice(a, b))];
  // A closing delimiter at p ends its run, and emphasis does not follow a space.
  const closes = (d: string, p: number) =>
    d == ')' ||
    d == ']' ||
    (s[p + d.length] != d[0] &&
      ((d[1] && d[0] != '`') || s[p - 1] != d[0]) &&
      (d[0] == '`' || (!isSpace(s[p - 1]) && !(d[0] == '_' && isWord(s[p + d.length])))));
  // First closing `d` at or after `from`, or -1. The memo keeps repeated misses linear.
  const find = (d: string, from: number) => {
    const m = memo[d];
    if (m && m[0] <= from && (m[1] < 0 || m[1] >= from)) return m[1];
    let p = from;
    while ((p = s.indexOf(d, p)) >= 0 && !closes(d, p)) p++;
    memo[d] = [from, p];
    return p;
  };
  while (i < s.length) {
    const c = s[i];
    let d = c;
    let p = -1;
    if (c == '\n') push({ type: 'linebreak' });
    else if (c == '\\' && /[!-/:-@[-`{-~]/.test(s[i + 1])) text += s[++i];
    else if (c == '`') {
      while (s[i + d.length] == c) d += c;
      p = find(d, i + d.length);
      const v = s.slice(i + d.length, p);
      if (p < 0) text += d;
      else push({ type: 'code', value: v[0] == ' ' && v.endsWith(' ') && v.trim() ? v.slice(1, -1) : v });
    } else if ((c == '*' || c == '_') && !(c == '_' && isWord(s[i - 1]))) {
      if (s[i + 1] == c) d += c;
      if (!isSpace(s[i + d.length])) p = find(d, i + d.length + 1);
      if (p < 0) text += d;
      else push({ type: d[1] ? 'strong' : 'em', children: nest(i + d.length, p) });
    } else if (!inLink && (c == '[' || (c == '!' && s[i + 1] == '['))) {
      const a = i + d.length + (c == '!' ? 1 : 0);
      const q = find(']', a);
      const r = q < 0 || s[q + 1] != '(' ? -1 : find(')', q + 2);
      const href = safeHref(s.slice(q + 2, r).trim());
      const img = o.images;
      if (r < 0) text += c;
      else if (!href) text += s.slice(i, r + 1);
      else if (c == '!' && /^http/i.test(href) && (img === true || (img && img.allow(href))))
        push({ type: 'image', src: href, alt: s.slice(a, q) });
      else push({ type: 'link', href, children: q > a ? nest(a, q, true) : [textNode(href)] });
      if (r >= 0) i = r;
    } else if (!inLink && !isWord(s[i - 1]) && /^https?:\/\//i.test(s.slice(i, i + 8))) {
      p = i;
      while (p < s.length && !/[\s<>"\x00-\x1f\x7f]/.test(s[p])) p++;
      // Trailing punctuation ends the sentence, not the URL (a ')' stays when the URL has a '(').
      const paren = s.slice(i, p).includes('(');
      while (/[.,:;!?'*_\])]/.test(s[p - 1]) && !(paren && s[p - 1] == ')')) p--;
      const url = s.slice(i, p);
      if (safeHref(url)) push({ type: 'link', href: url, children: [textNode(url)] });
      else text += url;
      i = p - 1;
      p = -1;
    } else text += c;
    i = (p < 0 ? i : p) + d.length;
  }
  if (text) out.push(textNode(text));
  return out;
}
