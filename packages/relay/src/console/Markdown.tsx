import { h, type ComponentChildren } from 'preact';
import { parseMarkdown, type MdNode } from '../../../core/src/markdown/index';

const TAGS: Record<string, string> = { paragraph: 'p', linebreak: 'br', codeblock: 'pre', link: 'a', strong: 'strong', em: 'em', code: 'code' };

// Every string reaches the DOM as a text node or a plain attribute value, never as HTML.
function node(n: MdNode, key: number): ComponentChildren {
  if (n.type === 'text') return n.value;
  if (n.type === 'linebreak') return h('br', { key });
  if (n.type === 'code' || n.type === 'codeblock') return h(TAGS[n.type], { key }, n.value);
  if (n.type === 'list') return h(n.ordered ? 'ol' : 'ul', { key, start: n.ordered ? n.start : undefined }, n.items.map((item, i) => h('li', { key: i }, item.map(node))));
  if (n.type === 'image') return h('a', { key, href: n.src, target: '_blank', rel: 'noopener noreferrer' }, n.alt || n.src);
  if (n.type === 'link') return h('a', { key, href: n.href, target: '_blank', rel: 'noopener noreferrer' }, n.children.map(node));
  return h(TAGS[n.type], { key }, (n as { children: MdNode[] }).children.map(node));
}

/** The words of `text` without its Markdown, for one-line previews. */
export function plain(text: string): string {
  const words = (n: MdNode): string =>
    n.type === 'text' || n.type === 'code' || n.type === 'codeblock' ? n.value : n.type === 'linebreak' ? ' ' : n.type === 'list' ? n.items.map((i) => i.map(words).join('')).join(' ') : n.type === 'image' ? n.alt : (n as { children: MdNode[] }).children.map(words).join('');
  return parseMarkdown(text).map(words).join(' ').replace(/\s+/g, ' ').trim();
}

/** The widget's safe Markdown subset, drawn with Preact: no HTML, links http(s)/mailto only, images as links. */
export function Markdown({ text }: { text: string }) {
  return <div class="md">{parseMarkdown(text).map(node)}</div>;
}
