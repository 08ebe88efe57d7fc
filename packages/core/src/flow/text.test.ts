import { describe, expect, it } from 'vitest';
import { parseMarkdown, type MdNode } from '../markdown';
import { readFileSync } from 'node:fs';
import { fillFlowTemplate } from './text';
import { FLOW_RULES, flowStamp } from './read';

const kinds = (nodes: MdNode[]): string[] => nodes.flatMap((n) => [n.type, ...('children' in n ? kinds(n.children as MdNode[]) : [])]);
const plain = (nodes: MdNode[]): string =>
  nodes.map((n) => ('value' in n ? String(n.value) : 'children' in n ? plain(n.children as MdNode[]) : 'items' in n ? '' : '')).join('');

describe('values filled into a flow text', () => {
  const values = [
    'https://evil.example/login?next=/account',
    'see http://a.example/x_y*z*',
    '[click](https://evil.example)',
    '**bold** _em_ `code` <b>tag</b>',
    'mailto:aiko@example.com',
    '![img](https://evil.example/i.png)',
  ];

  it.each(values)('shows %s as literal text, never a link or formatting', (value) => {
    const text = fillFlowTemplate('You typed: {{vars.answer}}', { vars: { answer: value } }, true);
    const blocks = parseMarkdown(text);
    const nodes = blocks.flatMap((b) => ('children' in b ? (b.children as MdNode[]) : []));
    expect(kinds(nodes).filter((k) => k !== 'text')).toEqual([]);
    expect(plain(nodes)).toBe('You typed: ' + value);
  });

  it("keeps the author's own Markdown and links working around the values", () => {
    const text = fillFlowTemplate('See [our policy](https://shop.example/returns) for {{user.name}}', { user: { name: 'https://x.example' } }, true);
    const nodes = parseMarkdown(text).flatMap((b) => ('children' in b ? (b.children as MdNode[]) : []));
    expect(nodes.filter((n) => n.type === 'link').map((n) => (n as { href: string }).href)).toEqual(['https://shop.example/returns']);
  });
});

describe('the stamp of a built flow', () => {
  it("vouches for this release's rules: a new version of the package re-checks flows built before it", () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(FLOW_RULES).toBe(version);
  });

  it('changes with any change to the text, even one space', () => {
    const text = '{"id":"a","version":1,"start":"s","nodes":{"s":{"type":"end","text":"Bye."}}}';
    expect(flowStamp(text)).toMatch(/^[0-9a-f]{8}$/);
    expect(flowStamp(text)).toBe(flowStamp(text));
    expect(flowStamp(text.replace('Bye.', 'Bye!'))).not.toBe(flowStamp(text));
    expect(flowStamp(text + ' ')).not.toBe(flowStamp(text));
  });
});
