import type { MarkdownOptions, MdNode } from '@madoguchi/core';
import { h, type ComponentChildren, type VNode } from 'preact';
import { $parserArrived, parser, preloadMarkdown } from './markdown-parser';
import { useStore } from './use-store';

export { preloadMarkdown };

type AnyNode = Partial<{ value: string; children: MdNode[]; items: MdNode[][]; ordered: boolean; start: number; href: string; src: string; alt: string }>;

const tags: Record<string, string> = { paragraph: 'p', linebreak: 'br', codeblock: 'pre', link: 'a', image: 'img' };

// Every string reaches the DOM as a text node or a plain attribute value, never as HTML.
function renderNode(n: MdNode): ComponentChildren {
  const a = n as AnyNode;
  return n.type == 'text'
    ? a.value
    : h(
        a.items ? (a.ordered ? 'ol' : 'ul') : tags[n.type] || n.type,
        a.href
          ? { href: a.href, target: '_blank', rel: 'noopener noreferrer' }
          : a.src
            ? { src: a.src, alt: a.alt, referrerpolicy: 'no-referrer' }
            : a.ordered
              ? { start: a.start }
              : null,
        a.value ?? a.children?.map(renderNode) ?? a.items?.map((item) => h('li', null, item.map(renderNode))),
      );
}

/** Renders `text` as the safe Markdown subset: no raw HTML, links only http(s)/mailto opening in a new tab, images only when `images` allows. */
export function Markdown({ text, images }: { text: string; images?: MarkdownOptions['images'] }): VNode {
  // Subscribed to the parser's arrival.
  const parse = parser();
  if (!useStore($parserArrived) || !parse) {
    // Until then the text shows as it is, as text: never as HTML.
    preloadMarkdown().catch(() => {});
    return h('div', { class: 'md' }, h('p', null, text)) as VNode;
  }
  return h('div', { class: 'md' }, parse(text, { images }).map(renderNode)) as VNode;
}
