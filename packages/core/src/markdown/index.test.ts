import { describe, expect, it } from 'vitest';
import { MARKDOWN_MAX_CHARS, parseMarkdown, safeHref, type MdNode } from './index';

const text = (value: string): MdNode => ({ type: 'text', value });
const para = (...children: MdNode[]): MdNode => ({ type: 'paragraph', children });
const inline = (s: string) => {
  const [first] = parseMarkdown(s);
  return first && 'children' in first ? first.children : [];
};

describe('parseMarkdown blocks', () => {
  it('splits paragraphs on blank lines and keeps single newlines as line breaks', () => {
    expect(parseMarkdown('one\ntwo\r\n\r\nthree')).toEqual([
      para(text('one'), { type: 'linebreak' }, text('two')),
      para(text('three')),
    ]);
  });

  it('keeps fenced code verbatim, markup and HTML included', () => {
    expect(parseMarkdown('```js\n**x** <b>\n\n  indented\n```\nafter')).toEqual([
      { type: 'codeblock', value: '**x** <b>\n\n  indented' },
      para(text('after')),
    ]);
    expect(parseMarkdown('```\nnever closed')).toEqual([{ type: 'codeblock', value: 'never closed' }]);
  });

  it('builds bullet and numbered lists with indented continuation lines', () => {
    expect(parseMarkdown('- a\n* b\n  more\n\n3. c\n4) d\nafter')).toEqual([
      { type: 'list', ordered: false, start: 1, items: [[text('a')], [text('b'), { type: 'linebreak' }, text('more')]] },
      { type: 'list', ordered: true, start: 3, items: [[text('c')], [text('d')]] },
      para(text('after')),
    ]);
  });

  it('returns nothing for empty or non-string input instead of throwing', () => {
    expect(parseMarkdown('')).toEqual([]);
    expect(parseMarkdown(undefined as unknown as string)).toEqual([]);
    expect(parseMarkdown(42 as unknown as string)).toEqual([para(text('42'))]);
  });

  it('caps long input', () => {
    const [p] = parseMarkdown('a'.repeat(MARKDOWN_MAX_CHARS + 500));
    expect(p).toEqual(para(text('a'.repeat(MARKDOWN_MAX_CHARS))));
  });
});

describe('parseMarkdown inline', () => {
  it('reads bold, italic in both spellings, and nesting', () => {
    expect(inline('**b** *i* _u_ ***both***')).toEqual([
      { type: 'strong', children: [text('b')] },
      text(' '),
      { type: 'em', children: [text('i')] },
      text(' '),
      { type: 'em', children: [text('u')] },
      text(' '),
      { type: 'strong', children: [{ type: 'em', children: [text('both')] }] },
    ]);
    expect(inline('*a **b** c*')).toEqual([
      { type: 'em', children: [text('a '), { type: 'strong', children: [text('b')] }, text(' c')] },
    ]);
  });

  it('leaves arithmetic, snake_case and unclosed markers alone', () => {
    expect(inline('2 * 3 * 4, snake_case_name, **open, _x')).toEqual([text('2 * 3 * 4, snake_case_name, **open, _x')]);
  });

  it('reads code spans without parsing inside them', () => {
    expect(inline('run `npm *i*` or ``a ` b``')).toEqual([
      text('run '),
      { type: 'code', value: 'npm *i*' },
      text(' or '),
      { type: 'code', value: 'a ` b' },
    ]);
  });

  it('honours backslash escapes', () => {
    expect(inline('\\*not em\\* \\[x](y)')).toEqual([text('*not em* [x](y)')]);
  });

  it('makes links, and autolinks bare URLs without the trailing punctuation', () => {
    expect(inline('[Docs **now**](https://ex.com/a?b=1) or mail [us](mailto:a@b.c). See https://ex.com/x.')).toEqual([
      { type: 'link', href: 'https://ex.com/a?b=1', children: [text('Docs '), { type: 'strong', children: [text('now')] }] },
      text(' or mail '),
      { type: 'link', href: 'mailto:a@b.c', children: [text('us')] },
      text('. See '),
      { type: 'link', href: 'https://ex.com/x', children: [text('https://ex.com/x')] },
      text('.'),
    ]);
  });

  it('does not nest a link inside a link', () => {
    expect(inline('[see https://a.b](https://c.d)')).toEqual([
      { type: 'link', href: 'https://c.d', children: [text('see https://a.b')] },
    ]);
  });

  it('keeps a link with a refused URL as its literal text', () => {
    for (const url of ['javascript:alert(1)', '/relative', '//evil.com', 'data:text/html,x', 'https://a b']) {
      expect(inline(`[x](${url})`)).toEqual([text(`[x](${url})`)]);
    }
  });

  it('turns images into links unless images are allowed for that URL', () => {
    const src = 'https://cdn.ex.com/a.png';
    expect(inline(`![chart](${src})`)).toEqual([{ type: 'link', href: src, children: [text('chart')] }]);
    expect(parseMarkdown(`![chart](${src})`, { images: true })).toEqual([para({ type: 'image', src, alt: 'chart' })]);
    const only = { images: { allow: (u: string) => u.startsWith('https://cdn.ex.com/') } };
    expect(parseMarkdown(`![x](https://other.com/a.png)`, only)).toEqual([
      para({ type: 'link', href: 'https://other.com/a.png', children: [text('x')] }),
    ]);
    expect(parseMarkdown(`![x](${src})`, only)).toEqual([para({ type: 'image', src, alt: 'x' })]);
    expect(parseMarkdown('![x](mailto:a@b.c)', { images: true })).toEqual([
      para({ type: 'link', href: 'mailto:a@b.c', children: [text('x')] }),
    ]);
  });

  it('shows HTML as the literal text it is', () => {
    expect(inline('<script>alert(1)</script>')).toEqual([text('<script>alert(1)</script>')]);
  });
});

describe('safeHref', () => {
  it('accepts only absolute http(s) and mailto URLs', () => {
    for (const ok of ['https://a.b/c', 'HTTP://A.B', 'mailto:x@y.z']) expect(safeHref(ok)).toBe(ok);
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'jav&#x09;ascript:alert(1)',
      'jav\tascript:alert(1)',
      '%6Aavascript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
      'vbscript:msgbox(1)',
      '//evil.com',
      'https:evil.com',
      'https://a.b/\u0000x',
      'https://',
      '',
    ])
      expect(safeHref(bad)).toBeUndefined();
  });
});

describe('parseMarkdown cost', () => {
  // Each input is 100 KB of a shape that makes naive scanners quadratic or regexes backtrack.
  const shapes = [
    '['.repeat(100_000),
    '[a]('.repeat(25_000),
    '*a '.repeat(33_000),
    '**a '.repeat(25_000),
    '_a_'.repeat(33_000),
    '`'.repeat(100_000),
    '` ``'.repeat(25_000),
    '*a **b _c '.repeat(10_000),
    'http://' + '.'.repeat(100_000) + 'x',
    'https://x' + ')'.repeat(100_000),
    '- '.repeat(50_000),
    '- a\n'.repeat(25_000),
    '```' + 'a'.repeat(100_000) + '`',
    '\\'.repeat(100_000),
  ];
  it('parses 100 KB pathological inputs in linear time', () => {
    for (const s of shapes) {
      const t = performance.now();
      parseMarkdown(s);
      expect(performance.now() - t, s.slice(0, 12)).toBeLessThan(150);
    }
  });

  it('parses deeply nested emphasis without blowing the stack', () => {
    const s = '*a **b '.repeat(2000) + ' b** a*'.repeat(2000);
    expect(() => parseMarkdown(s)).not.toThrow();
  });
});
