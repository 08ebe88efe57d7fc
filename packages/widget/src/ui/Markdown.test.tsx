// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it, beforeAll } from 'vitest';
import { Markdown, preloadMarkdown } from './Markdown';

// The parser arrives on demand in the widget; these tests read formatted output at once.
beforeAll(() => preloadMarkdown());

afterEach(cleanup);

const html = (text: string, images?: boolean | { allow: (u: string) => boolean }) =>
  render(<Markdown text={text} images={images} />).container.querySelector('.md')!.innerHTML;

describe('Markdown', () => {
  it('renders paragraphs, line breaks, bold, italic and code', () => {
    expect(html('Hi **Aiko**,\nrun `npm *i*` _now_\n\nBye')).toBe(
      '<p>Hi <strong>Aiko</strong>,<br>run <code>npm *i*</code> <em>now</em></p><p>Bye</p>',
    );
  });

  it('renders fenced code verbatim', () => {
    expect(html('```\n<b>hi</b>\n  **x**\n```')).toBe('<pre>&lt;b&gt;hi&lt;/b&gt;\n  **x**</pre>');
  });

  it('renders bullet and numbered lists, keeping the first number', () => {
    expect(html('- a\n- **b**\n\n2. c\n3. d')).toBe(
      '<ul><li>a</li><li><strong>b</strong></li></ul><ol start="2"><li>c</li><li>d</li></ol>',
    );
  });

  it('opens links in a new tab without handing over the page', () => {
    const { getByRole } = render(<Markdown text="See [the guide](https://ex.com/guide) or https://ex.com/b." />);
    const guide = getByRole('link', { name: 'the guide' });
    expect(guide.getAttribute('href')).toBe('https://ex.com/guide');
    expect(guide.getAttribute('target')).toBe('_blank');
    expect(guide.getAttribute('rel')).toBe('noopener noreferrer');
    expect(getByRole('link', { name: 'https://ex.com/b' }).getAttribute('href')).toBe('https://ex.com/b');
  });

  it('shows images only when configured, and as a link otherwise', () => {
    const text = '![A chart](https://cdn.ex.com/c.png)';
    expect(html(text)).toBe(
      '<p><a href="https://cdn.ex.com/c.png" target="_blank" rel="noopener noreferrer">A chart</a></p>',
    );
    const { getByRole } = render(<Markdown text={text} images={{ allow: (u) => u.startsWith('https://cdn.ex.com/') }} />);
    expect(getByRole('img', { name: 'A chart' }).getAttribute('src')).toBe('https://cdn.ex.com/c.png');
  });

  it('updates when the text changes', () => {
    const { container, rerender } = render(<Markdown text="**one**" />);
    rerender(<Markdown text="*two*" />);
    expect(container.innerHTML).toBe('<div class="md"><p><em>two</em></p></div>');
  });
});
