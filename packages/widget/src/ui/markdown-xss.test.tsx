// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/preact';
import { describe, expect, it, beforeAll } from 'vitest';
import { Markdown, preloadMarkdown } from './Markdown';

// The parser arrives on demand in the widget; these tests read formatted output at once.
beforeAll(() => preloadMarkdown());

type Images = boolean | { allow: (u: string) => boolean };

/** Renders `text` and checks that nothing in the result can run code or load anything unasked. */
function renderSafely(text: string, images?: Images): HTMLElement {
  const { container: box } = render(<Markdown text={text} images={images} />);
  const shown = box.cloneNode(true) as HTMLElement;
  cleanup();
  for (const el of shown.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    expect(['div', 'p', 'br', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'img'], text).toContain(tag);
    if (tag == 'img') {
      expect(images, text).toBeTruthy();
      const src = el.getAttribute('src')!;
      expect(src, text).toMatch(/^https?:\/\/[^\s]+$/i);
      if (typeof images == 'object') expect(images.allow(src), text).toBe(true);
    }
    for (const { name } of el.attributes) {
      expect(name, text).not.toMatch(/^on|^style$|^srcdoc$|^formaction$/i);
      expect(['class', 'href', 'target', 'rel', 'start', 'src', 'alt', 'referrerpolicy'], text).toContain(name);
    }
    if (tag == 'a') {
      expect(el.getAttribute('href'), text).toMatch(/^(https?:\/\/|mailto:)[^\s\x00-\x1f]+$/i);
      expect(el.getAttribute('target')).toBe('_blank');
      expect(el.getAttribute('rel')).toBe('noopener noreferrer');
    }
  }
  return shown;
}

const payloads = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<body onload=alert(1)>',
  '<svg onload=alert(1)><circle/></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<a href="javascript:alert(1)">click</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<p style="position:fixed;inset:0">cover</p>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<form><button formaction=javascript:alert(1)>go</button></form>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click]( javascript:alert(1))',
  '[click](jav&#x09;ascript:alert(1))',
  '[click](jav&#x0A;ascript:alert(1))',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[click](%6A%61%76%61%73%63%72%69%70%74:alert(1))',
  '[click](jav\tascript:alert(1))',
  '[click](\u0001javascript:alert(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](vbscript:msgbox(1))',
  '[click](//evil.example)',
  '[click](/\\evil.example)',
  '[click](https://ok.example" onclick="alert(1))',
  '[click](https://ok.example"onmouseover="alert(1)")',
  '[x"><img src=x onerror=alert(1)>](https://ok.example)',
  '![x](javascript:alert(1))',
  '![x" onerror="alert(1)](https://ok.example/a.png)',
  '![x](data:image/svg+xml,<svg onload=alert(1)>)',
  'https://ok.example/"><script>alert(1)</script>',
  'javascript:alert(1)',
  '**<script>**alert(1)**</script>**',
  '*<img src=x onerror=alert(1)>*',
  '`<script>alert(1)</script>`',
  '```\n<script>alert(1)</script>\n```',
  '- <svg onload=alert(1)>\n1. <iframe src=x>',
  '[**[nested](javascript:alert(1))**](https://ok.example)',
  '[unclosed](https://ok.example',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<!--<img src=x onerror=alert(1)>-->',
  '<![CDATA[<script>alert(1)</script>]]>',
];

// What the reader should see as text once markdown markers are read: the payload minus those markers.
const visible = (s: string) => s.replace(/[*`\n]|^- |^1\. /gm, '').replace(/\s+/g, ' ').trim();

describe('Markdown XSS payloads', () => {
  it.each(payloads)('renders %j as inert text', (payload) => {
    const box = renderSafely(payload);
    const shown = box.textContent!.replace(/\s+/g, ' ').trim();
    if (!payload.includes('](https://ok.example') && !payload.includes('![')) expect(shown).toBe(visible(payload));
    else expect(shown.length).toBeGreaterThan(0);
  });

  it('keeps a quote in a link URL inside the attribute value', () => {
    const a = renderSafely('[click](https://ok.example"onmouseover="alert(1)")').querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://ok.example"onmouseover="alert(1');
    expect(a.getAttributeNames()).toEqual(['href', 'target', 'rel']);
  });

  it('keeps images out even when allowed, unless their URL is http(s)', () => {
    for (const payload of ['![x](javascript:alert(1))', '![x](data:image/png;base64,iVBORw0KGgo=)', '![x](mailto:a@b.c)']) {
      expect(renderSafely(payload, true).querySelector('img')).toBeNull();
    }
    expect(renderSafely('![x](https://ok.example/a.png)', true).querySelector('img')).not.toBeNull();
    expect(renderSafely('![x](https://evil.example/a.png)', { allow: (u) => u.startsWith('https://ok.example/') }).querySelector('img')).toBeNull();
  });
});

// A small seeded generator, so a failure is reproducible from its seed.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = [
  '*', '**', '_', '__', '`', '```', '[', ']', '(', ')', '![', '](', '\\', '\n', '\n\n', '- ', '1. ', ' ', '  ', '"', "'",
  '<', '>', '/', '=', '&', '#', ';', ':', 'a', 'b', 'x y', '日本語', 'http://', 'https://', 'mailto:', 'javascript:',
  'JAVASCRIPT:', 'data:', 'vbscript:', '&#x09;', '%0a', '\t', '\u0000', '\u2028', 'ok.example', '<script>', '</script>',
  '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>', ' onclick=', 'style=', '<iframe>', '<a href=', 'alert(1)',
];

describe('Markdown fuzz', () => {
  it('never throws and never renders anything active for 3,000 random mixes', () => {
    const next = random(20240601);
    const started = performance.now();
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const len = 1 + Math.floor(next() * 40);
      for (let k = 0; k < len; k++) s += pieces[Math.floor(next() * pieces.length)];
      const images = n % 3 == 0 ? true : n % 3 == 1 ? { allow: (u: string) => u.includes('ok.example') } : undefined;
      expect(() => renderSafely(s, images), s).not.toThrow();
    }
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
